"""Passages declared in a spreadsheet: reading, checking, depositing, generating XML."""

import csv
import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from opencertif.deposits import engine, reports
from opencertif.deposits.enums import AccountRole
from opencertif.deposits.format import reader
from opencertif.deposits.models import Deposit, DepositAccount, Passage
from opencertif.deposits.sheets import columns as sheet_columns
from opencertif.deposits.sheets import conversion as sheet_conversion
from opencertif.deposits.sheets import errors as sheet_errors
from opencertif.deposits.sheets import template as sheet_template
from tests import factories
from tests.conftest import REFERENCE
from tests.deposits import builders as b
from tests.factories import page

OFFICIAL_TEMPLATE = (
    REFERENCE / "cpf" / "docs" / "11 modele-excel-accrochage-certificateurs-1.4.xlsx"
)
OFFICIAL_XSD = REFERENCE / "cpf" / "xsd" / "cdc-deposit-schema-v1.1.5-rebuilt.xsd"
INDEX = {column.label: position for position, column in enumerate(sheet_columns.COLUMNS)}


def letter(label: str) -> str:
    """The column of a label in the official layout (and ours): B for Id Flux…"""
    return get_column_letter(INDEX[label] + 2)


def good(**changes) -> dict:
    """A row that matches b.person() (Martin Camille, F, 12/05/1990, Paris) on RNCP90001."""
    row = {
        "Type": "RNCP",
        "Code": "RNCP90001",
        "Id Technique": "TAB-1",
        "Obtention Certification": "PAR_ADMISSION",
        "Donnee Certifiee": "OUI",
        "Date Debut Examen": datetime.datetime(2025, 6, 2),
        "Date Fin Examen": "03/06/2025",
        "Date Debut Validite": "20/06/2025",
        "Date Fin Validite": "NILL",
        "Presence Niveau Langue Euro": "NON",
        "Presence Niveau Numerique Euro": "NON",
        "Scoring": "NILL",
        "Mention Validee": "MENTION_BIEN",
        "Modalite Acces": "VAE",
        "Voie Access Vae": "VAE_CLASSIQUE",
        "Nom Naissance": "Martin",
        "Prenom 1": "Camille",
        "Annee Naissance": 1990,
        "Mois Naissance": 5,
        "Jour Naissance": 12,
        "Sexe": "F",
        "Code Insee Commune Naissance": "75056",
    }
    row.update(changes)
    return {label: value for label, value in row.items() if value is not None}


def xlsx(rows: list[dict], *, first_row: int = 4) -> bytes:
    """Our generated template, filled from row 4 (one dict of label → value per row)."""
    workbook = load_workbook(io.BytesIO(sheet_template.template_xlsx()))
    sheet = workbook["Tableau declaration"]
    for offset, row in enumerate(rows):
        for label, value in row.items():
            sheet.cell(first_row + offset, INDEX[label] + 2, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(
    rows: list[dict], *, separator=";", bom=True, header="labels", encoding="utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    columns = sheet_columns.COLUMNS
    writer.writerow([c.label if header == "labels" else c.id for c in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(c.label)) for c in columns])
    text = out.getvalue()
    return (("\ufeff" if bom else "") + text).encode(encoding)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)


def convert(data: bytes, organisation=None) -> sheet_conversion.Conversion:
    return sheet_conversion.convert(io.BytesIO(data), organisation=organisation)


def records(conversion: sheet_conversion.Conversion) -> list[reader.PassageRecord]:
    """The accepted passages, written as XML, validated and read back as the engine does."""
    out = io.StringIO()
    conversion.write_xml(out)
    data = out.getvalue().encode()
    envelope, errors = reader.validate(io.BytesIO(data))
    assert errors == [], errors
    return list(reader.passages(io.BytesIO(data), envelope))


def only_record(data: bytes, organisation=None) -> reader.PassageRecord:
    with convert(data, organisation) as conversion:
        assert [str(e) for e in conversion.errors] == []
        (record,) = records(conversion)
    return record


def errors_of(data: bytes, organisation=None) -> list[str]:
    with convert(data, organisation) as conversion:
        return [str(error) for error in conversion.errors]


IDS = {"Id Client": "DEMO0001", "Id Client 2": "DEMO0001", "Id Contrat": "MCFCER000001"}


# ---------------------------------------------------------------- values


def test_a_row_becomes_a_passage_in_code_names_with_the_templates_quirks_mapped(db):
    record = only_record(
        xlsx(
            [
                good(
                    **IDS,
                    **{
                        "Nature Deposant": "TIERS_DE_CONFIANCE",
                        "Modalite Acces": "EQUIVALENCE_(DIPLOME_ETRANGER)",
                        "Voie Access Vae": None,
                        "Annee Naissance": 1990.0,
                        "Code Insee Commune Naissance": 1053,
                        "Code Postal Centre Examen": 1000,
                        "Scoring": 12.5,
                        "Url Preuve": "https://preuve.example/1",
                        "Mention Validee": "mention très bien",
                    },
                )
            ]
        )
    )
    assert record.id_technique == "TAB-1"
    assert record.certification.type == "RNCP" and record.certification.code == "RNCP90001"
    assert record.certification.nature == "TIERS_CONFIANCE"
    fields = record.fields
    assert fields["obtained_by"] == "PAR_ADMISSION" and fields["certified_data"] is True
    assert (fields["exam_start"], fields["exam_end"]) == ("2025-06-02", "2025-06-03")
    assert fields["valid_from"] == "2025-06-20" and fields["valid_until"] is None
    assert fields["has_language_level"] is False and fields["has_digital_level"] is False
    assert fields["score"] == "12.5" and fields["honours"] == "MENTION_TRES_BIEN"
    assert fields["enrolment"] == {"access_mode": "EQUIVALENCE_DIPLOME_ETRANGER"}
    assert fields["exam_centre_postal_code"] == "01000"
    assert fields["proof_url"] == "https://preuve.example/1"
    assert record.identity_kind == "holder"
    assert record.identity == {
        "birth_name": "Martin",
        "usage_name": None,
        "first_name1": "Camille",
        "birth_year": 1990,
        "birth_month": 5,
        "birth_day": 12,
        "sex": "F",
        "birth_insee": "01053",
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("OUI", True),
        ("oui", True),
        ("Vrai", True),
        ("TRUE", True),
        (True, True),
        ("NON", False),
        ("non", False),
        ("faux", False),
        ("False", False),
        (False, False),
    ],
)
def test_booleans_are_oui_non_true_false_vrai_faux_in_any_case(db, typed, expected):
    record = only_record(xlsx([good(**IDS, **{"Donnee Certifiee": typed})]))
    assert record.fields["certified_data"] is expected


@pytest.mark.parametrize(
    "typed",
    [
        datetime.datetime(2025, 6, 20),
        datetime.date(2025, 6, 20),
        "20/06/2025",
        "20/6/2025",
        "2025-06-20",
        "2025-06-20 00:00:00",
        45828,  # Excel's serial number of 20/06/2025, in a cell formatted as a number
    ],
)
def test_dates_are_excel_dates_or_text_jj_mm_aaaa_or_aaaa_mm_jj(db, typed):
    record = only_record(xlsx([good(**IDS, **{"Date Debut Validite": typed})]))
    assert record.fields["valid_from"] == "2025-06-20"


def test_nill_in_any_case_is_nil_where_the_schema_allows_it(db):
    record = only_record(
        xlsx(
            [
                good(
                    **IDS,
                    **{
                        "Date Fin Validite": "nil",
                        "Scoring": "Nill",
                        "Mention Validee": "NILL",
                        "Modalite Acces": "nill",
                        "Voie Access Vae": None,
                        "Nom Usage": "NILL",
                        "Mois Naissance": "NILL",
                        "Jour Naissance": "NILL",
                    },
                )
            ]
        )
    )
    fields = record.fields
    assert fields["valid_until"] is None and fields["score"] is None
    assert fields["honours"] is None and fields["enrolment"] == {"access_mode": None}
    assert record.identity["usage_name"] is None
    assert record.identity["birth_month"] is None and record.identity["birth_day"] is None


def test_codes_typed_as_numbers_get_their_leading_zeros_back(db):
    record = only_record(
        xlsx(
            [
                good(
                    **IDS,
                    **{
                        "Code Insee Commune Naissance": 99109.0,
                        "Code Pays Naissance": 99109,
                        "Libelle Pays Naissance": "Allemagne",
                    },
                )
            ]
        )
    )
    assert record.identity["birth_insee"] == "99109"
    assert record.identity["birth_country"] == "109"
    record = only_record(
        xlsx(
            [
                good(
                    **IDS,
                    **{"Code Insee Commune Naissance": None, "Code Postal Commune Naissance": 1000},
                )
            ]
        )
    )
    assert record.identity["birth_postal_code"] == "01000"


def test_a_code_typed_without_its_register_gets_the_type_as_prefix(db):
    record = only_record(xlsx([good(**IDS, Code=90001)]))
    assert record.certification.code == "RNCP90001"


def test_the_nir_column_names_the_holder_by_national_identifier(db):
    row = {
        label: value
        for label, value in good(**IDS, NIR="2 90 05 75 056 001").items()
        if label not in ("Prenom 1", "Sexe", "Annee Naissance")
    }
    record = only_record(xlsx([row]))
    assert record.identity_kind == "national_id"
    assert record.identity == {"nir": "2900575056001", "birth_name": "Martin"}
    # The 15-character NIR of the health card: its key is checked, then dropped.
    with_key = only_record(xlsx([good(**IDS, NIR="290057505600112")]))
    assert with_key.identity == {"nir": "2900575056001", "birth_name": "Martin"}
    (error,) = errors_of(xlsx([good(**IDS, NIR="290057505600199")]))
    assert error.startswith(f"ligne 4, colonne {letter('NIR')} (NIR) : NIR de 15 caractères")


def test_block_9_names_the_holder_by_training_dossier_and_not_with_block_8(db):
    holder = ("Nom Naissance", "Prenom 1", "Annee Naissance", "Mois Naissance", "Jour Naissance")
    row = {
        label: value
        for label, value in good(**IDS).items()
        if label not in (*holder, "Sexe", "Code Insee Commune Naissance")
    }
    row |= {"Id Dossier": 1234567890123, "Nom Titulaire": "Martin", "Prenom 1 Titulaire": "Camille"}
    record = only_record(xlsx([row]))
    assert record.identity_kind == "dossier"
    assert record.identity == {
        "dossier_id": "1234567890123",
        "dossier_name": "Martin",
        "dossier_first_name": "Camille",
    }
    # The birth name, mandatory in the official template, may stay beside the dossier.
    assert only_record(xlsx([row | {"Nom Naissance": "Martin"}])).identity_kind == "dossier"
    (error,) = errors_of(xlsx([good(**IDS, **{"Id Dossier": "123"})]))
    assert error == (
        f"ligne 4, colonne {letter('Id Dossier')} (Id Dossier) : renseignez soit le titulaire "
        "(bloc 8), soit le dossier de formation (bloc 9), pas les deux."
    )


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("label", "typed", "message"),
    [
        ("Date Debut Validite", "32/01/2025", "la date « 32/01/2025 » n'existe pas"),
        ("Date Debut Validite", "juin 2025", "saisissez-la au format JJ/MM/AAAA"),
        ("Date Debut Validite", "NILL", "NILL n'est pas admis ici"),
        ("Date Fin Examen", "12/12/1850", "année 1850 hors de la plage admise"),
        ("Donnee Certifiee", "peut-être", "indiquez OUI ou NON"),
        ("Donnee Certifiee", "NILL", "NILL n'est pas admis dans cette colonne"),
        ("Sexe", "H", "valeur « H » non admise ; valeurs possibles : M, F."),
        ("Mention Validee", "PASSABLE", "valeur « PASSABLE » non admise"),
        ("Annee Naissance", "quatre-vingt-dix", "nombre entier attendu"),
        ("Annee Naissance", 1850, "1850 est inférieur au minimum autorisé (1900)"),
        ("Mois Naissance", 13, "13 dépasse le maximum autorisé (12)"),
        ("Nom Naissance", "X" * 61, "valeur trop longue (61 caractères, 60 au plus)"),
        ("Code Insee Commune Naissance", "750567", "doit compter exactement 5 caractères"),
        ("NIR", "3900575056001", "au mauvais format (attendu : 13 caractères, sans la clé"),
        ("Nature Deposant", "AUTRE", "valeurs possibles : CERTIFICATEUR, TIERS_CONFIANCE"),
        ("Id Client", "DEMO1", "l'idClient compte exactement 8 caractères"),
        ("Prenom 1", None, "donnée obligatoire manquante : renseignez cette cellule."),
        ("Id Technique", None, "donnée obligatoire manquante : renseignez cette cellule."),
        ("Obtention Certification", None, "donnée obligatoire (dictionnaire des données)"),
        ("Presence Niveau Langue Euro", None, "renseignez cette cellule (OUI ou NON)."),
        ("Code", None, "code de la certification obligatoire"),
        ("Type", None, "type de certification obligatoire : RNCP ou RS."),
    ],
)
def test_each_error_names_the_row_and_the_column_and_what_to_fix(db, label, typed, message):
    row = good(**IDS)
    row[label] = typed
    data = xlsx(
        [good(**IDS, **{"Id Technique": "TAB-0"}), {k: v for k, v in row.items() if v is not None}]
    )
    with convert(data) as conversion:
        errors = [str(error) for error in conversion.errors]
        assert (conversion.accepted, conversion.rows_left_out) == (1, 1)
    assert len(errors) == 1, errors
    prefix = f"ligne 5, colonne {letter(label)} ({label}) : "
    assert errors[0].startswith(prefix), errors
    assert message in errors[0]


def test_an_invisible_control_character_is_refused_at_its_cell(db):
    data = csv_bytes([good(**IDS, **{"Prenom 2": "Jean\x0bLuc"})])
    (error,) = errors_of(data)
    assert error.startswith(
        f"ligne 2, colonne {get_column_letter(INDEX['Prenom 2'] + 1)} (Prenom 2)"
    )
    assert "caractère invisible (U+000B)" in error


def test_a_row_may_have_several_errors_each_at_its_column(db):
    errors = errors_of(
        xlsx([good(**IDS, Sexe="H", **{"Date Debut Validite": "31/02/2025", "Prenom 1": None})])
    )
    assert [re.match(r"ligne 4, colonne (\w+)", e).group(1) for e in errors] == [
        letter("Date Debut Validite"),
        letter("Prenom 1"),
        letter("Sexe"),
    ]


def test_a_row_without_any_holder_identification_is_left_out(db):
    row = {
        label: value
        for label, value in good(**IDS).items()
        if label
        not in (
            "Nom Naissance",
            "Prenom 1",
            "Annee Naissance",
            "Mois Naissance",
            "Jour Naissance",
            "Sexe",
            "Code Insee Commune Naissance",
        )
    }
    (error,) = errors_of(xlsx([row]))
    assert error.startswith(f"ligne 4, colonne {letter('Nom Naissance')} (Nom Naissance) : ")
    assert "titulaire non identifié" in error


def test_an_id_technique_used_twice_is_refused_on_its_second_row(db):
    errors = errors_of(xlsx([good(**IDS), good(**IDS)]))
    assert errors == [
        f"ligne 5, colonne {letter('Id Technique')} (Id Technique) : l'Id Technique « TAB-1 » "
        "figure déjà ligne 4 : chaque passage doit avoir son propre identifiant."
    ]


def test_one_file_names_one_emitter_and_one_certifier(db):
    data = xlsx(
        [
            good(**IDS, **{"Id Technique": "A"}),
            good(**{**IDS, "Id Technique": "B", "Id Client 2": "DEMO0003"}),
            good(**{**IDS, "Id Technique": "C", "Id Client": "DEMO0009"}),
            good(**{"Id Technique": "D"}),  # empty cells: the file's values
        ]
    )
    with convert(data) as conversion:
        errors = [str(error) for error in conversion.errors]
        assert conversion.accepted == 2 and conversion.sheet_rows() == [4, 7]
        assert conversion.certifier_id_client == "DEMO0001"
    assert errors == [
        "ligne 5, colonne E (Id Client 2) : un fichier ne concerne qu'un certificateur : cette "
        "ligne nomme DEMO0003, la ligne 4 DEMO0001 ; déposez les passages de chaque "
        "certificateur dans un tableur distinct.",
        "ligne 6, colonne D (Id Client) : un fichier n'a qu'un émetteur : cette ligne nomme "
        "DEMO0009, la ligne 4 DEMO0001 ; indiquez le même idClient sur toutes les lignes.",
    ]


def test_empty_identifier_cells_are_filled_from_the_organisations_accounts(demo):
    with convert(xlsx([good()]), demo["university"]) as conversion:
        assert conversion.accepted == 1
        assert (
            conversion.emitter_id_client,
            conversion.certifier_id_client,
            conversion.id_contract,
            conversion.nature,
        ) == ("DEMO0001", "DEMO0001", "MCFCER000001", "CERTIFICATEUR")
    # The third party deposits for the university, which delegated it.
    with convert(xlsx([good()]), demo["third_party"]) as conversion:
        assert (
            conversion.emitter_id_client,
            conversion.certifier_id_client,
            conversion.id_contract,
            conversion.nature,
        ) == ("DEMO0002", "DEMO0001", "MCFCER000001", "TIERS_CONFIANCE")
    # Only the certifier given: its contract is found among those the depositor may use.
    with convert(xlsx([good(**{"Id Client 2": "DEMO0001"})]), demo["third_party"]) as conversion:
        assert (conversion.emitter_id_client, conversion.id_contract) == (
            "DEMO0002",
            "MCFCER000001",
        )


def test_without_identifiers_nor_organisation_the_file_is_refused(db):
    with pytest.raises(sheet_errors.SheetRefused, match=r"colonne D \(Id Client\)"):
        convert(xlsx([good()]))


def test_rows_left_empty_description_rows_and_identifier_only_rows_are_skipped(db):
    data = xlsx(
        [
            good(**IDS),
            {},
            {"Id Client": "DEMO0001", "Type": "RNCP"},  # copied down the template, no passage
            good(**IDS, **{"Id Technique": "TAB-2"}),
        ]
    )
    with convert(data) as conversion:
        assert conversion.errors == []
        assert conversion.rows_read == 2 and conversion.sheet_rows() == [4, 7]


def test_passages_are_grouped_by_certification_and_sheet_rows_follow_the_xml(db):
    data = xlsx(
        [
            good(**IDS, **{"Id Technique": "A"}),
            good(**IDS, **{"Id Technique": "B", "Code": "RNCP90002"}),
            good(**IDS, **{"Id Technique": "C"}),
        ]
    )
    with convert(data) as conversion:
        passages = records(conversion)
        assert conversion.sheet_rows() == [4, 6, 5]
    assert [(p.certification.code, p.id_technique) for p in passages] == [
        ("RNCP90001", "A"),
        ("RNCP90001", "C"),
        ("RNCP90002", "B"),
    ]


# ---------------------------------------------------------------- files


def test_csv_with_semicolons_and_a_bom_reads_like_the_workbook(db):
    record = only_record(csv_bytes([good(**IDS)]))
    assert record.fields["exam_start"] == "2025-06-02" and record.identity["birth_year"] == 1990


def test_csv_with_commas_without_bom_and_a_header_of_ids(db):
    data = csv_bytes(
        [good(**IDS, **{"Libelle Option": "Option A, parcours B"})],
        separator=",",
        bom=False,
        header="ids",
    )
    record = only_record(data)
    assert record.fields["option_label"] == "Option A, parcours B"


def test_csv_errors_point_at_the_csv_row_and_column(db):
    data = csv_bytes([good(**IDS), good(**IDS, **{"Id Technique": "B", "Sexe": "X"})])
    # Header of labels only, without the caption column: Sexe is one column to the left.
    assert errors_of(data)[0].startswith(
        f"ligne 3, colonne {get_column_letter(INDEX['Sexe'] + 1)} (Sexe) : valeur « X »"
    )


def test_headers_are_found_whatever_the_accents_case_spaces_and_extra_columns(db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Notes internes"])
    labels = {
        "Id Technique": "  id   TECHNIQUE ",
        "Date Debut Validite": "Date début validité",
        "Nom Naissance": "NOM NAISSANCE",
    }
    row = good(**IDS)
    header = ["Commentaire"] + [labels.get(label, label) for label in row]
    sheet.append(header)
    sheet.append(["à ignorer", *row.values()])
    out = io.BytesIO()
    workbook.save(out)
    record = only_record(out.getvalue())
    assert record.id_technique == "TAB-1" and record.fields["valid_from"] == "2025-06-20"


def test_a_column_given_twice_refuses_the_file(db):
    data = csv_bytes([good(**IDS)]).replace(b"Verbatim", b"Code", 1)
    with pytest.raises(sheet_errors.SheetRefused, match="« Code » .* figure deux fois"):
        convert(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "n'est pas un tableur"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "n'est pas un tableur"),
        (b"PK\x03\x04" + b"\x00" * 100, "corrompu"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "Excel 97-2003 (.xls)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
            "protégé par un mot de passe",
        ),
        ("Id Technique;Nom\nTAB-1;Lefèvre\n".encode("latin-1"), "pas encodé en UTF-8"),
        ("Id Technique;Nom\n".encode("utf-16"), "UTF-16"),
        (b'<?xml version="1.0"?><cpf:flux/>', "pas un tableur : un fichier XML"),
        (b"nom;prenom\nMartin;Camille\n", "En-tête introuvable"),
        (sheet_template.template_xlsx(), "ne contient aucun passage sous l'en-tête (ligne 2)"),
    ],
)
def test_what_is_not_a_readable_spreadsheet_is_refused_with_one_message(db, data, message):
    with pytest.raises(sheet_errors.SheetRefused, match=re.escape(message)):
        convert(data)


def test_a_zip_that_is_not_a_workbook_and_an_ods_are_refused(db):
    for names, message in (
        ({"readme.txt": "x"}, "pas un classeur Excel"),
        ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}, "OpenDocument"),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in names.items():
                archive.writestr(name, content)
        with pytest.raises(sheet_errors.SheetRefused, match=message):
            convert(out.getvalue())


def test_a_truncated_workbook_is_refused_as_corrupt(db):
    data = xlsx([good(**IDS)])
    with pytest.raises(sheet_errors.SheetRefused, match="corrompu"):
        convert(data[: len(data) // 2])


def test_a_csv_not_in_utf8_further_down_is_refused(db):
    data = csv_bytes([good(**IDS)] * 3000) + "TAB-9;Lefèvre\n".encode("latin-1")
    with pytest.raises(sheet_errors.SheetRefused, match="pas encodé en UTF-8"):
        convert(data)


def test_the_limits_of_a_deposit_apply_to_a_spreadsheet(db, settings):
    data = xlsx([good(**IDS, **{"Id Technique": f"T{i}"}) for i in range(3)])
    settings.DEPOSIT_MAX_PASSAGES = 2
    with pytest.raises(sheet_errors.SheetRefused, match="plus de 2 lignes de passages"):
        convert(data)
    settings.DEPOSIT_MAX_PASSAGES = 10
    settings.DEPOSIT_MAX_BYTES = 1000
    with pytest.raises(sheet_errors.SheetRefused, match="taille maximale d'un dépôt"):
        convert(data)


# ---------------------------------------------------------------- our template


def test_our_template_has_ids_labels_explanations_lists_and_the_nir_column(client, demo):
    client.force_login(demo["university"].memberships.get().user)
    response = client.get("/espace/tableur/modele.xlsx")
    assert response["Content-Type"] == sheet_template.XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Tableau declaration"]
    rows = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert rows[0][1:4] == ("1.1", "1.2", "2.1") and rows[0][-1] == "NIR"
    assert rows[1][1] == "Id Flux" and rows[1][50] == "Prenom 1 Titulaire" and rows[1][-1] == "NIR"
    assert "JJ/MM/AAAA" in rows[2][INDEX["Date Debut Validite"] + 1]
    validations = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    found = re.fullmatch(
        r"Listes!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", validations[f"{letter('Sexe')}4"]
    )
    column, first, last = found.group(1), int(found.group(2)), int(found.group(3))
    values = [workbook["Listes"][f"{column}{row}"].value for row in range(first, last + 1)]
    assert values == ["F", "M"]
    header = client.get("/espace/tableur/modele.csv").content.decode("utf-8-sig")
    assert header.startswith("Id Flux;Horodatage;Id Client;") and header.strip().endswith(";NIR")


# ---------------------------------------------------------------- deposit


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


def send(client, organisation, upload, action="deposer", capture=None):
    """Post a sheet on /espace/tableur/; with `capture` (django_capture_on_commit_callbacks)
    the conversion task runs at once (the test backend is immediate). Returns the response
    and the conversion's page when it redirected there."""
    data = {"organisation": organisation.pk, "file": upload, "action": action}
    if capture is None:
        response = client.post("/espace/tableur/", data)
    else:
        with capture(execute=True):
            response = client.post("/espace/tableur/", data)
    status = None
    if response.status_code == 302:
        assert re.fullmatch(r"/espace/tableur/\d+/", response["Location"])
        status = page(client.get(response["Location"]))
    return response, status


def test_a_spreadsheet_deposit_goes_through_the_engine_with_its_sheet_rows(demo, manager):
    b.person()
    data = xlsx(
        [
            good(**{"Id Technique": "TAB-1"}),
            good(**{"Id Technique": "TAB-2", "Sexe": "X"}),
            good(**{"Id Technique": "TAB-3", "Nom Naissance": "Inconnu"}),
            {},
            good(**{"Id Technique": "TAB-4"}),
        ]
    )
    result = sheet_conversion.deposit(
        organisation=demo["university"], user=manager, name="promo.xlsx", stream=io.BytesIO(data)
    )
    assert (result.accepted, result.rows_left_out) == (3, 1)
    deposit = result.deposit
    assert deposit.channel == "sheet" and deposit.file_name == "promo.xlsx"
    assert deposit.sheet_rows == [4, 6, 8]
    assert deposit.sheet_errors == [
        {
            "row": 5,
            "column": letter("Sexe"),
            "label": "Sexe",
            "message": "valeur « X » non admise ; valeurs possibles : M, F.",
        }
    ]
    engine.process(deposit.pk)
    deposit.refresh_from_db()
    assert (deposit.state, deposit.ok_count, deposit.ko_count) == ("done", 2, 1)
    assert deposit.id_flux and deposit.certifier_id_client == "DEMO0001"
    assert Passage.objects.filter(last_deposit=deposit, status="ok").count() == 2
    text = "".join(reports.csv_chunks(deposit))
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert lines[0][5] == "ligne du tableur"
    assert [(line[0], line[1], line[5]) for line in lines[1:]] == [
        ("TAB-1", "OK", "4"),
        ("TAB-3", "KO", "6"),
        ("TAB-4", "OK", "8"),
        ("", "LIGNE ÉCARTÉE", "5"),
    ]
    handle = reports.xlsx_file(deposit)
    rows = list(load_workbook(handle.name).active.iter_rows(values_only=True))
    assert rows[0][5] == "ligne du tableur" and [r[5] for r in rows[1:]] == [4, 6, 8, 5]


def test_the_deposit_page_shows_sheet_rows_and_the_rows_left_out(
    client, demo, manager, django_capture_on_commit_callbacks
):
    b.person()
    client.force_login(manager)
    upload = SimpleUploadedFile(
        "promo.xlsx",
        xlsx([good(), good(**{"Id Technique": "TAB-2", "Date Debut Validite": "31/02/2025"})]),
    )
    _response, status = send(
        client, demo["university"], upload, capture=django_capture_on_commit_callbacks
    )
    deposit = Deposit.objects.get()
    assert f'href="/espace/depots/{deposit.pk}/"' in status
    deposit.refresh_from_db()
    assert (deposit.state, deposit.ok_count) == ("done", 1)
    html = page(client.get(f"/espace/depots/{deposit.pk}/"))
    assert "Ligne du tableur" in html
    assert re.search(r"<td>4</td>\s*<td>TAB-1</td>", html)
    assert "Lignes du tableur écartées avant le dépôt" in html
    assert "la date « 31/02/2025 » n'existe pas" in html
    assert f"{letter('Date Debut Validite')} (Date Debut Validite)" in html
    assert "1 ligne déposée, 1 ligne écartée" in html


def test_when_no_row_is_acceptable_nothing_is_deposited_and_the_errors_are_shown(
    client, demo, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    upload = SimpleUploadedFile("faux.xlsx", xlsx([good(Sexe="X")]))
    _response, html = send(
        client, demo["university"], upload, capture=django_capture_on_commit_callbacks
    )
    assert not Deposit.objects.exists()
    assert "Tableur refusé" in html and "rien n'a été déposé" in html
    assert f"{letter('Sexe')} (Sexe)" in html and "valeur « X » non admise" in html


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(client, demo, manager):
    client.force_login(manager)
    upload = SimpleUploadedFile("passages.xlsx", factories.PDF)
    html = page(
        client.post(
            "/espace/tableur/",
            {"organisation": demo["university"].pk, "file": upload, "action": "deposer"},
        )
    )
    assert "n'est pas un tableur" in html and not Deposit.objects.exists()


def test_generate_xml_offers_the_file_when_every_row_is_accepted(
    client, demo, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    upload = SimpleUploadedFile("promo.csv", csv_bytes([good()]))
    _response, html = send(
        client, demo["university"], upload, "xml", capture=django_capture_on_commit_callbacks
    )
    assert "Fichier XML produit" in html and "1 passage dans le fichier XML" in html
    link = re.search(r'href="(/espace/tableur/\d+/fichier\.xml)"', html).group(1)
    response = client.get(link)
    assert response["Content-Disposition"] == 'attachment; filename="promo.xml"'
    data = b"".join(response.streaming_content)
    envelope, errors = reader.validate(io.BytesIO(data))
    assert errors == [] and envelope.passage_count == 1
    assert (envelope.emitter_id_client, envelope.id_contract) == ("DEMO0001", "MCFCER000001")
    assert not Deposit.objects.exists()


def test_generate_xml_shows_the_rows_left_out_and_offers_the_others(
    client, demo, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    upload = SimpleUploadedFile(
        "promo.xlsx", xlsx([good(), good(**{"Id Technique": "TAB-2", "Sexe": "X"})])
    )
    _response, html = send(
        client, demo["university"], upload, "xml", capture=django_capture_on_commit_callbacks
    )
    assert "valeur « X » non admise" in html and "1 ligne écartée" in html
    link = re.search(r'href="(/espace/tableur/\d+/fichier\.xml)"', html).group(1)
    data = b"".join(client.get(link).streaming_content)
    envelope, errors = reader.validate(io.BytesIO(data))
    assert errors == [] and envelope.passage_count == 1
    assert not Deposit.objects.exists()
    # A member of another organisation does not reach it.
    client.force_login(factories.manager(factories.organisation("Autre organisme")))
    assert client.get(link).status_code == 404


def test_the_spreadsheet_page_explains_the_template_and_is_linked_from_the_xml_upload(
    client, demo, manager
):
    client.force_login(manager)
    html = page(client.get("/espace/tableur/"))
    assert "<h1>Déposer un tableur</h1>" in html
    assert (
        'href="/espace/tableur/modele.xlsx"' in html and 'href="/espace/tableur/modele.csv"' in html
    )
    assert "Générer le fichier XML" in html
    assert 'href="/espace/tableur/"' in page(client.get("/espace/depots/nouveau/"))


# ---------------------------------------------------------------- permissions


def test_a_sheet_for_a_certifier_the_organisation_may_not_deposit_for_is_rejected(
    client, demo, django_capture_on_commit_callbacks
):
    other = factories.organisation("Autre certificateur", siret="13000000000039")
    DepositAccount.objects.create(
        organisation=other,
        role=AccountRole.CERTIFIER,
        id_client="AUTR0001",
        id_contract="MCFCER000009",
        activated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    user = factories.manager(other)
    client.force_login(user)
    upload = SimpleUploadedFile(
        "intrus.xlsx",
        xlsx([good(**{"Id Client 2": "DEMO0001", "Id Contrat": "MCFCER000001"})]),
    )
    send(client, other, upload, capture=django_capture_on_commit_callbacks)
    deposit = Deposit.objects.get()
    deposit.refresh_from_db()
    assert deposit.state == "rejected" and not Passage.objects.exists()
    html = page(client.get(f"/espace/depots/{deposit.pk}/"))
    assert "n'est pas autorisé à déposer pour le certificateur DEMO0001" in html
    # The university's own deposits stay out of reach, and its organisation cannot be chosen.
    university_deposit = sheet_conversion.deposit(
        organisation=demo["university"],
        user=None,
        name="univ.xlsx",
        stream=io.BytesIO(xlsx([good()])),
    ).deposit
    assert client.get(f"/espace/depots/{university_deposit.pk}/").status_code == 404
    assert client.get(f"/espace/depots/{university_deposit.pk}/accuse.csv").status_code == 404
    chosen = page(
        client.post(
            "/espace/tableur/",
            {
                "organisation": demo["university"].pk,
                "file": SimpleUploadedFile("x.xlsx", xlsx([good()])),
                "action": "deposer",
            },
        )
    )
    assert "Sélectionnez un choix valide" in chosen
    assert Deposit.objects.count() == 2


def test_without_deposit_rights_the_spreadsheet_page_says_so(client, db):
    client.force_login(factories.manager(factories.organisation("Sans droits")))
    assert client.get("/espace/tableur/").status_code == 403
    assert client.get("/espace/tableur/modele.xlsx").status_code == 200


def test_the_spreadsheet_pages_need_a_signed_in_user(client, db):
    for url in ("/espace/tableur/", "/espace/tableur/modele.xlsx", "/espace/tableur/modele.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion/" in response["Location"]


# ---------------------------------------------------------------- CLI


def test_cli_writes_the_xml_and_exits_0_when_every_row_is_accepted(demo, tmp_path, capsys):
    path = tmp_path / "promo.xlsx"
    path.write_bytes(xlsx([good(), good(**{"Id Technique": "TAB-2"})]))
    call_command("spreadsheet_to_xml", str(path), "--organisation", "00000001800010")
    out = capsys.readouterr().out
    assert "2 passage(s) écrit(s)" in out
    envelope, errors = engine.check_file(tmp_path / "promo.xml")
    assert errors == [] and envelope.certifier_id_client == "DEMO0001"


def test_cli_prints_the_row_errors_and_exits_1_when_rows_are_left_out(db, tmp_path, capsys):
    path = tmp_path / "promo.csv"
    path.write_bytes(csv_bytes([good(**IDS), good(**IDS, **{"Id Technique": "B", "Sexe": "X"})]))
    out = tmp_path / "sortie.xml"
    with pytest.raises(SystemExit) as exited:
        call_command("spreadsheet_to_xml", str(path), "--out", str(out))
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "ligne 3, colonne" in captured.err and "valeur « X » non admise" in captured.err
    assert "1 ligne(s) écartée(s) sur 2" in captured.err
    assert reader.validate(out.open("rb"))[0].passage_count == 1


def test_cli_refuses_an_unknown_siret_and_an_unreadable_file(db, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(factories.PDF)
    with pytest.raises(CommandError, match="Aucun organisme avec le SIRET"):
        call_command("spreadsheet_to_xml", str(path), "--organisation", "99999999999999")
    with pytest.raises(CommandError, match="n'est pas un tableur"):
        call_command("spreadsheet_to_xml", str(path))


# ---------------------------------------------------------------- the official template


def _official_rows() -> list[dict]:
    """10 realistic rows, each exercising one way users fill the official template."""
    towns = ("75056", "69123", "13055", "31555", "33063", "59350", "44109", "67482", "35238")
    rows = []
    for index in range(10):
        row = good(
            **{
                "Id Technique": f"UNIV-2025-{index + 1:04d}",
                "Nom Naissance": f"Durand-{chr(65 + index)}",
                "Prenom 1": ("Léa", "Hugo", "Inès", "Théo", "Zoé")[index % 5],
                "Sexe": "FMFMF"[index % 5],
                "Annee Naissance": 1990.0 + index,
                "Mois Naissance": 1 + index,
                "Jour Naissance": 10 + index,
                "Code Insee Commune Naissance": towns[index % len(towns)],
                "Nature Deposant": "CERTIFICATEUR",
            }
        )
        rows.append(row)
    rows[1]["Donnee Certifiee"] = "TRUE"
    rows[2]["Date Debut Validite"] = datetime.datetime(2025, 7, 1)
    rows[3]["Modalite Acces"] = "EQUIVALENCE_(DIPLOME_ETRANGER)"
    del rows[3]["Voie Access Vae"]
    rows[4]["Code Insee Commune Naissance"] = 1053  # Bourg-en-Bresse, typed as a number
    rows[5]["Mention Validee"] = "NILL"
    rows[5]["Nom Usage"] = "Martin"
    rows[6]["Date Fin Validite"] = "31/12/2030"
    rows[7]["Presence Niveau Langue Euro"] = "OUI"
    rows[7]["Niveau Langue Europeen"] = "B2"
    rows[8]["Initiative Inscription"] = "OF"
    rows[8]["Date Inscription"] = "2024-09-01"
    rows[9]["Presence Niveau Numerique Euro"] = "OUI"
    rows[9]["Score General"] = 480
    rows[9]["Niveau"] = 4
    rows[9]["Domaine Competence Id"] = 1
    rows[9]["Competence Id"] = 2
    return rows


@pytest.fixture(scope="module")
def official_filled(tmp_path_factory):
    """A copy of the official template filled with openpyxl from row 22, as users do."""
    if not OFFICIAL_TEMPLATE.is_file():
        pytest.skip(f"{OFFICIAL_TEMPLATE} absent: official template test skipped")
    workbook = load_workbook(OFFICIAL_TEMPLATE)
    sheet = workbook["Tableau declaration"]
    ids = {cell.value: cell.column for cell in sheet[12] if cell.value}
    for offset, row in enumerate(_official_rows()):
        for label, value in {**IDS, **row}.items():
            column = sheet_columns.COLUMNS[INDEX[label]]
            sheet.cell(22 + offset, ids[column.id], value)
    path = tmp_path_factory.mktemp("officiel") / "modele-rempli.xlsx"
    workbook.save(path)
    return path


@pytest.mark.reference
def test_the_official_template_unfilled_is_refused_as_without_passages(reference_dir, db):
    if not OFFICIAL_TEMPLATE.is_file():
        pytest.skip(f"{OFFICIAL_TEMPLATE} absent: official template test skipped")
    # Its description rows, its example (row 18) and the placeholders of row 22 are skipped.
    with (
        OFFICIAL_TEMPLATE.open("rb") as stream,
        pytest.raises(
            sheet_errors.SheetRefused, match=r"aucun passage sous l'en-tête \(ligne 13\)"
        ),
    ):
        sheet_conversion.convert(stream)


@pytest.mark.reference
def test_the_filled_official_template_gives_xml_that_passes_the_official_schema(
    official_filled, db
):
    if not OFFICIAL_XSD.is_file():
        pytest.skip(f"{OFFICIAL_XSD} absent: official schema test skipped")
    with official_filled.open("rb") as stream, sheet_conversion.convert(stream) as conversion:
        assert [str(e) for e in conversion.errors] == []
        assert conversion.accepted == 10 and conversion.sheet_rows() == list(range(22, 32))
        out = io.StringIO()
        conversion.write_xml(out)
    document = etree.fromstring(out.getvalue().encode())
    official = etree.XMLSchema(etree.parse(str(OFFICIAL_XSD)))
    assert official.validate(document), official.error_log
    assert reader.schema().validate(document), reader.schema().error_log
    ns = {"cpf": "urn:cdc:cpf:pc5:schema:1.0.0"}
    assert document.findtext(".//cpf:natureDeposant", namespaces=ns) == "CERTIFICATEUR"
    assert "EQUIVALENCE_DIPLOME_ETRANGER" in out.getvalue()
    assert "<cpf:codeInsee>01053</cpf:codeInsee>" in out.getvalue()


@pytest.mark.reference
def test_the_filled_official_template_deposits_10_ok_passages(official_filled, demo):
    for row in _official_rows():
        b.person(
            birth_name=row["Nom Naissance"],
            first_name=row["Prenom 1"],
            sex=row["Sexe"],
            year=int(row["Annee Naissance"]),
            month=row["Mois Naissance"],
            day=row["Jour Naissance"],
            insee=str(row["Code Insee Commune Naissance"]).zfill(5),
        )
    with official_filled.open("rb") as stream:
        result = sheet_conversion.deposit(
            organisation=demo["university"], user=None, name="modele.xlsx", stream=stream
        )
    engine.process(result.deposit.pk)
    deposit = Deposit.objects.get(pk=result.deposit.pk)
    assert (deposit.state, deposit.ok_count, deposit.ko_count) == ("done", 10, 0), list(
        deposit.results.values_list("message", flat=True)
    )
    assert deposit.sheet_rows == list(range(22, 32)) and deposit.sheet_errors == []
