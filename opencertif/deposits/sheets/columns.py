"""The columns of a spreadsheet of passages: the official template's data IDs (1.1…9.3),
labels and aliases, the code name each one fills, how its cells are read, and the XML
element each one becomes (to place the schema's errors at their column).

The envelope's columns (blocks 1 to 4) are described here; the passages' come from the
table of passage fields (`format/fields.py`)."""

from dataclasses import dataclass

from opencertif.core.text import fold
from opencertif.deposits.format import fields, vocabulary
from opencertif.deposits.format import names as n


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


# How a cell of each kind of field is read (`values.convert_cell`), unless the table says.
_READING = {
    fields.TEXT: "text",
    fields.DATE: "date",
    fields.BOOLEAN: "bool",
    fields.INTEGER: "int",
    fields.ENUMERATION: "enum",
}
# The passage fields the template offers, in its order (format/fields.py).
_OFFERED = sorted(
    (field for field in fields.FIELDS if isinstance(field.sheet, fields.Sheet)),
    key=fields.sheet_order,
)


def _column(field: fields.Field) -> Column:
    sheet = field.sheet
    kind = sheet.reading or _READING[field.kind]
    values = BOOLEAN if field.kind == fields.BOOLEAN else ()
    if field.kind == fields.ENUMERATION:
        values = field.values
    return Column(
        sheet.id or field.dictionary_id,
        sheet.label,
        field.key,
        kind,
        field.required,
        field.nillable,
        values=values,
        hint=sheet.hint,
        aliases=sheet.aliases,
    )


# The envelope's columns (blocks 1 to 4), then the passage fields' (blocks 5 to 9, NIR).
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
    *(_column(field) for field in _OFFERED),
)
BY_KEY = {column.key: column for column in COLUMNS}
COLUMN_ORDER = {column.key: position for position, column in enumerate(COLUMNS)}

ENVELOPE_KEYS = ("emitter", "certifier", "contract", "type", "code", "nature")
FIELD_KEYS = tuple(key for key in n.PASSAGE_FIELDS.values() if key != "id_technique")
ENROLMENT_KEYS = tuple(n.ENROLMENT_FIELDS.values())
RESULT_KEYS = tuple(n.DIGITAL_RESULT_FIELDS.values())
HOLDER_KEYS = (*n.HOLDER_FIELDS.values(), *n.BIRTH_PLACE_FIELDS.values())
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

# XML element (local name) → the column that holds it, to place the schema's errors: a
# field's element at its column, an element holding others at the column of its first.
TAG_COLUMNS = {
    **{field.tag: field.key for field in fields.FIELDS},
    **{group.tag: fields.first_of(group.name).key for group in fields.GROUPS},
    fields.RESULTS_TAG: fields.first_of(fields.RESULT).key,
    **dict(
        zip(
            (fields.BIRTH_INSEE_TAG, fields.BIRTH_POSTAL_TAG),
            (field.key for field in fields.of_group(fields.BIRTH_PLACE)),
            strict=True,
        )
    ),
    "passageCertification": fields.first_of(fields.PASSAGE).key,
}


def header_key(text: str) -> str:
    return fold(text)


ID_INDEX = {column.id: column for column in COLUMNS}
LABEL_INDEX = {
    header_key(label): column for column in COLUMNS for label in (column.label, *column.aliases)
}
