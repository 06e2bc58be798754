"""Reading .xlsx workbooks streaming, in bounded memory, whatever the file holds.

An .xlsx is a zip of XML parts. openpyxl, even in read-only mode, keeps every shared
string in memory (measured: a workbook of 200,000 rows holds 400,000 strings, and a
crafted one whose strings inflate to gigabytes takes the server's memory) and trusts the
sizes the zip declares. This reader:

- reads the zip's central directory only when the end record says it is small (at most
  MAX_ENTRIES entries), and only parts that are stored or deflated (the other methods
  inflate without an output bound), never encrypted;
- caps what each part inflates: the declared size and the bytes actually inflated both at
  most `SHEET_MAX_INFLATED_BYTES`, and at most MAX_RATIO times the compressed size once
  past RATIO_FLOOR: a part that goes beyond is refused while it is read (a zip header that
  lies about the size is not believed);
- parses every XML part with lxml incrementally, without DTD, entities or network, and
  refuses a DOCTYPE where the parser reports it, whatever the encoding or what precedes
  it; between two elements handed over (a row, a shared string), the parser may read at
  most GAP_BYTES, and every element handed over is then freed, so the tree never grows;
- keeps the shared strings on disk (one temporary file of texts, one of offsets), with a
  small cache for the short ones that repeat (names, codes, OUI/NON);
- yields each row as openpyxl's `iter_rows(values_only=True)` does (numbers, dates and
  times by the cell's number format, booleans, text; empty tuples for missing rows), each
  row bounded in cells (Excel's 16,384 columns) and characters.

Every refusal is a `Unreadable` carrying the French sentence to show.
"""

import contextlib
import os
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

MAX_ENTRIES = 1_000
MAX_CENTRAL_DIRECTORY = 1_000_000
MAX_RATIO = 100
# Small parts compress as they like (a sheet of 5,000 empty formatted rows is 200:1): the
# ratio is only a zip bomb's signature past this size.
RATIO_FLOOR = 10_000_000
GAP_BYTES = 1_000_000
READ_SIZE = 1 << 16
MAX_COLUMNS = 16_384  # Excel's last column, XFD
MAX_ROWS = 1_048_576  # Excel's last row
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
MAX_ROW_CHARS = 100_000
MAX_SHEETS = 1_000
MAX_STYLES = 65_536
CACHED_LENGTH = 48
CACHE_SIZE = 50_000

MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "strict" OOXML
)
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT_RELATIONSHIP_ATTRIBUTES = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_OFFSET = struct.Struct("<Q")
_REFERENCE = re.compile(r"([A-Za-z]{1,3})")

CORRUPT = (
    "Le classeur est corrompu{detail} : ouvrez-le dans votre tableur et enregistrez-le de "
    "nouveau au format .xlsx."
)
TOO_BIG = (
    "Le classeur est anormalement volumineux une fois décompressé ({what} dépasse "
    "{limit} Mo, ou plus de {ratio} fois sa taille compressée) : enregistrez-le de nouveau "
    "depuis votre tableur, ou répartissez les passages sur plusieurs tableurs."
)


class Unreadable(ValueError):
    """The workbook cannot be read; the message says why and what to do, in French."""


def _tags(*names: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{name}" for ns in MAIN_NAMESPACES for name in names)


C_TAGS = _tags("c")
ROW_TAGS = _tags("row")
SHEET_DATA_TAGS = _tags("sheetData")
SI_TAGS = _tags("si")
V_TAGS = _tags("v")
IS_TAGS = _tags("is")
T_TAGS = _tags("t")
R_TAGS = _tags("r")


def grouped(value: int) -> str:
    """12345 → "12 345", grouped the French way (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")


def corrupt(detail: str = "") -> Unreadable:
    return Unreadable(CORRUPT.format(detail=f" ({detail})" if detail else ""))


def max_inflated() -> int:
    return settings.SHEET_MAX_INFLATED_BYTES


# ---------------------------------------------------------------- the zip


def _check_directory(stream: IO[bytes]) -> None:
    """Refuse, before zipfile reads it whole, a central directory that is not small.

    zipfile builds one object per entry: a 200 MB upload can declare millions of them."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    tail_size = min(size, _EOCD.size + 65_535)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise corrupt("archive illisible")
    _sig, _disk, _start_disk, _here, entries, directory, _offset, _comment = _EOCD.unpack(
        tail[at : at + _EOCD.size]
    )
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        # Zip64: the real counts are in the zip64 end record, located just before.
        locator_at = at - _EOCD64_LOCATOR.size
        if locator_at < 0:
            raise corrupt("archive illisible")
        signature, _disk, record_offset, _disks = _EOCD64_LOCATOR.unpack(tail[locator_at:at])
        if signature != b"PK\x06\x07" or record_offset > size - _EOCD64.size:
            raise corrupt("archive illisible")
        stream.seek(record_offset)
        record = stream.read(_EOCD64.size)
        stream.seek(0)
        fields = _EOCD64.unpack(record)
        if fields[0] != b"PK\x06\x06":
            raise corrupt("archive illisible")
        entries, directory = fields[7], fields[8]
    if entries > MAX_ENTRIES or directory > MAX_CENTRAL_DIRECTORY:
        raise Unreadable(
            f"Le classeur contient plus de {MAX_ENTRIES} fichiers internes : ce n'est pas un "
            "classeur ordinaire. Enregistrez-le de nouveau depuis votre tableur."
        )


def cap(info: zipfile.ZipInfo) -> int:
    """The most a part may inflate to: SHEET_MAX_INFLATED_BYTES, and MAX_RATIO times its
    compressed size past RATIO_FLOOR."""
    return min(max_inflated(), max(RATIO_FLOOR, MAX_RATIO * info.compress_size))


def too_big(name: str) -> Unreadable:
    return Unreadable(
        TOO_BIG.format(what=f"la partie {name}", limit=max_inflated() // 1_000_000, ratio=MAX_RATIO)
    )


class _Part:
    """A part of the zip, inflated with its bytes counted: refused past its cap, and past
    GAP_BYTES read without the caller having taken an element (see `handed_over`)."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        if info.flag_bits & 0x1:
            raise Unreadable(
                "Le classeur est protégé par un mot de passe : enregistrez-en une copie sans "
                "mot de passe, puis déposez-la."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise corrupt(f"{info.filename} : méthode de compression non admise")
        self.cap = cap(info)
        self.name = info.filename
        self.declared = info.file_size
        if info.file_size > self.cap:
            raise too_big(self.name)
        self.inflated = 0
        self.unclaimed = 0
        try:
            self._file = archive.open(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as exc:
            raise corrupt(f"{info.filename} illisible") from exc

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > READ_SIZE:
            size = READ_SIZE
        try:
            data = self._file.read(size)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise corrupt(f"{self.name} illisible") from exc
        self.inflated += len(data)
        self.unclaimed += len(data)
        if self.inflated > self.cap:
            raise too_big(self.name)
        if self.unclaimed > GAP_BYTES:
            raise Unreadable(
                f"Le classeur a une structure anormale ({self.name} : plus de "
                f"{GAP_BYTES // 1_000_000} Mo sans ligne ni cellule, ou une ligne de plus de "
                f"{GAP_BYTES // 1_000_000} Mo) : enregistrez-le de nouveau depuis votre tableur."
            )
        return data

    def handed_over(self) -> None:
        self.unclaimed = 0

    def close(self) -> None:
        self._file.close()


def _events(part: _Part, tags: frozenset[str]) -> Iterator[etree._Element]:
    """End events of `tags`, parsed safely; the caller frees each element (`_drop`)."""
    parser = etree.iterparse(
        part,
        events=("end",),
        tag=sorted(tags),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    checked = False
    try:
        for _event, element in parser:
            part.handed_over()
            if not checked:
                _refuse_doctype(element.getroottree(), part.name)
                checked = True
            yield element
        root = parser.root
        if root is not None and not checked:
            _refuse_doctype(root.getroottree(), part.name)
    except etree.XMLSyntaxError as exc:
        raise corrupt(f"{part.name} : XML illisible") from exc


def _refuse_doctype(tree, name: str) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None:
        raise Unreadable(
            f"Le classeur contient une déclaration DOCTYPE ({name}), qu'aucun tableur "
            "n'écrit et que la plateforme refuse : enregistrez-le de nouveau depuis votre "
            "tableur au format .xlsx."
        )


def _drop(element: etree._Element) -> None:
    """Free an element handed over, with whatever its parent held before it.

    Each is emptied before it is detached: lxml detaches a subtree node by node, fixing
    namespaces (20 s for a row of 200,000 junk elements), but empties one at once."""
    element.clear()
    parent = element.getparent()
    if parent is None:
        return
    while len(parent):
        first = parent[0]
        first.clear()
        del parent[0]
        if first is element:
            break
    # What preceded the parent (a sheet's <cols>, <sheetViews>…) is finished too.
    grandparent = parent.getparent()
    while grandparent is not None and parent.getprevious() is not None:
        grandparent[0].clear()
        del grandparent[0]


# ---------------------------------------------------------------- shared strings


class SharedStrings:
    """The workbook's shared strings, on disk: texts in one temporary file, the offset of
    each text's end in another; short strings that repeat are cached."""

    def __init__(self):
        self._texts = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._ends = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._pending = array("Q")
        self._position = 0
        self.count = 0
        self._cache: dict[int, str] = {}

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        self._texts.write(data)
        self._position += len(data)
        self._pending.append(self._position)
        self.count += 1
        if len(self._pending) >= 8192:
            self._flush()

    def _flush(self) -> None:
        self._ends.write(self._pending.tobytes())
        self._pending = array("Q")

    def finish(self) -> None:
        self._flush()
        self._texts.flush()
        self._ends.flush()

    def __getitem__(self, index: int) -> str:
        text = self._cache.get(index)
        if text is not None:
            return text
        if not 0 <= index < self.count:
            raise IndexError(index)
        if index:
            start, end = struct.unpack("<2Q", os.pread(self._ends.fileno(), 16, (index - 1) * 8))
        else:
            start, end = 0, _OFFSET.unpack(os.pread(self._ends.fileno(), 8, 0))[0]
        text = os.pread(self._texts.fileno(), end - start, start).decode("utf-8")
        if len(text) <= CACHED_LENGTH:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[index] = text
        return text

    def close(self) -> None:
        self._texts.close()
        self._ends.close()


def _rich_text(element: etree._Element) -> str:
    """The text of an <si> or <is>: its <t>, then the <t> of its runs; phonetic runs (rPh)
    left out, as openpyxl does."""
    plain, runs = "", []
    for child in element:
        tag = child.tag
        if tag in T_TAGS:
            plain = child.text or ""
        elif tag in R_TAGS:
            for part in child:
                if part.tag in T_TAGS and part.text:
                    runs.append(part.text)
    return plain + "".join(runs) if runs else plain


def _too_long_cell(where: str) -> Unreadable:
    return Unreadable(
        f"Le classeur contient une cellule de plus de {grouped(MAX_CELL_CHARS)} caractères "
        f"({where}), la limite d'Excel : raccourcissez-la."
    )


# ---------------------------------------------------------------- the workbook


@dataclass(frozen=True)
class SheetRef:
    title: str
    part: str


class Workbook:
    """An .xlsx opened for streaming: `sheets`, then `rows(sheet)`. Close it (or use it as
    a context manager): shared strings live in temporary files."""

    def __init__(self, stream: IO[bytes], *, tick=None):
        # tick() is called now and then while the shared strings are read (the caller's
        # heartbeat: a part of hundreds of megabytes takes a while).
        self._tick = tick
        self._strings: SharedStrings | None = None
        _check_directory(stream)
        try:
            self._archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise corrupt("archive illisible") from exc
        try:
            self._open(stream)
        except BaseException:
            self.close()
            raise

    def _open(self, stream: IO[bytes]) -> None:
        self._entries = {info.filename: info for info in self._archive.infolist()}
        for info in self._entries.values():
            # Every part, even one never read: a workbook that carries a bomb is refused.
            if info.file_size > cap(info):
                raise too_big(info.filename)
        self._folded = {name.lower(): name for name in self._entries}
        package = self._relationships("_rels/.rels", "")
        workbook_part = next(
            (target for kind, target in package.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        if self._entry(workbook_part) is None:
            if self._entry("mimetype") is not None:
                raise Unreadable(
                    "Ce fichier est au format OpenDocument (.ods), que la plateforme ne lit "
                    "pas : enregistrez-le au format Classeur Excel (.xlsx) ou CSV UTF-8."
                )
            raise Unreadable(
                "Ce fichier est une archive zip, mais pas un classeur Excel : déposez un "
                "fichier .xlsx ou CSV."
            )
        folder = posixpath.dirname(workbook_part)
        relations = self._relationships(
            posixpath.join(folder, "_rels", posixpath.basename(workbook_part) + ".rels"), folder
        )
        declared, self.epoch = self._workbook(workbook_part)
        self.sheets: list[SheetRef] = []
        for title, relation in declared:
            kind, target = relations.get(relation, ("", ""))
            if kind.endswith("/worksheet") and self._entry(target) is not None:
                self.sheets.append(SheetRef(title, target))
        self._date_styles, self._timedelta_styles = frozenset(), frozenset()
        styles = next((t for k, t in relations.values() if k.endswith("/styles")), None)
        if styles and self._entry(styles) is not None:
            self._date_styles, self._timedelta_styles = self._styles(styles)
        self._strings = SharedStrings()
        strings = next((t for k, t in relations.values() if k.endswith("/sharedStrings")), None)
        if strings and self._entry(strings) is not None:
            self._read_strings(strings)
        self._strings.finish()

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._strings is not None:
            self._strings.close()
        archive = getattr(self, "_archive", None)
        if archive is not None:
            archive.close()

    def _entry(self, name: str) -> zipfile.ZipInfo | None:
        name = name.lstrip("/")
        found = self._entries.get(name)
        if found is None and name.lower() in self._folded:
            # Part names are case-insensitive in the packaging convention.
            found = self._entries[self._folded[name.lower()]]
        return found

    def _part(self, name: str) -> _Part:
        info = self._entry(name)
        if info is None:
            raise corrupt(f"{name} absent")
        return _Part(self._archive, info)

    def _parse(self, name: str, tags: frozenset[str]) -> Iterator[etree._Element]:
        part = self._part(name)
        try:
            yield from _events(part, tags)
        finally:
            part.close()

    def _relationships(self, name: str, folder: str) -> dict[str, tuple[str, str]]:
        """Id → (type, target resolved from the package's root)."""
        if self._entry(name) is None:
            return {}
        found = {}
        for element in self._parse(name, frozenset({f"{{{RELATIONSHIPS_NS}}}Relationship"})):
            target = element.get("Target") or ""
            if element.get("TargetMode") != "External" and len(found) < MAX_ENTRIES:
                resolved = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
                found[element.get("Id") or ""] = (element.get("Type") or "", resolved)
            _drop(element)
        return found

    def _workbook(self, name: str) -> tuple[list[tuple[str, str]], object]:
        sheets, epoch = [], CALENDAR_WINDOWS_1900
        for element in self._parse(name, _tags("sheet", "workbookPr")):
            if element.tag.endswith("}workbookPr"):
                if (element.get("date1904") or "").lower() in ("1", "true"):
                    epoch = CALENDAR_MAC_1904
            elif len(sheets) < MAX_SHEETS:
                relation = next(
                    (element.get(a) for a in DOCUMENT_RELATIONSHIP_ATTRIBUTES if element.get(a)),
                    "",
                )
                sheets.append((element.get("name") or "", relation))
            _drop(element)
        return sheets, epoch

    def _styles(self, name: str) -> tuple[frozenset[int], frozenset[int]]:
        """The cell styles whose number format is a date (and among them a duration)."""
        custom: dict[int, str] = {}
        formats: list[int] = []
        for element in self._parse(name, _tags("numFmt", "xf")):
            if element.tag.endswith("}numFmt"):
                if len(custom) < MAX_STYLES:
                    with contextlib.suppress(ValueError):
                        custom[int(element.get("numFmtId") or "")] = (
                            element.get("formatCode") or ""
                        )[:255]
            else:
                parent = element.getparent()
                if (
                    parent is not None
                    and parent.tag.endswith("}cellXfs")
                    and len(formats) < MAX_STYLES
                ):
                    try:
                        formats.append(int(element.get("numFmtId") or 0))
                    except ValueError:
                        formats.append(0)
            _drop(element)
        dates, durations = set(), set()
        for index, format_id in enumerate(formats):
            code = custom.get(format_id, BUILTIN_FORMATS.get(format_id))
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
        return frozenset(dates), frozenset(durations)

    def _read_strings(self, name: str) -> None:
        strings = self._strings
        for element in self._parse(name, SI_TAGS):
            text = _rich_text(element)
            if len(text) > MAX_CELL_CHARS:
                raise _too_long_cell(f"texte partagé n° {strings.count + 1}")
            # openpyxl's reading of the escaped underscore, kept for the same values.
            strings.append(text.replace("x005F_", ""))
            _drop(element)
            if self._tick is not None and strings.count % 10_000 == 0:
                self._tick()

    # -------------------------------------------------------------- rows

    def rows(self, sheet: SheetRef, progress=None) -> Iterator[tuple[int, tuple]]:
        """(row number, values) of every row, missing rows as empty tuples.

        `progress(fraction)` may be called with the share of the sheet read so far."""
        part = self._part(sheet.part)
        total = max(part.declared, 1)
        try:
            last = 0
            for element in _events(part, ROW_TAGS | SHEET_DATA_TAGS):
                if element.tag in SHEET_DATA_TAGS:
                    break  # what follows the data (merged cells, formatting) is not read
                number = element.get("r")
                try:
                    number = int(number) if number else last + 1
                except ValueError:
                    raise corrupt(f"numéro de ligne « {number[:20]} »") from None
                if number > MAX_ROWS:
                    raise Unreadable(
                        f"La feuille « {sheet.title} » va au-delà de la ligne "
                        f"{grouped(MAX_ROWS)}, la dernière d'Excel : enregistrez-la de nouveau "
                        "depuis votre tableur."
                    )
                if number <= last:
                    raise corrupt(f"ligne {number} après la ligne {last}")
                values = self._cells(element, number)
                _drop(element)
                for missing in range(last + 1, number):
                    yield missing, ()
                last = number
                if progress is not None:
                    progress(min(1.0, part.inflated / total))
                yield number, values
        finally:
            part.close()

    def _cells(self, row: etree._Element, number: int) -> tuple:
        values: list = []
        column = 0
        chars = 0
        for cell in row:
            if cell.tag not in C_TAGS:
                continue
            reference = cell.get("r")
            if reference:
                found = _REFERENCE.match(reference)
                if found is None:
                    raise corrupt(f"cellule « {reference[:20]} »")
                column = _column_index(found.group(1))
            else:
                column += 1
            if column > MAX_COLUMNS:
                raise corrupt(f"ligne {number} : plus de {MAX_COLUMNS} colonnes")
            value = self._value(cell, number)
            if value is None:
                continue
            if isinstance(value, str):
                chars += len(value)
                if chars > MAX_ROW_CHARS:
                    raise Unreadable(
                        f"La ligne {number} du classeur contient plus de "
                        f"{grouped(MAX_ROW_CHARS)} caractères : ce n'est pas une ligne de "
                        "passage. Videz les cellules superflues, puis déposez-le de nouveau."
                    )
            if len(values) < column:
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
        return tuple(values)

    def _value(self, cell: etree._Element, number: int):
        kind = cell.get("t") or "n"
        text = None
        for child in cell:
            tag = child.tag
            if tag in V_TAGS:
                if kind != "inlineStr":
                    text = child.text
            elif tag in IS_TAGS and kind == "inlineStr":
                text = _rich_text(child)
                if len(text) > MAX_CELL_CHARS:
                    raise _too_long_cell(f"ligne {number}")
                return text
        if not text:
            return None
        try:
            if kind == "n":
                value = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
                style = cell.get("s")
                if style and int(style) in self._date_styles:
                    try:
                        return from_excel(
                            value, self.epoch, timedelta=int(style) in self._timedelta_styles
                        )
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return value
            if kind == "s":
                return self._strings[int(text)]
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
        except (ValueError, IndexError, OverflowError):
            raise corrupt(f"ligne {number}, valeur « {text[:20]} » illisible") from None
        # "str" (a formula's text), "e" (an error such as #N/A): the text as it is.
        if len(text) > MAX_CELL_CHARS:
            raise _too_long_cell(f"ligne {number}")
        return text


_COLUMNS: dict[str, int] = {}


def _column_index(letters: str) -> int:
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for letter in letters.upper():
            index = index * 26 + ord(letter) - 64
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = index
    return index
