"""Reading the files: an upload recognised by its content (XLSX or UTF-8 text, whatever its
name), its rows streamed (CSV records bounded in characters, a workbook through
`sheets.xlsx`), and the header found among its first rows by data ID or label."""

import codecs
import csv
import datetime
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from openpyxl.utils import get_column_letter

from opencertif.core.text import fold
from opencertif.deposits.sheets import xlsx
from opencertif.deposits.sheets.columns import ID_INDEX, LABEL_INDEX, Column, header_key
from opencertif.deposits.sheets.errors import SheetRefused
from opencertif.deposits.sheets.values import as_text, is_blank

MIN_HEADER_MATCHES = 5
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A CSV record (one or several lines) beyond this is not a passage: refused before the csv
# module holds it, so that one endless line cannot take the memory.
MAX_RECORD_CHARS = xlsx.MAX_ROW_CHARS

# progress(rows read, share of the file read)
Progress = Callable[[int, float], None]


def recognise(stream: IO[bytes]) -> str:
    """ "xlsx" or "csv" for an upload within the limits, from its size and first bytes
    only (cheap enough for the web request); SheetRefused otherwise."""
    _refuse_size(_size(stream))
    return _kind_of(stream)


def _size(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def _refuse_size(size: int) -> None:
    if size == 0:
        raise SheetRefused("Le fichier est vide.")
    limit = settings.DEPOSIT_MAX_BYTES
    if size > limit:
        raise SheetRefused(
            f"Le fichier dépasse la taille maximale d'un dépôt ({limit // 1_000_000} Mo) : "
            "répartissez les passages sur plusieurs tableurs."
        )


def _kind_of(stream: IO[bytes]) -> str:
    """ "xlsx" or "csv", from the first bytes; SheetRefused for anything else."""
    stream.seek(0)
    head = stream.read(65536)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in head or b"EncryptedPackage" in head:
            raise SheetRefused(
                "Le classeur est protégé par un mot de passe : enregistrez-en une copie sans "
                "mot de passe (Fichier > Informations > Protéger le classeur), puis déposez-la."
            )
        raise SheetRefused(
            "Ce fichier est au format Excel 97-2003 (.xls), que la plateforme ne lit pas : "
            "enregistrez-le au format Classeur Excel (.xlsx) ou CSV UTF-8."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        raise SheetRefused(
            "Le fichier texte est encodé en UTF-16 : enregistrez-le en « CSV UTF-8 (délimité "
            "par des virgules) » ou au format .xlsx."
        )
    if head.startswith(b"%PDF") or b"\x00" in head:
        raise SheetRefused(
            "Ce fichier n'est pas un tableur (son contenu a été vérifié, pas seulement son "
            "nom) : déposez un classeur Excel (.xlsx) ou un fichier CSV."
        )
    text = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    try:
        decoded = codecs.getincrementaldecoder("utf-8")().decode(text, final=len(head) < 65536)
    except UnicodeDecodeError:
        raise SheetRefused(_NOT_UTF8) from None
    if decoded.lstrip().startswith("<"):
        raise SheetRefused(
            "Ce fichier est un document XML ou HTML, pas un tableur : un fichier XML de "
            "passages se dépose depuis la page « Déposer un fichier »."
        )
    return "csv"


_NOT_UTF8 = (
    "Le fichier CSV n'est pas encodé en UTF-8 (probablement Windows-1252 ou Latin-1) : dans "
    "Excel, choisissez « Enregistrer sous » puis « CSV UTF-8 (délimité par des virgules) » ; "
    "dans LibreOffice, le jeu de caractères « Unicode (UTF-8) »."
)


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without its byte order mark: a zero byte in every other position."""
    if len(head) < 8 or b"\x00" not in head:
        return False
    sample = head[:4096]
    return max(sample[0::2].count(0), sample[1::2].count(0)) >= len(sample) // 2 * 0.9


class _Lines:
    """The lines of a text stream for the csv module, each record bounded in characters:
    a line never ends, or a quoted field spans the whole file, and the file is refused
    before the csv module holds it."""

    def __init__(self, text: IO[str]):
        self.text = text
        self.record = 0  # records read so far
        self.chars = 0  # characters of the record being read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.chars += len(line)
        if self.chars > MAX_RECORD_CHARS:
            raise SheetRefused(
                f"Ligne {self.record + 1} : plus de "
                f"{xlsx.grouped(MAX_RECORD_CHARS)} caractères sans fin de ligne (ou un "
                "guillemet jamais refermé) : ce n'est pas une ligne de passage. Vérifiez les "
                "guillemets du fichier."
            )
        return line


def csv_rows(stream: IO[bytes], meter: "Meter") -> Iterator[tuple[int, list]]:
    """The records of a CSV file (`;`, `,` or tab, sniffed on the first line), numbered as
    a spreadsheet shows them."""
    stream.seek(0)
    size = max(_size(stream), 1)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    lines = _Lines(text)
    try:
        first = next(lines, "")
        separator = max((";", ",", "\t"), key=first.count) if first else ";"
        if first and not first.count(separator):
            separator = ";"
        records = csv.reader(itertools.chain([first], lines), delimiter=separator)
        number = 0
        try:
            for number, record in enumerate(records, 1):  # noqa: B007 (number used below)
                lines.record, lines.chars = number, 0
                meter.fraction = min(1.0, stream.tell() / size)
                yield number, record
        except UnicodeDecodeError:
            raise SheetRefused(f"Ligne {number + 1} : caractère illisible. {_NOT_UTF8}") from None
        except csv.Error as exc:
            raise SheetRefused(
                f"Le fichier CSV est mal formé vers la ligne {number + 1} ({exc}) : vérifiez "
                "les guillemets."
            ) from None
    except UnicodeDecodeError:
        raise SheetRefused(_NOT_UTF8) from None
    finally:
        text.detach()


@dataclass
class Meter:
    """The share of the file read so far, set by the row sources."""

    fraction: float = 0.0


def open_workbook(stream: IO[bytes], progress: Progress | None) -> xlsx.Workbook:
    stream.seek(0)
    tick = (lambda: progress(0, 0.0)) if progress is not None else None
    try:
        return xlsx.Workbook(stream, tick=tick)
    except xlsx.Unreadable as exc:
        raise SheetRefused(str(exc)) from None


def xlsx_sheets(workbook: xlsx.Workbook) -> list[xlsx.SheetRef]:
    """Worksheets, the one named like the official template's first."""
    sheets = list(workbook.sheets)
    sheets.sort(key=lambda sheet: fold(sheet.title) != "tableau declaration")
    return sheets


def xlsx_rows(
    workbook: xlsx.Workbook, sheet: xlsx.SheetRef, meter: Meter
) -> Iterator[tuple[int, tuple]]:
    def measure(fraction: float) -> None:
        meter.fraction = fraction

    try:
        yield from workbook.rows(sheet, progress=measure)
    except xlsx.Unreadable as exc:
        raise SheetRefused(str(exc)) from None


# ---------------------------------------------------------------- the header


@dataclass
class Header:
    """Where each known column sits in the file."""

    positions: list[tuple[int, Column, str]]  # (index, column, letter)
    last_row: int
    caption_width: int  # leading columns before the first known one (template captions)
    letters: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.letters = {column.key: letter for _, column, letter in self.positions}


def _matches(values) -> tuple[dict[int, Column], dict[int, Column]]:
    by_id, by_label = {}, {}
    for index, value in enumerate(values):
        if is_blank(value) or isinstance(value, datetime.date | datetime.time):
            continue
        text = value.strip() if isinstance(value, str) else as_text(value)
        if text in ID_INDEX:
            by_id[index] = ID_INDEX[text]
        key = header_key(text)
        if key in LABEL_INDEX:
            by_label[index] = LABEL_INDEX[key]
    return by_id, by_label


def find_header(rows: list[tuple[int, tuple]]) -> Header | None:
    """The header among the first rows: a row of data IDs, of labels, or both."""
    id_row = label_row = None
    for number, values in rows:
        by_id, by_label = _matches(values)
        if id_row is None and len(by_id) >= MIN_HEADER_MATCHES:
            id_row = (number, by_id)
        if label_row is None and len(by_label) >= MIN_HEADER_MATCHES:
            label_row = (number, by_label)
        if id_row and label_row:
            break
    if id_row is None and label_row is None:
        return None
    mapping: dict[int, Column] = dict(id_row[1]) if id_row else {}
    if label_row:
        for index, column in label_row[1].items():
            mapping.setdefault(index, column)
    seen: dict[str, int] = {}
    for index, column in sorted(mapping.items()):
        if column.key in seen:
            raise SheetRefused(
                f"La colonne « {column.label} » ({column.id}) figure deux fois (colonnes "
                f"{get_column_letter(seen[column.key] + 1)} et {get_column_letter(index + 1)}) : "
                "supprimez l'une d'elles."
            )
        seen[column.key] = index
    if "id_technique" not in seen:
        raise SheetRefused(
            "La colonne « Id Technique » (5.1) est introuvable dans l'en-tête : gardez la "
            "ligne des identifiants ou des intitulés du modèle."
        )
    last = max(row[0] for row in (id_row, label_row) if row)
    return Header(
        positions=[
            (index, column, get_column_letter(index + 1))
            for index, column in sorted(mapping.items())
        ],
        last_row=last,
        caption_width=min(mapping),
    )
