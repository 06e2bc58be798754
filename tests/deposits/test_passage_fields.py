"""The one table of passage fields (format/fields.py) is complete and true: every field is
read, written, offered by the spreadsheet and by the form (or says why not), and the table
says what the official schema says."""

import io

import pytest
from lxml import etree

from opencertif.deposits.format import fields as f
from opencertif.deposits.format import names, reader, vocabulary, writer
from opencertif.deposits.sheets import columns
from opencertif.www.espace.passage_forms import PassageForm
from tests.conftest import REFERENCE
from tests.deposits import builders as b

OFFICIAL = REFERENCE / "cpf" / "xsd" / "cdc-deposit-schema-v1.1.5-rebuilt.xsd"
OURS = reader.SCHEMA_PATH


def sample(field: f.Field):
    """A value of the field's kind that its schema accepts."""
    if field.choices:
        return field.values[-1]
    if field.kind == f.BOOLEAN:
        return True
    if field.kind == f.DATE:
        return "2025-06-20"
    if field.kind == f.INTEGER:
        return field.max_value
    return {"nir": "1900575056123", "birth_insee": "75056", "birth_country": "134"}.get(
        field.key, "x" * (field.max_length or 5)
    )


def every_field_passage(kind: str) -> dict:
    """A passage giving every field the table has for this kind of identification."""
    passage = {"id_technique": "x" * 255, "fields": {}, "identity_kind": kind, "identity": {}}
    data = passage["fields"]
    for field in f.FIELDS:
        value = sample(field)
        if field.group == f.PASSAGE and field.key != "id_technique":
            data[field.key] = value
        elif field.group == f.DIGITAL:
            data.setdefault(f.DIGITAL, {"results": [{}]})[field.key] = value
        elif field.group == f.RESULT:
            data.setdefault(f.DIGITAL, {"results": [{}]})["results"][0][field.key] = value
        elif field.group == f.ENROLMENT:
            data.setdefault(f.ENROLMENT, {})[field.key] = value
        elif field.group == kind or (kind == f.HOLDER and field.group == f.BIRTH_PLACE):
            passage["identity"][field.key] = value
    return passage


@pytest.mark.parametrize("kind", [f.HOLDER, f.NATIONAL_ID, f.DOSSIER])
def test_every_field_of_the_table_is_written_and_read_back(kind):
    passage = every_field_passage(kind)
    if kind == f.HOLDER:
        # One birth place only: the INSEE code when there is one.
        del passage["identity"]["birth_postal_code"]
    data = b.deposit_file([passage])
    envelope, errors = reader.validate(io.BytesIO(data))
    assert errors == []
    (record,) = reader.passages(io.BytesIO(data), envelope)
    assert record.id_technique == passage["id_technique"]
    assert record.fields == passage["fields"]
    assert record.identity == passage["identity"]
    text = data.decode()
    for field in f.FIELDS:
        if field.group in (f.PASSAGE, f.DIGITAL, f.RESULT, f.ENROLMENT) or field.group == kind:
            assert f"<cpf:{field.tag}>" in text, field.key


def test_the_postal_code_of_the_birth_place_is_written_and_read_back():
    passage = every_field_passage(f.HOLDER)
    del passage["identity"]["birth_insee"]
    record, errors = reader.read_passage(
        writer.passage_document(passage), reader.CertificationHeader(0)
    )
    assert errors == []
    assert record.identity == passage["identity"]


def test_every_field_is_offered_by_the_spreadsheet_or_says_why_not():
    for field in f.FIELDS:
        if isinstance(field.sheet, f.Sheet):
            column = columns.BY_KEY[field.key]
            assert (column.id, column.label) == (
                field.sheet.id or field.dictionary_id,
                field.sheet.label,
            )
            assert column.required == field.required
            assert column.nillable == field.nillable
            assert columns.TAG_COLUMNS[field.tag] == field.key
        else:
            assert isinstance(field.sheet, f.NotOffered) and field.sheet.reason
    # Every passage column is a field of the table; the others are the envelope's.
    table_keys = {field.key for field in f.FIELDS if isinstance(field.sheet, f.Sheet)}
    assert {c.key for c in columns.COLUMNS} - table_keys == {
        "id_flux",
        "timestamp",
        *columns.ENVELOPE_KEYS,
    }


def test_every_field_is_offered_by_the_form_or_says_why_not():
    form = PassageForm()
    for field in f.FIELDS:
        if isinstance(field.form, f.Form):
            name = field.form_name + ("_1" if field.group == f.RESULT else "")
            offered = form.fields[name]
            if field.max_length and hasattr(offered, "max_length"):
                assert offered.max_length == field.max_length, field.key
            if field.choices:
                assert set(field.values) <= {value for value, _label in offered.choices}
        else:
            assert isinstance(field.form, f.NotOffered) and field.form.reason


def test_keys_tags_and_dictionary_ids_name_one_field_each():
    rows = [(field.group, field.key) for field in f.FIELDS]
    assert len(rows) == len(set(rows))
    ids = [field.dictionary_id for field in f.FIELDS if field.dictionary_id]
    # Only 8.1 twice: the birth name, the holder's or beside the NIR.
    assert [i for i in set(ids) if ids.count(i) > 1] == ["8.1"]
    assert ids.count("8.1") == 2
    # Every key means one element, wherever it sits.
    assert len({(field.key, field.tag) for field in f.FIELDS}) == len(f.BY_KEY)


def test_the_derived_views_say_what_they_said_before_the_table():
    assert names.REQUIRED_FOR_CREATION == {
        "obtained_by": "obtentionCertification",
        "certified_data": "donneeCertifiee",
        "valid_from": "dateDebutValidite",
        "has_language_level": "presenceNiveauLangueEuro",
        "has_digital_level": "presenceNiveauNumeriqueEuro",
    }
    assert {"certified_data", "has_language_level", "has_digital_level"} == names.BOOLEAN_FIELDS
    assert {
        "birth_year",
        "birth_month",
        "birth_day",
        "overall_score",
        "level",
    } == names.INTEGER_FIELDS
    assert vocabulary.DISPLAY_ORDER[:6] == (
        "obtained_by",
        "certified_data",
        "valid_from",
        "valid_until",
        "honours",
        "score",
    )
    assert len(vocabulary.DISPLAY_ORDER) == 40
    assert vocabulary.DISPLAY_ORDER[-7:] == (
        "birth_year",
        "birth_insee",
        "birth_postal_code",
        "birth_town",
        "birth_country",
        "birth_country_label",
        "men_comments",
    )


# ---------------------------------------------------------------- the schemas

# The schema's complex type of each element that holds fields (ours, the official one).
TYPES = {
    f.PASSAGE: ("Passage", "passageCertification"),
    f.DIGITAL: ("NiveauNumerique", "niveauNumeriqueEuropeen"),
    f.RESULT: ("Resultat", "resultat"),
    f.ENROLMENT: ("Inscription", "modalitesInscription"),
    f.HOLDER: ("Titulaire", "titulaire"),
    f.NATIONAL_ID: ("IdentifiantNational", "identifiantNational"),
    f.DOSSIER: ("DossierFormation", "dossierFormation"),
}
XS = "{http://www.w3.org/2001/XMLSchema}"


def _grandparent(element):
    return element.getparent().getparent().getparent()


def _schema_elements(path, type_name: str) -> list[dict]:
    """The child elements of a named complex type: name, required, nillable, limits."""
    root = etree.parse(str(path)).getroot()
    complex_type = root.find(f"{XS}complexType[@name='{type_name}']")
    found = []
    for element in complex_type.iter(f"{XS}element"):
        # Only its children: not the elements inside a child (the list of results).
        if complex_type not in (element.getparent().getparent(), _grandparent(element)):
            continue
        ref = element.get("ref")
        declared = root.find(f"{XS}element[@name='{ref.split(':')[1]}']") if ref else element
        type_ref = (declared.get("type") or "").split(":")[-1]
        simple = declared.find(f"{XS}simpleType")
        if simple is None:
            simple = root.find(f"{XS}simpleType[@name='{type_ref}']")
        facets = {}
        if simple is not None:
            for facet in simple.iter():
                if facet.get("value") is not None:
                    facets.setdefault(etree.QName(facet).localname, []).append(facet.get("value"))
        found.append(
            {
                "name": declared.get("name"),
                "required": element.get("minOccurs", "1") != "0",
                "nillable": declared.get("nillable") == "true",
                "boolean": type_ref == "boolean",
                "facets": facets,
            }
        )
    return found


def _check_against(path, type_index: int):
    for group, type_names in TYPES.items():
        elements = _schema_elements(path, type_names[type_index])
        containers = {g.tag for g in f.GROUPS} | {f.RESULTS_TAG}
        leaves = [e for e in elements if e["name"] not in containers]
        table = f.of_group(group)
        assert [e["name"] for e in leaves] == [field.tag for field in table], group
        for element, field in zip(leaves, table, strict=True):
            facets = element["facets"]
            assert element["required"] == field.schema_required, field.key
            assert element["nillable"] == field.nillable, field.key
            assert element["boolean"] == (field.kind == f.BOOLEAN), field.key
            length = (facets.get("maxLength") or facets.get("length") or [None])[0]
            if length or "pattern" not in facets:  # the NIR's length is in its pattern
                assert (int(length) if length else None) == field.max_length, field.key
            if "minInclusive" in facets:
                assert (int(facets["minInclusive"][0]), int(facets["maxInclusive"][0])) == (
                    field.min_value,
                    field.max_value,
                ), field.key
            if "enumeration" in facets:
                assert set(facets["enumeration"]) == set(field.values), field.key
        # The elements holding others sit where the writer writes them.
        order = [
            f.RESULTS_TAG if item == f.GROUP_BY_NAME[f.RESULT] else item.tag
            for item in f.layout(group)
        ]
        assert [e["name"] for e in elements] == order, group


def test_the_table_says_what_our_schema_says():
    _check_against(OURS, 0)


@pytest.mark.reference
def test_the_table_says_what_the_official_schema_says(reference_dir):
    _check_against(OFFICIAL, 1)


def test_the_upsert_names_each_column_it_writes(db):
    """The engine's upsert takes its columns and their values from one dict, by name:
    every column is a Passage column, each written once."""
    from types import SimpleNamespace

    from opencertif.deposits import assess, engine
    from opencertif.deposits.models import Passage

    record = SimpleNamespace(
        id_technique="P1",
        fields={"valid_from": "2025-06-20"},
        identity_kind="holder",
        certification=SimpleNamespace(type="RNCP", code="RNCP90001"),
    )
    outcome = SimpleNamespace(
        record=record,
        status="ok",
        ok=True,
        reason="",
        message="",
        fiche=None,
        person_id=None,
        fields_json="{}",
        identity_json="{}",
        holder_label="",
        content_hash="h",
    )
    row = engine._passage_row(SimpleNamespace(pk=7), outcome, deposit_id=3, now="now")
    columns = {field.column for field in Passage._meta.concrete_fields}
    assert set(row) <= columns
    assert row["certifier_id"] == 7 and row["last_deposit_id"] == 3
    assert row["valid_from"] == "2025-06-20"
    assert set(assess.passage_values(outcome)) < set(row)
