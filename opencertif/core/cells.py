"""Cells of the CSV and XLSX files the platform writes, made inert (DESIGN §4.14).

A spreadsheet runs a cell as a formula when its text starts with `=`, `+`, `-` or `@`
(also after spaces), and some also when it starts with a tab or a carriage return. Those
texts come from depositors (an idTechnique, a holder's name, a score…) and end up in files
that another organisation opens: a planted `=HYPERLINK(…)` or `=cmd|…` would run on the
reader's machine. Following OWASP's advice on CSV injection, such a text gets a leading
apostrophe, which every spreadsheet shows as text. Numbers and dates that we write
ourselves are written as numbers and dates, never as text.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


def inert(value):
    """`value` as a spreadsheet must read it: a text that would run as a formula gets a
    leading apostrophe; anything else (numbers, dates, safe texts) is returned as is."""
    if not isinstance(value, str) or not value:
        return value
    # Tabs and carriage returns are triggers themselves, so only spaces and the other
    # blanks are skipped before looking at the first character.
    if value.lstrip(" \n\f\v\u00a0\u3000")[:1] in TRIGGERS:
        return "'" + value
    return value


def _local(value: datetime.datetime) -> datetime.datetime:
    """A naive local datetime: spreadsheets have no time zones (openpyxl refuses them)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def csv_row(values: Iterable) -> list:
    """One CSV row: texts made inert, dates in the French format, None as an empty cell."""
    row = []
    for value in values:
        if value is None:
            row.append("")
        elif isinstance(value, datetime.datetime):
            row.append(_local(value).strftime("%d/%m/%Y %H:%M"))
        elif isinstance(value, datetime.date):
            row.append(value.strftime("%d/%m/%Y"))
        else:
            row.append(inert(value))
    return row


def xlsx_row(sheet, values: Iterable) -> list:
    """One row for a write-only openpyxl sheet: texts made inert and written as text,
    numbers as numbers, dates as dates shown in the French format."""
    row = []
    for value in values:
        if isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(sheet, value=_local(value))
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
        elif isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=inert(value))
            # Never guessed: openpyxl would take any text starting with "=" for a formula.
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=value)
        row.append(cell)
    return row
