"""Spreadsheet upload memory benchmark (`make bench`): never run by the test suite.

Writes spreadsheets at the limits the platform accepts — an .xlsx as Excel saves it
(shared strings, dates as formatted numbers) and a CSV, each of N realistic passage rows
(default 200,000: shared first names and surnames, four certifications, a unique
idTechnique per row) — and hostile workbooks whose shared strings inflate to gigabytes.
Each upload is then received and converted as the page and its task do
(`sheets.imports.receive` then `sheets.imports.run`: conversion, then the deposit handed to
the engine), in a fresh child process whose peak RSS (`ru_maxrss`, Django included) is
measured alone. For comparison, the same .xlsx read by openpyxl in read-only mode, which
is what the conversion used before.

    .venv/bin/python bench/spreadsheet_memory.py [--rows 200000]
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Hugo",
    "Jules",
    "Inès",
    "Noah",
    "Zoé",
    "Louis",
    "Emma",
    "Gabriel",
    "Jade",
    "Raphaël",
    "Louise",
    "Arthur",
    "Alice",
    "Adam",
    "Chloé",
    "Lucas",
    "Lina",
    "Maël",
    "Rose",
    "Paul",
    "Anna",
    "Nathan",
    "Mila",
    "Tom",
    "Julia",
    "Léo",
    "Ambre",
    "Sacha",
    "Mia",
    "Théo",
    "Manon",
    "Ethan",
    "Lou",
    "Victor",
    "Agathe",
    "Liam",
    "Juliette",
    "Nolan",
    "Romane",
    "Aaron",
    "Léna",
    "Eden",
    "Sarah",
    "Timéo",
    "Nina",
]
SURNAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
]
TOWNS = ("75056", "69123", "13055", "31555", "33063", "59350", "44109", "67482", "35238", "06088")
CERTIFICATIONS = (
    ("RNCP", "RNCP90001"),
    ("RNCP", "RNCP90002"),
    ("RNCP", "RNCP90003"),
    ("RS", "RS90004"),
)
HONOURS = ("SANS_MENTION", "MENTION_ASSEZ_BIEN", "MENTION_BIEN", "MENTION_TRES_BIEN")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def realistic_rows(count: int):
    """label → value of each passage row: what a certifier's sheet holds."""
    pick = random.Random(2026)
    for index in range(count):
        certification_type, code = CERTIFICATIONS[index % len(CERTIFICATIONS)]
        yield {
            "Id Client": "DEMO0001",
            "Id Client 2": "DEMO0001",
            "Id Contrat": "MCFCER000001",
            "Type": certification_type,
            "Code": code,
            "Id Technique": f"UNIV-2025-{index + 1:07d}",
            "Obtention Certification": "PAR_ADMISSION",
            "Donnee Certifiee": "OUI",
            "Date Debut Validite": datetime.date(2025, 6, 1 + index % 28),
            "Date Fin Validite": "NILL",
            "Presence Niveau Langue Euro": "NON",
            "Presence Niveau Numerique Euro": "NON",
            "Mention Validee": HONOURS[index % len(HONOURS)],
            "Nom Naissance": pick.choice(SURNAMES),
            "Prenom 1": pick.choice(FIRST_NAMES),
            "Annee Naissance": 1960 + index % 45,
            "Mois Naissance": 1 + index % 12,
            "Jour Naissance": 1 + index % 28,
            "Sexe": "FM"[index % 2],
            "Code Insee Commune Naissance": TOWNS[index % len(TOWNS)],
        }


# ---------------------------------------------------------------- writing the files


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_xlsx(path: Path, columns: list, rows) -> None:
    """As Excel saves it: text in the shared strings, dates as numbers with a date format,
    the official template's layout (IDs on row 1, labels on row 2, from column B)."""
    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        return strings.setdefault(text, len(strings))

    position = {column.label: index + 2 for index, column in enumerate(columns)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{DECLARATION}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for number, texts in ((1, [c.id for c in columns]), (2, [c.label for c in columns])):
                cells = "".join(
                    f'<c r="{_letters(i + 2)}{number}" t="s"><v>{shared(t)}</v></c>'
                    for i, t in enumerate(texts)
                )
                sheet.write(f'<row r="{number}">{cells}</row>'.encode())
            for number, row in enumerate(rows, 3):
                cells = []
                for label, value in row.items():
                    reference = f"{_letters(position[label])}{number}"
                    if isinstance(value, datetime.date):
                        serial = (value - EXCEL_EPOCH).days
                        cells.append(f'<c r="{reference}" s="1"><v>{serial}</v></c>')
                    elif isinstance(value, int):
                        cells.append(f'<c r="{reference}"><v>{value}</v></c>')
                    else:
                        cells.append(f'<c r="{reference}" t="s"><v>{shared(value)}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'{DECLARATION}<sst xmlns="{MAIN}" uniqueCount="{len(strings)}">'.encode())
            for text in strings:
                escaped = text.replace("&", "&amp;").replace("<", "&lt;")
                out.write(f"<si><t>{escaped}</t></si>".encode())
            out.write(b"</sst>")
        archive.writestr(
            "xl/styles.xml",
            f'{DECLARATION}<styleSheet xmlns="{MAIN}"><cellXfs count="2">'
            '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="Tableau declaration" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{DECLARATION}<Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "_rels/.rels",
            f'{DECLARATION}<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "[Content_Types].xml",
            f"{DECLARATION}"
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="/xl/{part}" ContentType="application/vnd.openxmlformats-'
                f'officedocument.spreadsheetml.{kind}+xml"/>'
                for part, kind in (
                    ("workbook.xml", "sheet.main"),
                    ("worksheets/sheet1.xml", "worksheet"),
                    ("sharedStrings.xml", "sharedStrings"),
                    ("styles.xml", "styles"),
                )
            )
            + "</Types>",
        )


def write_csv(path: Path, columns: list, rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(";".join(column.label for column in columns) + "\r\n")
        for row in rows:
            cells = []
            for column in columns:
                value = row.get(column.label)
                if isinstance(value, datetime.date):
                    value = value.strftime("%d/%m/%Y")
                cells.append("" if value is None else str(value))
            out.write(";".join(cells) + "\r\n")


def _forged_deflate(head: bytes, block: bytes, repeat: int, tail: bytes) -> bytes:
    """After a full flush the compressor starts afresh: the block compresses to the same
    bytes every time, written once and repeated (gigabytes forged in milliseconds)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    once = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return start + once * repeat + compressor.compress(tail) + compressor.flush()


def write_strings_bomb(path: Path, template: Path, *, inflated: int, declared: int) -> None:
    """The valid workbook `template` whose shared strings are replaced by millions of
    100-character strings inflating to `inflated` bytes, the zip header saying `declared`."""
    item = b"<si><t>" + b"A" * 100 + b"</t></si>"
    block = item * 10_000
    stream = _forged_deflate(
        f'{DECLARATION}<sst xmlns="{MAIN}">'.encode(), block, inflated // len(block), b"</sst>"
    )
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                archive.writestr(info, source.read(info))
        info = zipfile.ZipInfo("xl/sharedStrings.xml", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        # Written raw: zipfile would compress gigabytes to make the same stream.
        archive.fp.seek(archive.start_dir)
        info.header_offset = archive.start_dir
        info.compress_size, info.file_size, info.CRC = len(stream), declared, 0
        info.flag_bits |= 0x800
        archive.fp.write(info.FileHeader(zip64=declared > 0xFFFFFFFF))
        archive.fp.write(stream)
        archive.start_dir = archive.fp.tell()
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info


def setup(rows: int, folder: str) -> dict:
    """Runs in a child process: database, demo accounts, and the files."""
    import django

    django.setup()
    from django.core.management import call_command

    from opencertif.deposits.sheets import columns as sheet_columns

    call_command("migrate", verbosity=0)
    call_command("demo", fiches=0, passages=False, verbosity=0)
    folder = Path(folder)
    columns = list(sheet_columns.COLUMNS)
    started = time.perf_counter()
    write_xlsx(folder / "passages.xlsx", columns, realistic_rows(rows))
    write_csv(folder / "passages.csv", columns, realistic_rows(rows))
    small = folder / "small.xlsx"
    write_xlsx(small, columns, realistic_rows(10))
    write_strings_bomb(folder / "bomb.xlsx", small, inflated=4_000_000_000, declared=4_000_000_000)
    write_strings_bomb(
        folder / "bomb-lying.xlsx", small, inflated=4_000_000_000, declared=300_000_000
    )
    with zipfile.ZipFile(folder / "passages.xlsx") as archive:
        parts = {info.filename: info.file_size for info in archive.infolist()}
    return {
        "write_seconds": time.perf_counter() - started,
        "sizes": {
            name: os.path.getsize(folder / name)
            for name in ("passages.xlsx", "passages.csv", "bomb.xlsx", "bomb-lying.xlsx")
        },
        "xlsx_parts": {
            "sheet": parts["xl/worksheets/sheet1.xml"],
            "strings": parts["xl/sharedStrings.xml"],
        },
    }


# ---------------------------------------------------------------- the measured work


def convert(path: str, action: str) -> dict:
    """Runs in a fresh child process: the upload received, then the task body."""
    import django

    django.setup()
    from django.core.files import File

    from opencertif.deposits.sheets import imports as sheet_imports
    from opencertif.organisations.models import Organisation

    university = Organisation.objects.get(siret="00000001800010")
    started = time.perf_counter()
    with open(path, "rb") as handle:
        sheet = sheet_imports.receive(
            organisation=university,
            user=None,
            action=action,
            upload=File(handle, name=Path(path).name),
        )
    received = time.perf_counter()
    sheet = sheet_imports.run(sheet.pk)
    finished = time.perf_counter()
    return {
        "state": sheet.state,
        "rows": sheet.rows_done,
        "accepted": sheet.accepted,
        "refusal": sheet.refusal[:160],
        "deposit_bytes": sheet.deposit.size if sheet.deposit else None,
        "receive_seconds": received - started,
        "convert_seconds": finished - received,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def openpyxl_read(path: str) -> dict:
    """Runs in a fresh child process: what the conversion used before (rows only), with
    its address space capped at 3 GB so that a bomb fails instead of taking the machine."""
    import warnings

    from openpyxl import load_workbook

    warnings.simplefilter("ignore")
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    started = time.perf_counter()
    count, loaded, error = 0, None, ""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        count = sum(1 for _ in sheet.iter_rows(values_only=True))
        workbook.close()
    except (Exception, MemoryError) as exc:  # noqa: BLE001 (reported, not raised)
        error = f"{type(exc).__name__}: {exc}"[:120]
    return {
        "rows": count,
        "seconds": time.perf_counter() - started,
        "rss_after_open_mb": loaded,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "error": error,
    }


def child(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--setup", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--convert", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--openpyxl", nargs=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(int(args.setup[0]), args.setup[1])))
        return
    if args.convert:
        print(json.dumps(convert(*args.convert)))
        return
    if args.openpyxl:
        print(json.dumps(openpyxl_read(args.openpyxl[0])))
        return
    with tempfile.TemporaryDirectory(prefix="opencertif-bench-sheet-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "DATA_DIR": tmp,
            # The task backend is not used: the benchmark runs the task body itself.
            "TASK_BACKEND": "database",
        }
        print(f"writing {args.rows:,} rows…", file=sys.stderr)
        prepared = child(env, "--setup", str(args.rows), tmp)
        print(json.dumps(prepared, indent=1), file=sys.stderr)
        cases = [
            ("xlsx (Excel, shared strings)", "passages.xlsx", "deposit"),
            ("xlsx, « Générer le fichier XML »", "passages.xlsx", "xml"),
            ("CSV UTF-8", "passages.csv", "deposit"),
            ("xlsx, shared strings inflating to 4 GB", "bomb.xlsx", "deposit"),
            ("same, zip header lying (300 MB)", "bomb-lying.xlsx", "deposit"),
        ]
        results = []
        for label, name, action in cases:
            print(f"{label}…", file=sys.stderr)
            measured = child(env, "--convert", str(Path(tmp) / name), action)
            results.append({"case": label, "bytes": prepared["sizes"][name], **measured})
            print(json.dumps(results[-1]), file=sys.stderr)
        print("openpyxl read-only…", file=sys.stderr)
        before = {
            name: child(env, "--openpyxl", str(Path(tmp) / name))
            for name in ("passages.xlsx", "bomb-lying.xlsx")
        }
        print(json.dumps(before), file=sys.stderr)
    print("\n| upload | file | outcome | rows | time (s) | peak RSS (MB) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        outcome = r["state"] if r["state"] != "refused" else f"refused: {r['refusal'][:60]}…"
        print(
            f"| {r['case']} | {r['bytes'] / 1e6:.1f} MB | {outcome} | {r['rows']:,} | "
            f"{r['receive_seconds'] + r['convert_seconds']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    print("\nopenpyxl read-only (what the conversion used before), rows only:\n")
    print("| file | rows | time (s) | RSS once opened (MB) | peak RSS (MB) | outcome |")
    print("|---|---|---|---|---|---|")
    for name, r in before.items():
        opened = f"{r['rss_after_open_mb']:.0f}" if r["rss_after_open_mb"] else "–"
        print(
            f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | {opened} | "
            f"{r['peak_rss_mb']:.0f} | {r['error'] or 'read'} |"
        )
    print(json.dumps({"prepared": prepared, "results": results, "openpyxl": before}, indent=1))


if __name__ == "__main__":
    main()
