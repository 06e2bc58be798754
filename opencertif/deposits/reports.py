"""Processing reports (accusés de traitement): the official XML shape, CSV and XLSX.

Built on demand from the deposit's PassageResult rows (or its file errors), streamed, so a
report of 200,000 passages never sits whole in memory. Every CSV/XLSX cell goes through
`core.cells`: what the depositor wrote never runs as a formula in the reader's spreadsheet.
"""

import csv
import io
import tempfile
from collections.abc import Iterator
from xml.sax.saxutils import escape

from openpyxl import Workbook

from opencertif.core import cells
from opencertif.deposits.enums import Channel, DepositState, Verdict
from opencertif.deposits.models import Deposit, PassageResult

REPORT_NAMESPACE = "urn:cdc:cpf:pc5:rapport:schema"
HEADERS = (
    "idTechnique",
    "statut",
    "message",
    "titulaire",
    "certification",
    "ligne du fichier",
    "pistes de correction",
)


def headers(deposit: Deposit) -> tuple[str, ...]:
    """The CSV/XLSX columns: a spreadsheet deposit gives the row of the sheet, not of the XML."""
    if source(deposit).channel == Channel.SHEET:
        return tuple("ligne du tableur" if h == "ligne du fichier" else h for h in HEADERS)
    return HEADERS


def sheet_row(rows: list[int], result: PassageResult) -> int:
    """The sheet row of a result of a spreadsheet deposit (0 when unknown)."""
    return rows[result.seq] if 0 <= result.seq < len(rows) else 0


def source(deposit: Deposit) -> Deposit:
    """The deposit whose results answer for this one (an identical file answered first)."""
    return deposit.duplicate_of or deposit


def results(deposit: Deposit, *, ok: bool | None = None) -> Iterator[PassageResult]:
    queryset = PassageResult.objects.filter(deposit=source(deposit)).order_by("seq")
    if ok is not None:
        queryset = queryset.filter(ok=ok)
    return queryset.only(*PassageResult.REPORT_FIELDS).iterator(chunk_size=5000)


def xml_chunks(deposit: Deposit) -> Iterator[str]:
    """The report in the official shape, piece by piece."""
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    yield f'<rapport xmlns:ns2="{REPORT_NAMESPACE}">\n'
    yield f"    <nomFichier>{escape(deposit.file_name)}</nomFichier>\n"
    if deposit.id_flux:
        yield f"    <idFlux>{escape(deposit.id_flux)}</idFlux>\n"
    yield f"    <idTraitement>{deposit.pk}</idTraitement>\n"
    origin = source(deposit)
    if origin.state == DepositState.REJECTED:
        yield "    <erreurs>\n"
        for error in origin.errors:
            yield (
                "        <erreur>\n"
                f"            <type>{escape(error['type'])}</type>\n"
                f"            <message>{escape(error['message'])}</message>\n"
                f"            <ligne>{int(error.get('line') or 0)}</ligne>\n"
                f"            <colonne>{int(error.get('column') or 0)}</colonne>\n"
                "        </erreur>\n"
            )
        yield "    </erreurs>\n"
    else:
        if origin.ko_count:
            yield "    <PassagesKO>\n"
            for result in results(deposit, ok=False):
                yield (
                    "        <passage>\n"
                    f"            <idTechnique>{escape(result.id_technique)}</idTechnique>\n"
                    f"            <messageErreur>{escape(result.message)}</messageErreur>\n"
                    "        </passage>\n"
                )
            yield "    </PassagesKO>\n"
        if origin.ok_count or origin.unchanged_count or origin.deleted_count:
            yield "    <PassagesOK>\n"
            for result in results(deposit, ok=True):
                yield f"        <idTechnique>{escape(result.id_technique)}</idTechnique>\n"
            yield "    </PassagesOK>\n"
    yield "</rapport>\n"


def _status(result: PassageResult) -> str:
    return {
        Verdict.ACCEPTED: "OK",
        Verdict.UNCHANGED: "OK (inchangé)",
        Verdict.DELETED: "OK (supprimé)",
    }.get(result.verdict, "KO")


def _left_out(origin: Deposit) -> Iterator[tuple]:
    """The rows of a spreadsheet left out before the deposit: not passages, but to fix."""
    for error in origin.sheet_errors:
        where = f"colonne {error['column']} ({error['label']}) : " if error.get("column") else ""
        yield ("", "LIGNE ÉCARTÉE", where + error["message"], "", "", error.get("row") or "", "")


def _rows(deposit: Deposit) -> Iterator[tuple]:
    origin = source(deposit)
    sheet = origin.channel == Channel.SHEET
    if origin.state == DepositState.REJECTED:
        for error in origin.errors:
            yield ("", "FICHIER REJETÉ", error["message"], "", "", error.get("line") or "", "")
        if sheet:
            yield from _left_out(origin)
        return
    rows = origin.sheet_rows if sheet else []
    for result in results(deposit):
        yield (
            result.id_technique,
            _status(result),
            result.message,
            result.holder_label,
            result.certification_code,
            sheet_row(rows, result) if sheet else result.line,
            " ".join(result.near_misses),
        )
    if sheet:
        yield from _left_out(origin)


def csv_chunks(deposit: Deposit) -> Iterator[str]:
    """The report as CSV for spreadsheets: UTF-8 with BOM, `;`-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(cells.csv_row(headers(deposit)))
    for count, row in enumerate(_rows(deposit), 1):
        writer.writerow(cells.csv_row(row))
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(deposit: Deposit):
    """The report as an XLSX workbook in a temporary file (write-only: constant memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Accusé de traitement")
    sheet.append(cells.xlsx_row(sheet, headers(deposit)))
    for row in _rows(deposit):
        sheet.append(cells.xlsx_row(sheet, row))
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (returned open)
    workbook.save(handle.name)
    handle.seek(0)
    return handle
