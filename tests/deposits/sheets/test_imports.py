"""Spreadsheets converted in the background: the task, its progress, its resumption after a
dead worker, and the hostile files refused in bounded memory."""

import datetime
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from opencertif.deposits import engine, tasks
from opencertif.deposits.models import Deposit, Passage, SheetImport
from opencertif.deposits.sheets import conversion as sheet_conversion
from opencertif.deposits.sheets import errors as sheet_errors
from opencertif.deposits.sheets import files as sheet_files
from opencertif.deposits.sheets import imports as sheet_imports
from opencertif.deposits.sheets import xlsx as xlsx_stream
from tests.deposits import builders as b
from tests.deposits.sheets import hostile_sheets as hostile
from tests.deposits.sheets.test_conversion import IDS, csv_bytes, good, xlsx
from tests.factories import page


class Killed(BaseException):
    """Stands for a worker killed mid-conversion: no `except Exception` of the run sees
    it, so nothing of the run's own clean-up happens."""


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


def received(demo, manager, data: bytes, *, name="promo.xlsx", action="deposit"):
    """A sheet stored and recorded as the page does, its task not run."""
    return sheet_imports.receive(
        organisation=demo["university"],
        user=manager,
        action=action,
        upload=SimpleUploadedFile(name, data),
    )


def rows(count: int, start: int = 1) -> list[dict]:
    return [good(**{"Id Technique": f"TAB-{index}"}) for index in range(start, start + count)]


def stored(sheet: SheetImport) -> Path:
    return Path(default_storage.path(sheet.stored_path))


# ---------------------------------------------------------------- the task


def test_a_sheet_is_converted_by_the_task_with_its_progress_recorded(
    demo, manager, monkeypatch, django_capture_on_commit_callbacks
):
    b.person()
    monkeypatch.setattr(sheet_conversion, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(sheet_imports, "PROGRESS_SECONDS", 0)
    seen = []
    original = sheet_imports._Beat.write

    def spy(self, **fields):
        original(self, **fields)
        seen.append(SheetImport.objects.values_list("state", "rows_done").get(pk=self.pk))

    monkeypatch.setattr(sheet_imports._Beat, "write", spy)
    sheet = received(demo, manager, xlsx([*rows(6), good(**{"Id Technique": "X", "Sexe": "X"})]))
    upload = stored(sheet)
    assert sheet.state == "received" and upload.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.convert_sheet.enqueue(sheet.pk)
    sheet.refresh_from_db()
    assert sheet.state == "done"
    assert (sheet.rows_done, sheet.rows_total, sheet.accepted, sheet.rows_left_out) == (7, 7, 6, 1)
    # Progress was written while the rows were read, each time by the run holding it.
    assert ("converting", 2) in seen and ("converting", 4) in seen and seen[-1][1] == 7
    assert sheet.errors[0]["row"] == 10 and "non admise" in sheet.errors[0]["message"]
    deposit = sheet.deposit
    assert deposit.channel == "sheet" and deposit.sheet_rows == [4, 5, 6, 7, 8, 9]
    assert deposit.sheet_errors == sheet.errors
    deposit.refresh_from_db()
    assert (deposit.state, deposit.ok_count) == ("done", 6)
    # The upload holds personal data: erased once converted.
    assert sheet.stored_path == "" and not upload.exists()
    assert list(sheet.transitions.values_list("name", flat=True)) == ["start", "finish"]


def test_running_the_task_again_does_nothing(demo, manager, django_capture_on_commit_callbacks):
    sheet = received(demo, manager, xlsx(rows(2)))
    with django_capture_on_commit_callbacks(execute=True):
        sheet_imports.run(sheet.pk)
        sheet_imports.run(sheet.pk)
    assert Deposit.objects.count() == 1
    assert SheetImport.objects.get().state == "done"


def test_a_second_run_leaves_a_conversion_to_the_run_that_beats(demo, manager):
    sheet = received(demo, manager, xlsx(rows(2)))
    SheetImport.objects.filter(pk=sheet.pk).update(
        state="converting", run_token="a" * 32, heartbeat_at=timezone.now()
    )
    sheet_imports.run(sheet.pk)
    sheet.refresh_from_db()
    assert (sheet.state, sheet.run_token) == ("converting", "a" * 32)
    assert not Deposit.objects.exists() and stored(sheet).is_file()


def test_a_run_whose_claim_was_taken_stops_without_depositing(demo, manager, monkeypatch):
    monkeypatch.setattr(sheet_conversion, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(sheet_imports, "PROGRESS_SECONDS", 0)
    sheet = received(demo, manager, xlsx(rows(5)))
    original = sheet_imports._Beat.write

    def taken_over_meanwhile(self, **fields):
        if fields.get("rows_done", 0) >= 2:
            # Another worker takes the conversion over while this run reads.
            SheetImport.objects.filter(pk=self.pk).update(run_token="b" * 32)
        original(self, **fields)

    monkeypatch.setattr(sheet_imports._Beat, "write", taken_over_meanwhile)
    sheet_imports.run(sheet.pk)
    sheet.refresh_from_db()
    assert (sheet.state, sheet.run_token, sheet.rows_done) == ("converting", "b" * 32, 1)
    assert not Deposit.objects.exists() and stored(sheet).is_file()


def test_the_web_request_only_stores_the_file_and_queues_the_task(
    client, demo, manager, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def no_conversion(*args, **kwargs):
        raise AssertionError("the request must not convert the sheet")

    monkeypatch.setattr(sheet_conversion, "convert", no_conversion)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/espace/tableur/",
            {
                "organisation": demo["university"].pk,
                "file": SimpleUploadedFile("promo.xlsx", xlsx(rows(3))),
                "action": "deposer",
            },
        )
    sheet = SheetImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/espace/tableur/{sheet.pk}/"
    assert sheet.state == "received" and stored(sheet).is_file() and not Deposit.objects.exists()
    task = DBTaskResult.objects.get()
    assert task.task_path == "opencertif.deposits.tasks.convert_sheet"
    assert task.args_kwargs == {"args": [sheet.pk], "kwargs": {}} and task.status == "READY"
    monkeypatch.undo()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        sheet_imports.run(sheet.pk)
    sheet.refresh_from_db()
    assert sheet.state == "done" and sheet.deposit.passage_total == 3


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_outside_any_transaction(demo, manager, monkeypatch):
    # On SQLite a write transaction locks the whole database: a conversion must never
    # hold one while it reads (other users' pages and the workers would get "database is
    # locked").
    monkeypatch.setattr(sheet_conversion, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(sheet_imports, "PROGRESS_SECONDS", 0)
    in_transaction = []
    original = sheet_imports._Beat.write

    def spy(self, **fields):
        in_transaction.append(connection.in_atomic_block)
        original(self, **fields)

    monkeypatch.setattr(sheet_imports._Beat, "write", spy)
    receive = engine.receive

    def receive_spy(**kwargs):
        # The engine copies the deposit file (200 MB at most): never in a transaction.
        in_transaction.append(connection.in_atomic_block)
        return receive(**kwargs)

    monkeypatch.setattr(engine, "receive", receive_spy)
    data = csv_bytes([{**row, **IDS} for row in rows(5)])
    sheet = received(demo, manager, data, name="promo.csv")
    sheet_imports.run(sheet.pk)
    sheet.refresh_from_db()
    assert sheet.state == "done" and sheet.deposit.sheet_rows == [2, 3, 4, 5, 6]
    assert len(in_transaction) >= 6 and not any(in_transaction)


def test_generating_xml_keeps_the_file_a_day_and_deposits_nothing(
    demo, manager, django_capture_on_commit_callbacks
):
    sheet = received(demo, manager, xlsx(rows(2)), action="xml")
    with django_capture_on_commit_callbacks(execute=True):
        sheet_imports.run(sheet.pk)
    sheet.refresh_from_db()
    path = sheet_imports.xml_path(sheet)
    assert sheet.state == "done" and sheet.xml_name == "promo.xml" and path.is_file()
    assert b"TAB-2" in path.read_bytes() and not Deposit.objects.exists()
    old = timezone.now().timestamp() - sheet_imports.KEPT_SECONDS - 60
    os.utime(path, (old, old))
    sheet_imports.forget_old_files(path.parent)
    assert sheet_imports.xml_path(sheet) is None


# ---------------------------------------------------------------- a worker killed


def kill_mid_conversion(sheet: SheetImport, monkeypatch, after_rows: int = 3) -> None:
    monkeypatch.setattr(sheet_conversion, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(sheet_imports, "PROGRESS_SECONDS", 0)
    original = sheet_imports._Beat.write

    def die(self, **fields):
        original(self, **fields)
        if fields.get("rows_done", 0) >= after_rows:
            raise Killed

    monkeypatch.setattr(sheet_imports._Beat, "write", die)
    with pytest.raises(Killed):
        sheet_imports.run(sheet.pk)
    monkeypatch.undo()
    # Its heartbeat then ages: the worker is gone.
    SheetImport.objects.filter(pk=sheet.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5)
    )


def test_a_conversion_left_by_a_killed_worker_is_resumed_from_its_first_row(
    demo, manager, monkeypatch, django_capture_on_commit_callbacks
):
    b.person()
    sheet = received(demo, manager, xlsx(rows(8)))
    kill_mid_conversion(sheet, monkeypatch)
    sheet.refresh_from_db()
    assert sheet.state == "converting" and sheet.rows_done == 3 and not Deposit.objects.exists()
    assert [s.pk for s in sheet_imports.unfinished()] == [sheet.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert sheet_imports.resume() == [sheet.pk]
    sheet.refresh_from_db()
    assert (sheet.state, sheet.interruptions, sheet.accepted) == ("done", 1, 8)
    assert Passage.objects.count() == 8 and Deposit.objects.count() == 1
    assert not sheet_imports.unfinished().exists()
    assert "take_over" in sheet.transitions.values_list("name", flat=True)


def test_a_conversion_whose_run_still_beats_is_not_resumed(demo, manager, monkeypatch):
    sheet = received(demo, manager, xlsx(rows(4)))
    kill_mid_conversion(sheet, monkeypatch)
    SheetImport.objects.filter(pk=sheet.pk).update(heartbeat_at=timezone.now())
    assert sheet_imports.resume() == []


def test_a_conversion_interrupted_twice_fails_cleanly_and_is_never_resumed(
    demo, manager, monkeypatch, django_capture_on_commit_callbacks
):
    sheet = received(demo, manager, xlsx(rows(8)))
    upload = stored(sheet)
    kill_mid_conversion(sheet, monkeypatch)
    assert sheet_imports.resume() == [sheet.pk]  # enqueued (the queue is not run here)
    kill_mid_conversion(sheet, monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        assert sheet_imports.resume() == []
    sheet.refresh_from_db()
    assert sheet.state == "failed" and sheet.interruptions == 2
    assert "s'est interrompue 2 fois" in sheet.failure and "déposez-le de nouveau" in sheet.failure
    assert not upload.exists() and not Deposit.objects.exists()
    assert sheet_imports.resume(older_than_seconds=0) == []


def test_a_conversion_never_started_is_enqueued_again(demo, manager, monkeypatch):
    sheet = received(demo, manager, xlsx(rows(1)))
    assert sheet_imports.resume() == []  # just received: its task is in the queue
    enqueued = []
    monkeypatch.setattr(sheet_imports, "enqueue", enqueued.append)
    assert sheet_imports.resume(older_than_seconds=0) == [sheet.pk]


# ---------------------------------------------------------------- hostile files


def convert(data: bytes):
    return sheet_conversion.convert(io.BytesIO(data))


ROW = {**good(), **IDS}

HOSTILE = {
    "shared strings inflating to gigabytes": (hostile.strings_bomb, "anormalement volumineux"),
    "shared strings, header lying about their size": (
        lambda: hostile.strings_bomb(declared=30_000_000),
        "corrompu",
    ),
    "sheet inflating to gigabytes": (hostile.sheet_bomb, "anormalement volumineux"),
    "unused part compressed 1000 to 1": (hostile.ratio_bomb, "anormalement volumineux"),
    "sheet with an internal entity": (lambda: hostile.with_doctype(ROW), "DOCTYPE"),
    "sheet with a billion laughs": (
        lambda: hostile.with_doctype(ROW, doctype=hostile.LAUGHS),
        "DOCTYPE",
    ),
    "sheet in UTF-16 with a DOCTYPE": (
        lambda: hostile.with_doctype(ROW, encoding="utf-16"),
        "DOCTYPE",
    ),
    "sheet with a DOCTYPE behind a long comment": (
        lambda: hostile.with_doctype(ROW, prologue="<!-- " + "a" * 70_000 + " -->\n"),
        "DOCTYPE",
    ),
    "shared strings with a DOCTYPE": (hostile.strings_with_doctype, "DOCTYPE"),
    "5,000 entries": (hostile.many_entries, "plus de 1000 fichiers internes"),
    "a shared string longer than Excel allows": (hostile.long_shared_string, "32\u202f767"),
    "a row of junk elements": (
        lambda: hostile.workbook(
            hostile.sheet_xml([]).replace(
                "</sheetData>", "<row r='2'>" + "<x/>" * 400_000 + "</row></sheetData>"
            )
        ),
        "structure anormale",
    ),
    "rows beyond Excel's last": (
        lambda: hostile.workbook(
            hostile.sheet_xml([ROW]).replace('<row r="2">', '<row r="2000000">')
        ),
        "la dernière d'Excel",
    ),
    "a zip that only claims to be one": (lambda: b"PK\x03\x04" + b"\x01" * 500, "corrompu"),
    "binary junk named .xlsx": (lambda: bytes(range(256)) * 40, "n'est pas un tableur"),
    "text named .xlsx": (lambda: b"Ceci n'est pas un classeur.\n" * 3, "En-tête introuvable"),
    "CSV in UTF-16 with its BOM": (lambda: csv_bytes([ROW], encoding="utf-16"), "UTF-16"),
    "CSV in UTF-16 without BOM": (
        lambda: csv_bytes([ROW], bom=False, encoding="utf-16-le"),
        "UTF-16",
    ),
    "CSV line without end": (lambda: b"Id Technique;" + b"a" * 500_000, "sans fin de ligne"),
    "CSV quote never closed": (
        lambda: csv_bytes([ROW]) + b'"' + b"a\n" * 200_000,
        "guillemet jamais refermé",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_with_a_french_message(db, name):
    make, message = HOSTILE[name]
    with pytest.raises(sheet_errors.SheetRefused, match=message) as refused:
        convert(make())
    assert str(refused.value)[0].isupper() and str(refused.value).endswith(".")


@pytest.mark.parametrize(
    "name",
    [
        "shared strings inflating to gigabytes",
        "sheet with an internal entity",
        "a zip that only claims to be one",
    ],
)
def test_a_hostile_workbook_uploaded_is_refused_on_its_page_and_nothing_is_deposited(
    client, demo, manager, name, django_capture_on_commit_callbacks
):
    make, message = HOSTILE[name]
    client.force_login(manager)
    uploads = Path(default_storage.path("sheets/uploads"))
    before = set(uploads.iterdir()) if uploads.is_dir() else set()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/espace/tableur/",
            {
                "organisation": demo["university"].pk,
                "file": SimpleUploadedFile("passages.xlsx", make()),
                "action": "deposer",
            },
        )
    sheet = SheetImport.objects.get()
    assert response["Location"] == f"/espace/tableur/{sheet.pk}/"
    html = page(client.get(response["Location"]))
    sheet.refresh_from_db()
    assert sheet.state == "refused" and message in sheet.refusal
    assert "Tableur refusé" in html and message in html
    assert not Deposit.objects.exists() and sheet.stored_path == ""
    assert set(uploads.iterdir()) == before


@pytest.mark.parametrize("name", ["CSV in UTF-16 with its BOM", "binary junk named .xlsx"])
def test_what_is_plainly_not_a_spreadsheet_is_refused_on_the_form(client, demo, manager, name):
    make, message = HOSTILE[name]
    client.force_login(manager)
    response = client.post(
        "/espace/tableur/",
        {
            "organisation": demo["university"].pk,
            "file": SimpleUploadedFile("passages.csv", make()),
            "action": "deposer",
        },
    )
    assert response.status_code == 200 and message in page(response)
    assert not SheetImport.objects.exists()


def test_a_part_is_cut_at_its_cap_whatever_its_zip_header_says(settings):
    settings.SHEET_MAX_INFLATED_BYTES = 50_000_000

    class EndlessArchive:
        def open(self, info):
            return io.BytesIO(b"<" * 60_000_000)

    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size, info.compress_size = 1_000, 200_000
    part = xlsx_stream._Part(EndlessArchive(), info)
    part.handed_over = lambda: None
    read = 0
    with pytest.raises(xlsx_stream.Unreadable, match="anormalement volumineux"):
        while True:
            read += len(part.read(1 << 16))
            part.unclaimed = 0
    assert read <= 20_000_000  # 100 × 200 kB compressed


def test_shared_strings_are_kept_on_disk_not_in_memory():
    strings = xlsx_stream.SharedStrings()
    for index in range(100_000):
        strings.append(f"identifiant-{index:06d}-" + "é" * (index % 60))
    strings.finish()
    assert strings[0] == "identifiant-000000-"
    assert strings[99_999] == "identifiant-099999-" + "é" * 39
    assert strings[12_345] == "identifiant-012345-" + "é" * 45
    with pytest.raises(IndexError):
        strings[100_000]
    # Only short strings read are cached, never the table.
    assert len(strings._cache) <= 3
    strings.close()


def test_the_row_limit_applies_before_the_size_limit(demo, manager, settings):
    settings.DEPOSIT_MAX_PASSAGES = 3
    with pytest.raises(sheet_errors.SheetRefused, match="plus de 3 lignes de passages, la limite"):
        convert(csv_bytes([{**row, **IDS} for row in rows(4)]))
    settings.DEPOSIT_MAX_BYTES = 100
    with pytest.raises(sheet_errors.SheetRefused, match="taille maximale"):
        sheet_files.recognise(io.BytesIO(csv_bytes([ROW])))


def test_the_deposit_file_limit_applies_to_the_xml_the_rows_make(db, settings):
    # The official platform takes files of 200 MB at most: a sheet whose accepted rows make
    # a larger file is refused while it is read, whatever the action.
    data = csv_bytes([{**row, **IDS} for row in rows(5)])
    settings.DEPOSIT_MAX_BYTES = len(data) + 2_000
    with pytest.raises(sheet_errors.SheetRefused) as refused:
        convert(data)
    assert str(refused.value).startswith("À la ligne 3, les passages acceptés dépassent déjà")
    assert "(1 passage(s) accepté(s) avant elle tiennent dans un fichier)" in str(refused.value)
