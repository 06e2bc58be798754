"""The fields of a passage of certification, once: the one table the format, the
spreadsheet and the declaration form are derived from.

Each row says what the official documents say of one datum: its code name, its official
French XML element and where it sits in <passageCertification>, its data-dictionary ID
(1.1 … 9.3, as the official spreadsheet numbers its columns), its French labels, its kind
of value, its vocabulary, whether a CREATION requires it, and the limits of the schema.
Then how the spreadsheet and the form offer it, or why they do not.

The rows follow the official schema's order inside each element (the writer writes in
this order; tests/deposits/test_passage_fields.py checks it against the official XSD).
Derived from here: `names` (the reader's tag maps), the writer's element order,
`sheets.columns`, the form's fields (`www.espace.passage_forms`) and the labels of
`vocabulary`. The engine's upsert columns come from `assess.passage_values` by name.
"""

from dataclasses import dataclass

# ------------------------------------------------------------------ vocabularies
# The stored values are the official ones (they go back into XML files unchanged); the
# labels are what the certifier space shows and what the declaration form offers.

OBTAINED_BY = (
    ("PAR_ADMISSION", "Par admission (jury, dossier, notes)"),
    ("PAR_SCORING", "Par score (un seuil à atteindre)"),
)
EXAM_MODES = (
    ("EN_PRESENTIEL", "En présentiel"),
    ("A_DISTANCE", "À distance"),
    ("MIXTE", "Mixte"),
)
LANGUAGE_LEVELS = (
    ("A1", "A1"),
    ("A2", "A2"),
    ("B1", "B1"),
    ("B2", "B2"),
    ("C1", "C1"),
    ("C2", "C2"),
    ("INSUFFISANT", "Insuffisant"),
)
HONOURS = (
    ("SANS_MENTION", "Sans mention"),
    ("MENTION_ASSEZ_BIEN", "Mention assez bien"),
    ("MENTION_BIEN", "Mention bien"),
    ("MENTION_TRES_BIEN", "Mention très bien"),
    ("MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY", "Très bien, félicitations du jury"),
)
ACCESS_MODES = (
    ("FORMATION_INITIALE_HORS_APPRENTISSAGE", "Formation initiale hors apprentissage"),
    ("FORMATION_INITIALE_APPRENTISSAGE", "Formation initiale en apprentissage"),
    (
        "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
        "Formation continue hors contrat de professionnalisation",
    ),
    (
        "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
        "Formation continue en contrat de professionnalisation",
    ),
    ("VAE", "Validation des acquis de l'expérience (VAE)"),
    ("EQUIVALENCE_DIPLOME_ETRANGER", "Équivalence (diplôme étranger)"),
    ("CANDIDAT_LIBRE", "Candidat libre"),
)
VAE_ROUTES = (
    ("VAE_CLASSIQUE", "VAE classique"),
    ("CONGES_VAE", "Congé VAE (avec accompagnement dédié)"),
)
INITIATIVES = (
    ("CERTIFIE", "La personne elle-même"),
    ("OF", "L'organisme de formation"),
    ("POLE_EMPLOI", "France Travail (Pôle emploi)"),
    ("EMPLOYEUR", "L'employeur"),
    ("AUTRE", "Autre"),
)
SEXES = (("F", "Femme"), ("M", "Homme"))
DIGITAL_DOMAINS = (
    ("1", "1 – Littératie de l'information et des données"),
    ("2", "2 – Communication et collaboration"),
    ("3", "3 – Création de contenu numérique"),
    ("4", "4 – Sécurité"),
    ("5", "5 – Résolution de problèmes"),
)

# ------------------------------------------------------------------ where a field sits

# Each group is an element of <passageCertification>; its name is also the key under
# which a passage's data (reader's PassageRecord, writer's input, stored JSON) holds it.
PASSAGE = "passage"  # <passageCertification> itself
DIGITAL = "digital_level"  # <niveauNumeriqueEuropeen>
RESULT = "result"  # <niveauNumeriqueEuropeen><resultats><resultat>, repeated
ENROLMENT = "enrolment"  # <modalitesInscription>, nillable
IDENTIFICATION = "identification"  # <identificationTitulaire>: one of the three below
HOLDER = "holder"  # <titulaire>
BIRTH_PLACE = "birth_place"  # <titulaire><codeCommuneNaissance>: INSEE code or postal code
NATIONAL_ID = "national_id"  # <identifiantNational>
DOSSIER = "dossier"  # <dossierFormation>


@dataclass(frozen=True)
class Group:
    name: str
    tag: str
    parent: str
    label: str = ""
    schema_required: bool = False  # in its parent (the three identifications: one of them)


GROUPS = (
    Group(DIGITAL, "niveauNumeriqueEuropeen", PASSAGE, "Niveau numérique (DigComp)"),
    Group(RESULT, "resultat", DIGITAL),
    Group(ENROLMENT, "modalitesInscription", PASSAGE, "Modalités d'inscription"),
    Group(IDENTIFICATION, "identificationTitulaire", PASSAGE, schema_required=True),
    Group(HOLDER, "titulaire", IDENTIFICATION),
    Group(BIRTH_PLACE, "codeCommuneNaissance", HOLDER, schema_required=True),
    Group(NATIONAL_ID, "identifiantNational", IDENTIFICATION),
    Group(DOSSIER, "dossierFormation", IDENTIFICATION),
)
GROUP_BY_NAME = {group.name: group for group in GROUPS}
# Elements that only wrap others: the list of results, the two kinds of birth place.
RESULTS_TAG = "resultats"
BIRTH_INSEE_TAG = "codeInseeNaissance"
BIRTH_POSTAL_TAG = "codePostalNaissance"

# ------------------------------------------------------------------ kinds of value

TEXT = "text"
DATE = "date"
BOOLEAN = "boolean"
INTEGER = "integer"
ENUMERATION = "enumeration"


@dataclass(frozen=True)
class NotOffered:
    """A field a channel does not offer, and why (the table says it, tests read it)."""

    reason: str


@dataclass(frozen=True)
class Sheet:
    """How the spreadsheet offers a field: its column (official template's label and ID)
    and how its cells are read (`sheets.values`), when it differs from the field's kind:
    upper, postal, insee, country, nir."""

    label: str
    reading: str = ""
    hint: str = ""
    aliases: tuple[str, ...] = ()
    id: str = ""  # the template's ID when the field has no dictionary ID (the NIR)


@dataclass(frozen=True)
class Form:
    """How the declaration form offers a field. `name` when the form's field is named
    otherwise; `label` when it differs from the field's; `empty`, the label of the
    choice "nothing" of an optional list; `radio` for buttons instead of a list;
    `required` when the form asks otherwise than the table (a field shown on condition
    is checked by the form's `clean`)."""

    name: str = ""
    label: str = ""
    help: str = ""
    empty: str | None = None
    radio: bool = False
    required: bool | None = None


@dataclass(frozen=True)
class Field:
    key: str
    tag: str
    group: str
    dictionary_id: str  # "" for what the data dictionary does not number
    label: str  # the interface's label (passage page, reports, form by default)
    display: int | None  # rank on a passage's page (None: not listed there)
    sheet: Sheet | NotOffered
    form: Form | NotOffered
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()
    # Required for a CREATION: by the schema (`schema_required`) or by the data dictionary
    # although the 2026 schema made it optional (checks.py then refuses its absence).
    required: bool = False
    schema_required: bool = False
    nillable: bool = False
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)

    @property
    def form_name(self) -> str:
        return (self.form.name or self.key) if isinstance(self.form, Form) else ""


_DATE_HINT = "JJ/MM/AAAA."
_AUTOMATIC = "Calculé par le formulaire depuis le code INSEE du pays (99…)."

FIELDS: tuple[Field, ...] = (
    # ------------------------------------------------ <passageCertification>
    Field(
        "id_technique",
        "idTechnique",
        PASSAGE,
        "5.1",
        "idTechnique",
        None,
        Sheet("Id Technique", hint="Votre identifiant du passage, unique (1 à 255 caractères)."),
        Form(
            help="Votre identifiant du passage, unique pour le certificateur. Laissé vide, il "
            "est créé pour vous.",
            required=False,
        ),
        required=True,
        schema_required=True,
        max_length=255,
    ),
    Field(
        "proof_url",
        "urlPreuve",
        PASSAGE,
        "5.2",
        "Lien vers la preuve numérique",
        16,
        Sheet("Url Preuve", hint="Lien durable vers la preuve numérique."),
        Form(label="Lien vers la preuve numérique (facultatif)"),
        max_length=255,
    ),
    Field(
        "option_label",
        "libelleOption",
        PASSAGE,
        "5.3",
        "Option, mention ou spécialité",
        15,
        Sheet("Libelle Option", hint="Option, mention ou spécialité."),
        Form(label="Option, mention ou spécialité (facultatif)"),
        max_length=255,
    ),
    Field(
        "obtained_by",
        "obtentionCertification",
        PASSAGE,
        "5.4",
        "Obtention",
        1,
        Sheet("Obtention Certification"),
        Form(label="Obtention de la certification", radio=True),
        kind=ENUMERATION,
        choices=OBTAINED_BY,
        required=True,
    ),
    Field(
        "certified_data",
        "donneeCertifiee",
        PASSAGE,
        "5.5",
        "Résultat définitif (donnée certifiée)",
        2,
        Sheet("Donnee Certifiee"),
        Form(
            label="Le résultat est-il définitif ?",
            help="« Non » si des recours ou des rattrapages peuvent encore le changer.",
        ),
        kind=BOOLEAN,
        required=True,
    ),
    Field(
        "exam_start",
        "dateDebutExamen",
        PASSAGE,
        "5.6",
        "Début de l'examen",
        7,
        Sheet("Date Debut Examen", hint=_DATE_HINT),
        Form(label="Début de l'examen (facultatif)"),
        kind=DATE,
    ),
    Field(
        "exam_end",
        "dateFinExamen",
        PASSAGE,
        "5.7",
        "Fin de l'examen",
        8,
        Sheet("Date Fin Examen", hint=_DATE_HINT),
        Form(label="Fin de l'examen (facultatif)"),
        kind=DATE,
    ),
    Field(
        "exam_mode",
        "modalitePassageExamen",
        PASSAGE,
        "5.8",
        "Modalité de l'examen",
        9,
        Sheet("Modalite Passage Examen"),
        Form(label="Modalité de l'examen (facultatif)", empty="Non précisée"),
        kind=ENUMERATION,
        choices=EXAM_MODES,
    ),
    Field(
        "exam_centre_postal_code",
        "codePostalCentreExamen",
        PASSAGE,
        "5.9",
        "Code postal du centre d'examen",
        10,
        Sheet("Code Postal Centre Examen", reading="postal"),
        Form(label="Code postal du centre d'examen (facultatif)"),
        max_length=9,
    ),
    Field(
        "valid_from",
        "dateDebutValidite",
        PASSAGE,
        "5.10",
        "Début de validité",
        3,
        Sheet("Date Debut Validite", hint=_DATE_HINT),
        Form(help="La date du parchemin. Format JJ/MM/AAAA."),
        kind=DATE,
        required=True,
        nillable=True,
    ),
    Field(
        "valid_until",
        "dateFinValidite",
        PASSAGE,
        "5.11",
        "Fin de validité",
        4,
        Sheet("Date Fin Validite", hint="JJ/MM/AAAA, ou NILL si la certification n'expire pas."),
        Form(
            label="Fin de validité (facultatif)",
            help="Laissez vide si la certification n'expire pas. Format JJ/MM/AAAA.",
        ),
        kind=DATE,
        nillable=True,
    ),
    Field(
        "has_language_level",
        "presenceNiveauLangueEuro",
        PASSAGE,
        "5.12",
        "Niveau de langue européen",
        11,
        Sheet("Presence Niveau Langue Euro"),
        Form(label="Un niveau de langue européen (CECRL) est-il attesté ?"),
        kind=BOOLEAN,
        required=True,
    ),
    Field(
        "language_level",
        "niveauLangueEuropeen",
        PASSAGE,
        "5.13",
        "Niveau de langue (CECRL)",
        12,
        Sheet("Niveau Langue Europeen", hint="Si la présence du niveau de langue est OUI."),
        Form(label="Niveau de langue", help="Si un niveau de langue est attesté.", empty="Choisir"),
        kind=ENUMERATION,
        choices=LANGUAGE_LEVELS,
    ),
    Field(
        "has_digital_level",
        "presenceNiveauNumeriqueEuro",
        PASSAGE,
        "5.14",
        "Niveau numérique européen",
        13,
        Sheet("Presence Niveau Numerique Euro"),
        Form(label="Un niveau numérique européen (DigComp) est-il attesté ?"),
        kind=BOOLEAN,
        required=True,
    ),
    # ------------------------------------------------ <niveauNumeriqueEuropeen>
    Field(
        "overall_score",
        "scoreGeneral",
        DIGITAL,
        "6.1",
        "Score général DigComp",
        14,
        Sheet("Score General", hint="DigComp : 1 à 1000."),
        Form(
            label="Score général DigComp (facultatif)",
            help="Entre 1 et 1 000, si un niveau numérique est attesté.",
        ),
        kind=INTEGER,
        min_value=1,
        max_value=1000,
    ),
    # <resultats><resultat>: the form offers DIGITAL_ROWS of them (digital_level_1…).
    Field(
        "level",
        "niveau",
        RESULT,
        "6.2",
        "Niveau",
        None,
        Sheet("Niveau", hint="DigComp : 1 à 8."),
        Form(name="digital_level", label="niveau"),
        kind=INTEGER,
        min_value=1,
        max_value=8,
    ),
    # A free character in the schema, a number from 1 to 5 in the data dictionary: the
    # spreadsheet reads it as text, the form lists the five domains.
    Field(
        "domain",
        "domaineCompetenceId",
        RESULT,
        "6.3",
        "Domaine",
        None,
        Sheet("Domaine Competence Id", hint="DigComp : 1 à 5."),
        Form(name="digital_domain", label="domaine", empty="Choisir"),
        choices=DIGITAL_DOMAINS,
        max_length=1,
    ),
    Field(
        "competence",
        "competenceId",
        RESULT,
        "6.4",
        "Compétence",
        None,
        Sheet("Competence Id", hint="DigComp : 1 à 6."),
        Form(name="digital_competence", label="numéro", help="Un chiffre."),
        max_length=1,
    ),
    # ------------------------------------------------ <passageCertification> again
    Field(
        "score",
        "scoring",
        PASSAGE,
        "5.15",
        "Score",
        6,
        Sheet("Scoring", hint="Score atteint, ou NILL."),
        Form(label="Score obtenu (facultatif)"),
        nillable=True,
        max_length=255,
    ),
    Field(
        "honours",
        "mentionValidee",
        PASSAGE,
        "5.16",
        "Mention",
        5,
        Sheet("Mention Validee", hint="Ou NILL."),
        Form(empty="Non renseignée"),
        kind=ENUMERATION,
        choices=HONOURS,
        nillable=True,
    ),
    # ------------------------------------------------ <modalitesInscription>
    Field(
        "access_mode",
        "modaliteAcces",
        ENROLMENT,
        "7.1",
        "Modalité d'accès",
        18,
        Sheet("Modalite Acces", hint="Ou NILL."),
        Form(label="Modalité d'accès à la certification", empty="Non renseignée"),
        kind=ENUMERATION,
        choices=ACCESS_MODES,
        schema_required=True,
        nillable=True,
    ),
    Field(
        "vae_route",
        "voieAccessVAE",
        ENROLMENT,
        "7.2",
        "Voie d'accès VAE",
        19,
        Sheet("Voie Access Vae", hint="Si la modalité d'accès est VAE."),
        Form(help="Obligatoire quand l'accès est la VAE.", empty="Choisir"),
        kind=ENUMERATION,
        choices=VAE_ROUTES,
    ),
    Field(
        "initiative",
        "initiativeInscription",
        ENROLMENT,
        "7.3",
        "Initiative de l'inscription",
        20,
        Sheet("Initiative Inscription"),
        Form(label="Initiative de l'inscription (facultatif)", empty="Non précisée"),
        kind=ENUMERATION,
        choices=INITIATIVES,
    ),
    Field(
        "enrolment_date",
        "dateInscription",
        ENROLMENT,
        "7.4",
        "Date d'inscription",
        21,
        Sheet("Date Inscription", hint=_DATE_HINT),
        Form(label="Date d'inscription (facultatif)"),
        kind=DATE,
    ),
    # ------------------------------------------------ <titulaire>
    Field(
        "birth_name",
        "nomNaissance",
        HOLDER,
        "8.1",
        "Nom de naissance",
        26,
        Sheet("Nom Naissance"),
        Form(),
        required=True,
        schema_required=True,
        max_length=60,
    ),
    Field(
        "usage_name",
        "nomUsage",
        HOLDER,
        "8.2",
        "Nom d'usage",
        27,
        Sheet("Nom Usage", hint="Vide ou NILL : aucun."),
        Form(label="Nom d'usage (facultatif)"),
        schema_required=True,
        nillable=True,
        max_length=60,
    ),
    Field(
        "first_name1",
        "prenom1",
        HOLDER,
        "8.3",
        "Prénom",
        28,
        Sheet("Prenom 1"),
        Form(),
        required=True,
        schema_required=True,
        max_length=60,
    ),
    Field(
        "first_name2",
        "prenom2",
        HOLDER,
        "8.4",
        "Deuxième prénom",
        29,
        Sheet("Prenom 2"),
        Form(label="Deuxième prénom (facultatif)"),
        max_length=60,
    ),
    Field(
        "first_name3",
        "prenom3",
        HOLDER,
        "8.5",
        "Troisième prénom",
        30,
        Sheet("Prenom 3"),
        Form(label="Troisième prénom (facultatif)"),
        max_length=60,
    ),
    Field(
        "birth_year",
        "anneeNaissance",
        HOLDER,
        "8.6",
        "Année de naissance",
        34,
        Sheet("Annee Naissance", hint="1900 à 2099."),
        Form(),
        kind=INTEGER,
        required=True,
        schema_required=True,
        min_value=1900,
        max_value=2099,
    ),
    Field(
        "birth_month",
        "moisNaissance",
        HOLDER,
        "8.7",
        "Mois de naissance",
        33,
        Sheet("Mois Naissance", hint="1 à 12, ou NILL."),
        Form(label="Mois de naissance (facultatif)"),
        kind=INTEGER,
        schema_required=True,
        nillable=True,
        min_value=1,
        max_value=12,
    ),
    Field(
        "birth_day",
        "jourNaissance",
        HOLDER,
        "8.8",
        "Jour de naissance",
        32,
        Sheet("Jour Naissance", hint="1 à 31, ou NILL."),
        Form(label="Jour de naissance (facultatif)"),
        kind=INTEGER,
        schema_required=True,
        nillable=True,
        min_value=1,
        max_value=31,
    ),
    Field(
        "sex",
        "sexe",
        HOLDER,
        "8.9",
        "Sexe",
        31,
        Sheet("Sexe"),
        Form(radio=True),
        kind=ENUMERATION,
        choices=SEXES,
        required=True,
        schema_required=True,
    ),
    # <codeCommuneNaissance>: <codeInseeNaissance><codeInsee> or <codePostalNaissance>
    # <codePostal>; a holder born abroad has the INSEE code of the country (99…).
    Field(
        "birth_insee",
        "codeInsee",
        BIRTH_PLACE,
        "8.10",
        "Code INSEE du lieu de naissance",
        35,
        Sheet(
            "Code Insee Commune Naissance",
            reading="insee",
            hint="5 caractères ; né à l'étranger : 99 + code du pays.",
            aliases=("Code Insee",),
        ),
        Form(label="Code INSEE de la commune de naissance", help="5 caractères."),
        schema_required=True,
        max_length=5,
    ),
    Field(
        "birth_postal_code",
        "codePostal",
        BIRTH_PLACE,
        "8.11",
        "Code postal du lieu de naissance",
        36,
        Sheet(
            "Code Postal Commune Naissance",
            reading="postal",
            hint="Si le code INSEE est vide.",
            aliases=("Code Postal",),
        ),
        Form(label="Code postal de la commune de naissance"),
        schema_required=True,
        nillable=True,
        max_length=9,
    ),
    Field(
        "birth_town",
        "libelleCommuneNaissance",
        HOLDER,
        "8.12",
        "Commune de naissance",
        37,
        Sheet("Libelle Commune Naissance"),
        Form(label="Commune de naissance (facultatif)"),
        max_length=60,
    ),
    Field(
        "birth_country",
        "codePaysNaissance",
        HOLDER,
        "8.13",
        "Code du pays de naissance",
        38,
        Sheet(
            "Code Pays Naissance",
            reading="country",
            hint="Né à l'étranger : 3 derniers chiffres du code INSEE du pays.",
        ),
        NotOffered(
            "Le formulaire demande le code INSEE du pays (99…, champ « birth_country_code ») "
            "et en tire ce code à 3 chiffres."
        ),
        max_length=3,
    ),
    Field(
        "birth_country_label",
        "libellePaysNaissance",
        HOLDER,
        "8.14",
        "Pays de naissance",
        39,
        Sheet("Libelle Pays Naissance"),
        Form(label="Pays de naissance (facultatif)"),
        max_length=60,
    ),
    Field(
        "men_comments",
        "commentairesMEN",
        HOLDER,
        "",
        "Commentaires (Éducation nationale)",
        40,
        NotOffered(
            "Absent du dictionnaire des données et du modèle officiel : réservé aux fichiers "
            "de l'Éducation nationale."
        ),
        NotOffered(
            "Réservé aux fichiers de l'Éducation nationale ; un certificateur ne le saisit pas."
        ),
        max_length=250,
    ),
    # ------------------------------------------------ <identifiantNational>
    Field(
        "nir",
        "nir",
        NATIONAL_ID,
        "",
        "NIR",
        22,
        Sheet(
            "NIR",
            reading="nir",
            hint="13 caractères sans la clé, avec le nom de naissance (8.1) : remplace le bloc 8.",
            id="NIR",
        ),
        Form(
            label="NIR (sans la clé)",
            help="13 caractères : sexe, année, mois, département (2A/2B), commune, rang.",
        ),
        schema_required=True,
        max_length=13,
    ),
    # The same element as the holder's birth name, beside the NIR.
    Field(
        "birth_name",
        "nomNaissance",
        NATIONAL_ID,
        "8.1",
        "Nom de naissance",
        26,
        NotOffered("La colonne 8.1 (Nom Naissance) du titulaire le donne, à côté du NIR."),
        Form(name="nir_birth_name"),
        schema_required=True,
        max_length=60,
    ),
    # ------------------------------------------------ <dossierFormation>
    Field(
        "dossier_id",
        "idDossier",
        DOSSIER,
        "9.1",
        "Dossier de formation",
        23,
        Sheet("Id Dossier", hint="Dossier CPF : à la place du bloc 8."),
        Form(label="Identifiant du dossier de formation CPF"),
        schema_required=True,
        max_length=13,
    ),
    Field(
        "dossier_name",
        "nomTitulaire",
        DOSSIER,
        "9.2",
        "Nom (dossier de formation)",
        24,
        Sheet("Nom Titulaire"),
        Form(label="Nom du titulaire dans le dossier"),
        schema_required=True,
        max_length=30,
    ),
    Field(
        "dossier_first_name",
        "prenom1Titulaire",
        DOSSIER,
        "9.3",
        "Prénom (dossier de formation)",
        25,
        Sheet("Prenom 1 Titulaire"),
        Form(label="Prénom du titulaire dans le dossier"),
        schema_required=True,
        max_length=20,
    ),
    # ------------------------------------------------ <passageCertification>, last
    Field(
        "verbatim",
        "verbatim",
        PASSAGE,
        "5.17",
        "Information complémentaire",
        17,
        Sheet("Verbatim", hint="Information complémentaire."),
        Form(label="Information complémentaire (facultatif)"),
        max_length=255,
    ),
)

# The first row of a key is its meaning everywhere (birth_name: the holder's).
BY_KEY: dict[str, Field] = {}
for _field in FIELDS:
    BY_KEY.setdefault(_field.key, _field)


def of_group(group: str) -> tuple[Field, ...]:
    """The fields directly inside one element, in the schema's order."""
    return tuple(field for field in FIELDS if field.group == group)


def tags(group: str) -> dict[str, str]:
    """Official element → code name, for the fields directly inside one element."""
    return {field.tag: field.key for field in of_group(group)}


def within(field: Field, group: str) -> bool:
    """Whether a field sits in an element, directly or deeper."""
    name = field.group
    while name != group and name in GROUP_BY_NAME:
        name = GROUP_BY_NAME[name].parent
    return name == group


def first_of(group: str) -> Field:
    """The first field an element holds, directly or deeper."""
    return next(field for field in FIELDS if within(field, group))


def layout(parent: str) -> tuple[Field | Group, ...]:
    """The children of an element in the schema's order: its fields, and each element
    it contains at the place of that element's first field."""
    children: list[Field | Group] = []
    for field in FIELDS:
        child: Field | Group | None = field if field.group == parent else None
        name = field.group
        while child is None and name in GROUP_BY_NAME:
            group = GROUP_BY_NAME[name]
            if group.parent == parent:
                child = group
            name = group.parent
        if child is not None and child not in children:
            children.append(child)
    return tuple(children)


def sheet_order(field: Field) -> tuple[int, ...]:
    """The spreadsheet's column order: by dictionary ID (5.2 before 5.10), then the
    columns the dictionary does not number (the NIR)."""
    if not field.dictionary_id:
        return (99,)
    return tuple(int(part) for part in field.dictionary_id.split("."))


LABELS = {key: field.label for key, field in BY_KEY.items()} | {
    group.name: group.label for group in GROUPS if group.label
}
DISPLAY_ORDER = tuple(
    field.key
    for field in sorted(BY_KEY.values(), key=lambda field: field.display or 0)
    if field.display is not None
)
CHOICES = {field.key: field.choices for field in FIELDS if field.kind == ENUMERATION}
