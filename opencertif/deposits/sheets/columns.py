"""The columns of a spreadsheet of passages: the official template's data IDs (1.1…9.3),
labels and aliases, the code name each one fills, how its cells are read, and the XML
element each one becomes (to place the schema's errors at their column)."""

from dataclasses import dataclass

from opencertif.core.text import fold
from opencertif.deposits.format import names as n
from opencertif.deposits.format import vocabulary


@dataclass(frozen=True)
class Column:
    """One column of the template: data ID, label, code name, and how to read it."""

    id: str
    label: str
    key: str
    kind: str = "text"  # skip, text, upper, bool, date, int, enum, postal, insee, country, nir
    required: bool = False
    nillable: bool = False
    values: tuple[str, ...] = ()
    hint: str = ""
    aliases: tuple[str, ...] = ()


BOOLEAN = ("OUI", "NON")


def _values(choices) -> tuple[str, ...]:
    """The stored values of one of the format's enumerations (format/vocabulary.py)."""
    return tuple(value for value, _label in choices)


COLUMNS: tuple[Column, ...] = (
    Column("1.1", "Id Flux", "id_flux", "skip", hint="Automatique : ne rien inscrire."),
    Column("1.2", "Horodatage", "timestamp", "skip", hint="Automatique : ne rien inscrire."),
    Column(
        "2.1",
        "Id Client",
        "emitter",
        "upper",
        hint="idClient de l'émetteur (8 caractères). Vide : celui de votre organisme.",
    ),
    Column(
        "3.1",
        "Id Client 2",
        "certifier",
        "upper",
        hint="idClient du certificateur (8 caractères). Vide : celui de votre organisme.",
    ),
    Column(
        "3.2",
        "Id Contrat",
        "contract",
        "upper",
        hint="idContrat du certificateur. Vide : celui du certificateur.",
    ),
    Column("4.1", "Type", "type", "enum", True, values=("RNCP", "RS"), hint="RNCP ou RS."),
    Column("4.2", "Code", "code", "upper", True, hint="Numéro de la fiche, ex. RNCP34762."),
    Column(
        "4.3",
        "Nature Deposant",
        "nature",
        "enum",
        values=_values(vocabulary.NATURES),
        hint="Vide : CERTIFICATEUR si vous êtes le certificateur, sinon TIERS_CONFIANCE.",
    ),
    Column(
        "5.1",
        "Id Technique",
        "id_technique",
        "text",
        True,
        hint="Votre identifiant du passage, unique (1 à 255 caractères).",
    ),
    Column("5.2", "Url Preuve", "proof_url", hint="Lien durable vers la preuve numérique."),
    Column("5.3", "Libelle Option", "option_label", hint="Option, mention ou spécialité."),
    Column(
        "5.4",
        "Obtention Certification",
        "obtained_by",
        "enum",
        True,
        values=_values(vocabulary.OBTAINED_BY),
    ),
    Column("5.5", "Donnee Certifiee", "certified_data", "bool", True, values=BOOLEAN),
    Column("5.6", "Date Debut Examen", "exam_start", "date", hint="JJ/MM/AAAA."),
    Column("5.7", "Date Fin Examen", "exam_end", "date", hint="JJ/MM/AAAA."),
    Column(
        "5.8",
        "Modalite Passage Examen",
        "exam_mode",
        "enum",
        values=_values(vocabulary.EXAM_MODES),
    ),
    Column("5.9", "Code Postal Centre Examen", "exam_centre_postal_code", "postal"),
    Column("5.10", "Date Debut Validite", "valid_from", "date", True, True, hint="JJ/MM/AAAA."),
    Column(
        "5.11",
        "Date Fin Validite",
        "valid_until",
        "date",
        nillable=True,
        hint="JJ/MM/AAAA, ou NILL si la certification n'expire pas.",
    ),
    Column(
        "5.12", "Presence Niveau Langue Euro", "has_language_level", "bool", True, values=BOOLEAN
    ),
    Column(
        "5.13",
        "Niveau Langue Europeen",
        "language_level",
        "enum",
        values=_values(vocabulary.LANGUAGE_LEVELS),
        hint="Si la présence du niveau de langue est OUI.",
    ),
    Column(
        "5.14",
        "Presence Niveau Numerique Euro",
        "has_digital_level",
        "bool",
        True,
        values=BOOLEAN,
    ),
    Column("5.15", "Scoring", "score", nillable=True, hint="Score atteint, ou NILL."),
    Column(
        "5.16",
        "Mention Validee",
        "honours",
        "enum",
        nillable=True,
        values=_values(vocabulary.HONOURS),
        hint="Ou NILL.",
    ),
    Column("5.17", "Verbatim", "verbatim", hint="Information complémentaire."),
    Column("6.1", "Score General", "overall_score", "int", hint="DigComp : 1 à 1000."),
    Column("6.2", "Niveau", "level", "int", hint="DigComp : 1 à 8."),
    Column("6.3", "Domaine Competence Id", "domain", hint="DigComp : 1 à 5."),
    Column("6.4", "Competence Id", "competence", hint="DigComp : 1 à 6."),
    Column(
        "7.1",
        "Modalite Acces",
        "access_mode",
        "enum",
        nillable=True,
        values=_values(vocabulary.ACCESS_MODES),
        hint="Ou NILL.",
    ),
    Column(
        "7.2",
        "Voie Access Vae",
        "vae_route",
        "enum",
        values=_values(vocabulary.VAE_ROUTES),
        hint="Si la modalité d'accès est VAE.",
    ),
    Column(
        "7.3",
        "Initiative Inscription",
        "initiative",
        "enum",
        values=_values(vocabulary.INITIATIVES),
    ),
    Column("7.4", "Date Inscription", "enrolment_date", "date", hint="JJ/MM/AAAA."),
    Column("8.1", "Nom Naissance", "birth_name", required=True),
    Column("8.2", "Nom Usage", "usage_name", nillable=True, hint="Vide ou NILL : aucun."),
    Column("8.3", "Prenom 1", "first_name1", required=True),
    Column("8.4", "Prenom 2", "first_name2"),
    Column("8.5", "Prenom 3", "first_name3"),
    Column("8.6", "Annee Naissance", "birth_year", "int", True, hint="1900 à 2099."),
    Column("8.7", "Mois Naissance", "birth_month", "int", nillable=True, hint="1 à 12, ou NILL."),
    Column("8.8", "Jour Naissance", "birth_day", "int", nillable=True, hint="1 à 31, ou NILL."),
    Column("8.9", "Sexe", "sex", "enum", True, values=("F", "M")),
    Column(
        "8.10",
        "Code Insee Commune Naissance",
        "birth_insee",
        "insee",
        hint="5 caractères ; né à l'étranger : 99 + code du pays.",
        aliases=("Code Insee",),
    ),
    Column(
        "8.11",
        "Code Postal Commune Naissance",
        "birth_postal_code",
        "postal",
        nillable=True,
        hint="Si le code INSEE est vide.",
        aliases=("Code Postal",),
    ),
    Column("8.12", "Libelle Commune Naissance", "birth_town"),
    Column(
        "8.13",
        "Code Pays Naissance",
        "birth_country",
        "country",
        hint="Né à l'étranger : 3 derniers chiffres du code INSEE du pays.",
    ),
    Column("8.14", "Libelle Pays Naissance", "birth_country_label"),
    Column("9.1", "Id Dossier", "dossier_id", hint="Dossier CPF : à la place du bloc 8."),
    Column("9.2", "Nom Titulaire", "dossier_name"),
    Column("9.3", "Prenom 1 Titulaire", "dossier_first_name"),
    Column(
        "NIR",
        "NIR",
        "nir",
        "nir",
        hint="13 caractères sans la clé, avec le nom de naissance (8.1) : remplace le bloc 8.",
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
COLUMN_ORDER = {column.key: position for position, column in enumerate(COLUMNS)}

ENVELOPE_KEYS = ("emitter", "certifier", "contract", "type", "code", "nature")
FIELD_KEYS = tuple(key for key in n.PASSAGE_FIELDS.values() if key != "id_technique")
ENROLMENT_KEYS = tuple(n.ENROLMENT_FIELDS.values())
RESULT_KEYS = tuple(n.DIGITAL_RESULT_FIELDS.values())
HOLDER_KEYS = (*n.HOLDER_FIELDS.values(), "birth_insee", "birth_postal_code")
DOSSIER_KEYS = tuple(n.DOSSIER_FIELDS.values())
# Values the data dictionary requires for a CREATION, checked here to point at the column.
REQUIRED_KEYS = tuple(n.REQUIRED_FOR_CREATION)
# The template's spellings that the schema refuses.
QUIRKS = {
    "TIERS_DE_CONFIANCE": "TIERS_CONFIANCE",
    "EQUIVALENCE_(DIPLOME_ETRANGER)": "EQUIVALENCE_DIPLOME_ETRANGER",
}
TRUE_WORDS = {"OUI", "TRUE", "VRAI", "1", "O", "YES"}
FALSE_WORDS = {"NON", "FALSE", "FAUX", "0", "N", "NO"}
# Captions of the template's description rows (column A of the official template).
CAPTIONS = {
    "bloc",
    "identifiant",
    "intitule",
    "type champ",
    "obligatoire",
    "consigne",
    "exemple",
    "explication",
}
START_MARKER = "commencez votre saisie"

# XML element (local name) → the column that holds it, to place the schema's errors.
TAG_COLUMNS = {
    **n.PASSAGE_FIELDS,
    **n.HOLDER_FIELDS,
    **n.ENROLMENT_FIELDS,
    **n.DOSSIER_FIELDS,
    **n.DIGITAL_RESULT_FIELDS,
    "scoreGeneral": "overall_score",
    "niveauNumeriqueEuropeen": "overall_score",
    "resultats": "level",
    "resultat": "level",
    "modalitesInscription": "access_mode",
    "nir": "nir",
    "identifiantNational": "nir",
    "codeInsee": "birth_insee",
    "codeInseeNaissance": "birth_insee",
    "codePostal": "birth_postal_code",
    "codePostalNaissance": "birth_postal_code",
    "codeCommuneNaissance": "birth_insee",
    "titulaire": "birth_name",
    "identificationTitulaire": "birth_name",
    "dossierFormation": "dossier_id",
    "passageCertification": "id_technique",
}


def header_key(text: str) -> str:
    return fold(text)


ID_INDEX = {column.id: column for column in COLUMNS}
LABEL_INDEX = {
    header_key(label): column for column in COLUMNS for label in (column.label, *column.aliases)
}
