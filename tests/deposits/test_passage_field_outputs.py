"""What the passage field table feeds stays byte for byte what it was.

The outputs were captured (tests/deposits/snapshots/) before the passage fields were
gathered in one table (`format/fields.py`): the XML the writer makes of varied passages,
what the reader reads back, the spreadsheet template (XLSX parts and CSV header), the
declaration form's rendered fields, its `to_data` and `initial_from`. A change here is a
change of format or of page: update the snapshot on purpose, never to make a test pass.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

from opencertif.deposits.format import reader
from opencertif.deposits.sheets import template as sheet_template
from opencertif.www.espace.passage_forms import PassageForm
from tests.deposits import builders as b

SNAPSHOTS = Path(__file__).with_name("snapshots")


def snapshot(name: str) -> str:
    return (SNAPSHOTS / name).read_text(encoding="utf-8")


def varied_passages() -> list[dict]:
    """Every element the writer knows, given, nil, empty or absent."""
    full = b.passage(
        "P-full <&>",
        identity=b.holder(
            usage_name="Dupont",
            first_name2="Julien",
            first_name3="Marie",
            insee="99134",
            birth_town="Madrid",
            birth_country="134",
            birth_country_label="Espagne",
        ),
        proof_url="https://preuve.example/1?a=1&b=2",
        option_label="Option « A »",
        exam_mode="MIXTE",
        exam_centre_postal_code="75009",
        valid_until="2030-06-30",
        has_language_level=True,
        language_level="B2",
        has_digital_level=True,
        digital_level={
            "overall_score": 512,
            "results": [
                {"level": 3, "domain": "1", "competence": "2"},
                {"level": 5, "domain": None, "competence": "4"},
            ],
        },
        score="955",
        honours=None,
        verbatim="TOSA",
        enrolment={
            "access_mode": "VAE",
            "vae_route": "CONGES_VAE",
            "initiative": "EMPLOYEUR",
            "enrolment_date": "2024-09-01",
        },
    )
    postal = b.passage(
        "P-postal",
        identity={
            **{k: v for k, v in b.holder().items() if k != "birth_insee"},
            "birth_postal_code": "13001",
            "birth_town": "",
            "first_name2": "",
        },
        certified_data=False,
        valid_from=None,
        enrolment=None,
    )
    postal_nil = b.passage(
        "P-postal-nil",
        identity={**b.holder(month=None, day=None), "birth_insee": "", "birth_postal_code": None},
        enrolment={"access_mode": None},
        digital_level={"overall_score": 12},
        has_digital_level=True,
    )
    national = b.passage(
        "P-nir",
        kind="national_id",
        identity={"nir": "1900575056123", "birth_name": "Martin"},
        digital_level={"results": []},
        has_digital_level=True,
    )
    dossier = b.passage(
        "P-dossier",
        kind="dossier",
        identity={
            "dossier_id": "1234567890123",
            "dossier_name": "Durand",
            "dossier_first_name": "Léa",
        },
        digital_level={"results": None},
    )
    minimal = {
        "id_technique": "P-minimal",
        "fields": {"obtained_by": "PAR_SCORING"},
        "identity_kind": "holder",
        "identity": b.holder(),
    }
    return [full, postal, postal_nil, national, dossier, minimal]


def written() -> str:
    return b.deposit_file(varied_passages(), action="CREATION").decode()


def read_back() -> str:
    data = written().encode()
    envelope, errors = reader.validate(io.BytesIO(data))
    records = [
        {
            "line": record.line,
            "id_technique": record.id_technique,
            "fields": record.fields,
            "identity_kind": record.identity_kind,
            "identity": record.identity,
        }
        for record in reader.passages(io.BytesIO(data), envelope)
    ]
    return json.dumps(
        {"errors": [vars(e) for e in errors], "records": records},
        ensure_ascii=False,
        indent=1,
        sort_keys=False,
    )


def template_parts() -> str:
    """Every part of the XLSX template but its creation date, by digest."""
    archive = zipfile.ZipFile(io.BytesIO(sheet_template.template_xlsx()))
    return "".join(
        f"{name} {hashlib.sha256(archive.read(name)).hexdigest()}\n"
        for name in sorted(archive.namelist())
        if name != "docProps/core.xml"
    )


def template_cells() -> str:
    """The template's cells, widths, formats and lists, readable (to see what moved)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(sheet_template.template_xlsx()))
    lines = []
    for sheet in workbook.worksheets:
        lines.append(f"# {sheet.title} freeze={sheet.freeze_panes}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    lines.append(f"{cell.coordinate}\t{cell.value!r}")
        for letter, dimension in sorted(sheet.column_dimensions.items()):
            lines.append(f"col {letter} width={dimension.width} format={dimension.number_format}")
        for validation in sheet.data_validations.dataValidation:
            lines.append(
                f"list {validation.sqref} {validation.formula1} | {validation.errorTitle} | "
                f"{validation.error} | {validation.promptTitle} | {validation.prompt}"
            )
    return "\n".join(lines) + "\n"


ROUTES = (
    SimpleNamespace(key="c:1", label="Université de démonstration"),
    SimpleNamespace(key="c:2", label="Autre certificateur"),
)
FICHES = (("RNCP90001", "Licence de démonstration"), ("RS9001", "Habilitation"))


def stored_passage(kind: str = "holder", identity: dict | None = None) -> SimpleNamespace:
    full = varied_passages()[0]
    return SimpleNamespace(
        certification=SimpleNamespace(number="RNCP90001"),
        certification_code="RNCP90001",
        id_technique="P-full",
        identity_kind=kind,
        identity=identity if identity is not None else full["identity"],
        fields=full["fields"],
        content_hash="abc123",
    )


def rendered_forms() -> str:
    """Each field rendered alone, by name: the page places every field by name
    (espace/passages/form.html), so the order of the form's fields is not what shows."""
    declare = PassageForm(routes=ROUTES, fiches=FICHES)
    modify = PassageForm(
        fiches=FICHES,
        passage=stored_passage("national_id", {"nir": "1900575056123", "birth_name": "Martin"}),
        initial=PassageForm.initial_from(stored_passage()),
    )
    parts = ["# show_if", json.dumps(declare.show_if, indent=1, sort_keys=True)]
    for name, form in (("declare", declare), ("modify", modify)):
        parts.append(f"# fields of {name}")
        for field_name in sorted(form.fields):
            field = form.fields[field_name]
            parts.append(
                f"## {field_name} {type(field).__name__} {type(field.widget).__name__} "
                f"required={field.required} label={field.label!r} help={field.help_text!r} "
                f"choices={getattr(field, 'choices', None)!r} "
                f"max_length={getattr(field, 'max_length', None)} "
                f"min={getattr(field, 'min_value', None)} max={getattr(field, 'max_value', None)} "
                f"initial={field.initial!r} disabled={field.disabled}"
            )
            parts.append(form[field_name].as_field_group())
    return "\n".join(parts) + "\n"


# What every case below the holder's gives alike.
ADMITTED = {
    "route": "c:1",
    "certification": "RNCP90001",
    "obtained_by": "PAR_ADMISSION",
    "certified_data": "oui",
    "valid_from": "2025-06-20",
    "has_language_level": "non",
    "has_digital_level": "non",
}
FORM_CASES = {
    "holder-insee": {
        "route": "c:1",
        "certification": "RNCP90001",
        "id_technique": "F1",
        "obtained_by": "PAR_ADMISSION",
        "certified_data": "oui",
        "exam_start": "02/06/2025",
        "exam_end": "2025-06-03",
        "exam_mode": "EN_PRESENTIEL",
        "exam_centre_postal_code": " 75009 ",
        "valid_from": "20/06/2025",
        "valid_until": "",
        "has_language_level": "oui",
        "language_level": "C1",
        "has_digital_level": "oui",
        "overall_score": "640",
        "digital_level_1": "4",
        "digital_domain_1": "2",
        "digital_competence_1": "3",
        "digital_level_2": "",
        "score": "17/20",
        "honours": "MENTION_BIEN",
        "option_label": "Option B",
        "proof_url": "https://preuve.example/2",
        "verbatim": "",
        "access_mode": "VAE",
        "vae_route": "VAE_CLASSIQUE",
        "initiative": "CERTIFIE",
        "enrolment_date": "01/09/2024",
        "identity_kind": "holder",
        "birth_name": " Martin ",
        "usage_name": "",
        "first_name1": "Camille",
        "first_name2": "Anne",
        "sex": "F",
        "birth_year": "1990",
        "birth_month": "5",
        "birth_day": "",
        "birth_place_kind": "insee",
        "birth_insee": "2a004",
        "birth_town": "Ajaccio",
    },
    "holder-abroad-no-enrolment": {
        "route": "c:1",
        "certification": "RS9001",
        "obtained_by": "PAR_SCORING",
        "certified_data": "non",
        "valid_from": "2025-01-31",
        "valid_until": "2027-01-31",
        "has_language_level": "non",
        "language_level": "C1",
        "has_digital_level": "non",
        "access_mode": "",
        "vae_route": "CONGES_VAE",
        "identity_kind": "holder",
        "birth_name": "Garcia",
        "first_name1": "Luis",
        "sex": "M",
        "birth_year": "1985",
        "birth_place_kind": "abroad",
        "birth_country_code": "99134",
        "birth_country_label": "Espagne",
    },
    "holder-postal-access-only": {
        "route": "c:1",
        "certification": "RS9001",
        "obtained_by": "PAR_SCORING",
        "certified_data": "oui",
        "valid_from": "2025-01-31",
        "has_language_level": "non",
        "has_digital_level": "oui",
        "access_mode": "CANDIDAT_LIBRE",
        "identity_kind": "holder",
        "birth_name": "Petit",
        "first_name1": "Jo",
        "sex": "M",
        "birth_year": "1970",
        "birth_place_kind": "postal",
        "birth_postal_code": "13001",
    },
    "national-id": {
        **ADMITTED,
        "identity_kind": "national_id",
        "nir": "1 90 05 75 056 123",
        "nir_birth_name": "Martin",
    },
    "national-id-typed-whole": {
        **ADMITTED,
        "identity_kind": "national_id",
        "nir": "190057505612",
        "nir_birth_name": "Martin",
    },
    "national-id-valid": {
        **ADMITTED,
        "identity_kind": "national_id",
        "nir": "2900575056123",
        "nir_birth_name": "Martin",
    },
    "dossier": {
        **ADMITTED,
        "identity_kind": "dossier",
        "dossier_id": "1234567890123",
        "dossier_name": "Durand",
        "dossier_first_name": "Léa",
    },
    "invalid": {
        "route": "c:1",
        "certification": "",
        "obtained_by": "PAR_NIMPORTE",
        "certified_data": "",
        "exam_start": "2025-06-05",
        "exam_end": "2025-06-01",
        "valid_from": "31/02/2025",
        "has_language_level": "oui",
        "has_digital_level": "oui",
        "overall_score": "1001",
        "digital_competence_1": "12",
        "access_mode": "VAE",
        "identity_kind": "holder",
        "birth_year": "1899",
        "birth_month": "13",
        "birth_place_kind": "insee",
        "birth_insee": "99134",
        "first_name2": "x" * 61,
        "exam_centre_postal_code": "1234567890",
    },
}


def form_results() -> str:
    results = {}
    for name, data in FORM_CASES.items():
        form = PassageForm(data, routes=ROUTES, fiches=FICHES)
        if form.is_valid():
            results[name] = {"valid": True, "data": form.to_data("ID-1")}
        else:
            errors = form.errors.get_json_data()
            results[name] = {"valid": False, "errors": {key: errors[key] for key in sorted(errors)}}
    results["initial_from"] = {
        kind: PassageForm.initial_from(stored_passage(kind, identity))
        for kind, identity in (
            ("holder", None),
            ("national_id", {"nir": "1900575056123", "birth_name": "Martin"}),
            ("dossier", varied_passages()[4]["identity"]),
            ("holder", {**b.holder(insee=""), "birth_postal_code": "13001"}),
            ("holder", b.holder(insee="2A004")),
        )
    }
    # Keys sorted: the order of a passage's dict is not what the writer follows.
    return json.dumps(results, ensure_ascii=False, indent=1, default=str, sort_keys=True) + "\n"


def test_the_writer_writes_every_passage_as_before():
    assert written() == snapshot("writer.xml")


def test_the_written_passages_read_back_as_before():
    # The one error: an empty optional holder element is written as given (P-postal).
    assert read_back() + "\n" == snapshot("reader.json")


def test_the_spreadsheet_template_is_the_same_workbook():
    assert template_cells() == snapshot("template_cells.txt")
    assert template_parts() == snapshot("template_parts.txt")


def test_the_csv_header_is_the_same():
    expected = (SNAPSHOTS / "template.csv").read_bytes().decode("utf-8")
    assert sheet_template.template_csv() == expected


def test_the_declaration_form_renders_the_same_fields():
    assert rendered_forms() == snapshot("form.html")


def test_the_declaration_form_gives_the_same_data_and_errors():
    assert form_results() == snapshot("form_results.json")


def sheet_rows() -> list[dict]:
    from tests.deposits.sheets.test_conversion import IDS, good

    return [
        {**IDS, **good()},
        {
            **IDS,
            **good(
                **{
                    "Id Technique": "TAB-2",
                    "Url Preuve": "https://preuve.example/3",
                    "Libelle Option": "Option C",
                    "Modalite Passage Examen": "a distance",
                    "Code Postal Centre Examen": 1000,
                    "Presence Niveau Langue Euro": "oui",
                    "Niveau Langue Europeen": "b1",
                    "Presence Niveau Numerique Euro": "VRAI",
                    "Score General": 300,
                    "Niveau": 2,
                    "Domaine Competence Id": 3,
                    "Competence Id": 1,
                    "Modalite Acces": "EQUIVALENCE_(DIPLOME_ETRANGER)",
                    "Voie Access Vae": None,
                    "Initiative Inscription": "OF",
                    "Date Inscription": "01/09/2024",
                    "Verbatim": "=SOMME(A1)",
                    "Nom Usage": "NILL",
                    "Prenom 2": "Anne",
                    "Prenom 3": "Zoé",
                    "Mois Naissance": "NILL",
                    "Code Insee Commune Naissance": None,
                    "Code Postal Commune Naissance": 6000,
                    "Libelle Commune Naissance": "Nice",
                }
            ),
        },
        {**IDS, **good(**{"Id Technique": "TAB-3", "NIR": "2 90 05 75 056 123"})},
        {
            **IDS,
            **good(
                **{
                    "Id Technique": "TAB-4",
                    "Nom Naissance": None,
                    "Prenom 1": None,
                    "Annee Naissance": None,
                    "Mois Naissance": None,
                    "Jour Naissance": None,
                    "Sexe": None,
                    "Code Insee Commune Naissance": None,
                    "Id Dossier": "1234567890123",
                    "Nom Titulaire": "Durand",
                    "Prenom 1 Titulaire": "Léa",
                }
            ),
        },
        {
            **IDS,
            **good(
                **{
                    "Id Technique": "TAB-5",
                    "Code Insee Commune Naissance": 99134,
                    "Code Pays Naissance": "99134",
                    "Libelle Pays Naissance": "Espagne",
                    "Date Fin Validite": "01/01/2030",
                    "Mention Validee": "sans mention",
                    "Nature Deposant": "TIERS_DE_CONFIANCE",
                }
            ),
        },
        {
            **IDS,
            **good(
                **{
                    "Id Technique": "TAB-6",
                    "Obtention Certification": None,
                    "Donnee Certifiee": "peut-être",
                    "Date Debut Validite": "NILL",
                    "Niveau Langue Europeen": "Z9",
                    "Sexe": "X",
                    "Annee Naissance": 1800,
                    "Prenom 2": "y" * 61,
                    "Code Pays Naissance": "ABCD",
                }
            ),
        },
    ]


def converted(kind: str) -> str:
    from tests.deposits.sheets import test_conversion as helpers

    data = helpers.csv_bytes(sheet_rows()) if kind == "csv" else helpers.xlsx(sheet_rows())
    with helpers.convert(data) as conversion:
        out = io.StringIO()
        conversion.write_xml(out, id_flux="flux", timestamp="2026-01-01T00:00:00+01:00")
        errors = [str(error) for error in conversion.errors]
        rows = conversion.sheet_rows()
    return out.getvalue() + "\n".join(errors) + f"\n{rows}\n"


def test_a_spreadsheet_becomes_the_same_deposit_file_with_the_same_errors(db):
    # The workbook keeps numbers as numbers (postal codes get their zero back), the CSV not.
    assert converted("csv") == snapshot("sheet_csv.txt")
    assert converted("xlsx") == snapshot("sheet_xlsx.txt")
