"""Hostile spreadsheets, written by the tests: workbooks whose parts inflate to gigabytes
(with honest or lying zip headers), sheet and shared-string parts carrying a DOCTYPE in
any encoding or behind a long prologue, junk structures, and files that only pretend to
be spreadsheets. Bombs are forged (the same deflate block repeated after a full flush), so
that building one takes milliseconds whatever it inflates to.
"""

import struct
import zlib

from opencertif.deposits.sheets import columns as sheet_columns

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
GIGABYTES = 2_200_000_000

CONTENT_TYPES = (
    DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    DECLARATION + f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    DECLARATION + f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
    '<sheet name="Tableau declaration" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    DECLARATION + f'<Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
LABELS = [column.label for column in sheet_columns.COLUMNS]


def _cell(column: int, row: int, value) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    reference = f"{letters}{row}"
    if isinstance(value, int):
        return f'<c r="{reference}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[dict], *, first: str = "") -> str:
    """A sheet: the labels on row 1, then one row per dict (label → value), inline text;
    `first` is written right after the XML declaration (a prologue, a DOCTYPE)."""
    lines = [_row(1, {label: label for label in LABELS})]
    for number, row in enumerate(rows, 2):
        lines.append(_row(number, row))
    return (
        DECLARATION
        + first
        + f'<worksheet xmlns="{MAIN}"><sheetData>'
        + "".join(lines)
        + "</sheetData></worksheet>"
    )


def _row(number: int, values: dict) -> str:
    cells = "".join(
        _cell(LABELS.index(label) + 1, number, value)
        for label, value in values.items()
        if value is not None
    )
    return f'<row r="{number}">{cells}</row>'


def strings_xml(texts: list[str], *, first: str = "") -> str:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return DECLARATION + first + f'<sst xmlns="{MAIN}">{items}</sst>'


def parts(sheet: str | bytes, strings: str | bytes | None = None) -> dict[str, bytes]:
    """The parts of a minimal workbook around a sheet (and shared strings)."""
    found = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings if strings is not None else strings_xml([]),
    }
    return {
        name: data if isinstance(data, bytes) else data.encode() for name, data in found.items()
    }


# ---------------------------------------------------------------- a zip written by hand


def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def bomb(block: bytes, repeat: int, *, head: bytes = b"", tail: bytes = b"") -> tuple[bytes, int]:
    """A raw deflate stream of head + block × repeat + tail, and its inflated size. After
    a full flush the compressor starts afresh, so the block compresses to the same bytes
    every time: they are written once and repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    once = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    return start + once * repeat + end, len(head) + len(block) * repeat + len(tail)


def zip_bytes(entries: dict[str, bytes], *, raw: dict | None = None) -> bytes:
    """A zip of `entries` (deflated), plus `raw` entries given as
    name → (deflate stream, declared inflated size)."""
    members = [
        (name, _deflated(data), len(data), zlib.crc32(data)) for name, data in entries.items()
    ]
    for name, (stream, declared) in (raw or {}).items():
        members.append((name, stream, declared, 0))
    out, directory = bytearray(), bytearray()
    for name, compressed, size, crc in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(compressed), size, len(encoded), 0
        )
        out += encoded + compressed
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(compressed),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    start = len(out)
    out += directory
    out += struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0
    )
    return bytes(out)


def workbook(sheet: str | bytes, strings: str | bytes | None = None, *, raw=None) -> bytes:
    """A whole .xlsx around a sheet; `raw` parts (forged bombs) replace the named ones."""
    found = parts(sheet, strings)
    for name in raw or {}:
        found.pop(name, None)
    return zip_bytes(found, raw=raw)


# ---------------------------------------------------------------- the hostile files


def strings_bomb(*, declared: int | None = None) -> bytes:
    """Shared strings that inflate to gigabytes (millions of 100-character strings), the
    zip header saying so, or lying (`declared`)."""
    item = b"<si><t>" + b"A" * 100 + b"</t></si>"
    stream, size = bomb(
        item * 10_000,
        GIGABYTES // (len(item) * 10_000),
        head=f'{DECLARATION}<sst xmlns="{MAIN}">'.encode(),
        tail=b"</sst>",
    )
    return workbook(sheet_xml([]), raw={"xl/sharedStrings.xml": (stream, declared or size)})


def sheet_bomb(*, declared: int | None = None) -> bytes:
    """A sheet part of gigabytes of rows after the header (rows without a number are
    numbered in turn)."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    stream, size = bomb(
        row * 10_000,
        GIGABYTES // (len(row) * 10_000),
        head=sheet_xml([]).removesuffix("</sheetData></worksheet>").encode(),
        tail=b"</sheetData></worksheet>",
    )
    return workbook(sheet_xml([]), raw={"xl/worksheets/sheet1.xml": (stream, declared or size)})


def ratio_bomb() -> bytes:
    """An unused part of 50 MB compressed 1,000 to 1: refused although never needed."""
    stream, size = bomb(b"\x00" * 1_000_000, 50)
    return workbook(sheet_xml([]), raw={"xl/media/image1.png": (stream, size)})


ENTITY = '<!DOCTYPE worksheet [<!ENTITY a "Camille">]>\n'
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY l0 "ha">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>\n"
)


def with_doctype(row: dict, *, doctype: str = ENTITY, prologue: str = "", encoding="utf-8"):
    """A workbook whose sheet declares a DOCTYPE (and uses its entity in a cell), behind a
    prologue, in any encoding the XML declaration names."""
    values = dict(row)
    values["Prenom 1"] = "&a;" if "ENTITY a " in doctype else "&l9;"
    text = sheet_xml([values], first=prologue + doctype)
    text = text.replace("&amp;a;", "&a;").replace("&amp;l9;", "&l9;")
    if encoding != "utf-8":
        declared = encoding.upper().replace("-LE", "").replace("-BE", "")
        text = text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    return workbook(text.encode(encoding))


def strings_with_doctype() -> bytes:
    return workbook(sheet_xml([]), strings_xml(["&a;"], first='<!DOCTYPE sst [<!ENTITY a "b">]>\n'))


def many_entries() -> bytes:
    entries = parts(sheet_xml([]))
    for index in range(5_000):
        entries[f"xl/media/vide{index}.bin"] = b""
    return zip_bytes(entries)


def junk_row() -> bytes:
    """One row of 200,000 empty elements (about 2 MB): no cell, all structure."""
    text = sheet_xml([]).replace(
        "</sheetData>", "<row r='2'>" + "<x/>" * 200_000 + "</row></sheetData>"
    )
    return workbook(text)


def long_shared_string() -> bytes:
    return workbook(sheet_xml([]), strings_xml(["A" * 40_000]))
