"""The deposit format's namespace and the tag maps the reader and the writer use, derived
from the one table of passage fields (`fields.py`), where each official French element
name is mapped to its code name.

Everything outside the format speaks the code names (docs/glossary.md).
"""

from opencertif.deposits.format import fields as f

NAMESPACE = "urn:cdc:cpf:pc5:schema:1.0.0"
NS = "{" + NAMESPACE + "}"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

# Official element → code name, per element that holds them.
PASSAGE_FIELDS = f.tags(f.PASSAGE)
DIGITAL_FIELDS = f.tags(f.DIGITAL)
DIGITAL_RESULT_FIELDS = f.tags(f.RESULT)
ENROLMENT_FIELDS = f.tags(f.ENROLMENT)
HOLDER_FIELDS = f.tags(f.HOLDER)
BIRTH_PLACE_FIELDS = f.tags(f.BIRTH_PLACE)
NATIONAL_ID_FIELDS = f.tags(f.NATIONAL_ID)
DOSSIER_FIELDS = f.tags(f.DOSSIER)

# The elements that hold others.
DIGITAL_LEVEL = f.GROUP_BY_NAME[f.DIGITAL].tag
DIGITAL_RESULT = f.GROUP_BY_NAME[f.RESULT].tag
ENROLMENT = f.GROUP_BY_NAME[f.ENROLMENT].tag
IDENTIFICATION = f.GROUP_BY_NAME[f.IDENTIFICATION].tag
HOLDER = f.GROUP_BY_NAME[f.HOLDER].tag
NATIONAL_ID = f.GROUP_BY_NAME[f.NATIONAL_ID].tag
TRAINING_DOSSIER = f.GROUP_BY_NAME[f.DOSSIER].tag
BIRTH_PLACE = f.GROUP_BY_NAME[f.BIRTH_PLACE].tag

# Values typed in the schema, converted when read.
DATE_FIELDS = {field.key for field in f.FIELDS if field.kind == f.DATE}
BOOLEAN_FIELDS = {field.key for field in f.FIELDS if field.kind == f.BOOLEAN}
INTEGER_FIELDS = {field.key for field in f.FIELDS if field.kind == f.INTEGER}
NILLABLE = {field.key for field in f.FIELDS if field.nillable}

# Required by the data dictionary for a CREATION although the 2026 schema made them
# optional; "nil" counts as given where the dictionary says "obligatoire (sauf nil)".
REQUIRED_FOR_CREATION = {
    field.key: field.tag for field in f.FIELDS if field.required and not field.schema_required
}
