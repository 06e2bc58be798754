"""The real worker (`opencertif worker`, database task backend, SQLite file) in processes of
its own: a hostile file does not stop it, and a live worker takes over the deposit of a
worker killed mid-way, without a restart.

It runs once (not again on PostgreSQL): the workers use a SQLite file of their own.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.deposits import builders as b
from tests.deposits import hostile

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.once


def _environment(folder: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEPOSIT_STALL_SECONDS": "10",
        "DEPOSIT_HEARTBEAT_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }


def _opencertif(env, *args, check=True):
    done = subprocess.run(
        [sys.executable, "-m", "opencertif", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert done.returncode == 0, done.stderr[-2000:]
    return done


def _worker(env, folder: Path, name: str) -> subprocess.Popen:
    log = (folder / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "opencertif", "worker", "--interval", "0.2", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _deposits(folder: Path) -> dict[str, tuple]:
    with sqlite3.connect(folder / "db.sqlite3", timeout=30) as db:
        return {
            name: (state, processed, total)
            for name, state, processed, total in db.execute(
                "SELECT file_name, state, processed, passage_total FROM deposits_deposit"
            )
        }


def _running_task_rows(folder: Path) -> int:
    with sqlite3.connect(folder / "db.sqlite3", timeout=30) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name.endswith("dbtaskresult")
        ]
        (count,) = db.execute(
            f"SELECT COUNT(*) FROM {tables[0]} WHERE status = 'RUNNING'"
        ).fetchone()
    return count


def _sheet_state(folder: Path) -> str:
    with sqlite3.connect(folder / "db.sqlite3", timeout=30) as db:
        row = db.execute("SELECT state FROM deposits_sheetimport").fetchone()
    return row[0] if row else ""


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what} : toujours pas au bout de {seconds} s")


def test_hostile_files_do_not_stop_the_worker_and_a_dead_worker_is_taken_over(tmp_path):
    env = _environment(tmp_path)
    _opencertif(env, "migrate", "--noinput")
    _opencertif(env, "demo", "--fiches", "0", "--no-passages")
    corpus = hostile.corpus()
    files = {
        "hostile-utf16.xml": corpus["internal-entity+plain+utf-16"],
        "hostile-laughs.xml": corpus["billion-laughs+megabyte-comment"],
        "bon.xml": b.deposit_file([b.passage("BON-1")]),
        "grand.xml": b.deposit_file([b.passage(f"GRAND-{i}") for i in range(40_000)]),
    }
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        _opencertif(env, "deposit", str(path), "--user", "gestion@univ-demo.test", "--enqueue")

    first = _worker(env, tmp_path, "premier")
    try:
        # The first worker meets the hostile files first: it refuses them and goes on.
        _wait(
            lambda: _deposits(tmp_path)["bon.xml"][0] == "done",
            120,
            "le dépôt valide après les fichiers hostiles",
        )
        states = _deposits(tmp_path)
        assert states["hostile-utf16.xml"][0] == "rejected"
        assert states["hostile-laughs.xml"][0] == "rejected"
        assert first.poll() is None, "le worker s'est arrêté"
        # Killed without a word while it processes the large file...
        _wait(lambda: _deposits(tmp_path)["grand.xml"][1] > 0, 120, "le grand dépôt commence")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        stopped_at = _deposits(tmp_path)["grand.xml"]
        assert stopped_at[0] == "processing" and stopped_at[1] < stopped_at[2]
        # ... its deposit is taken over by a worker that was already running elsewhere.
        second = _worker(env, tmp_path, "second")
        try:
            _wait(
                lambda: _deposits(tmp_path)["grand.xml"][0] == "done",
                180,
                "la reprise du grand dépôt",
            )
            assert second.poll() is None
            # The dead worker's task row does not stay "running" for ever.
            _wait(lambda: _running_task_rows(tmp_path) == 0, 60, "la tâche du worker tué")
        finally:
            second.terminate()
            second.wait(30)
    finally:
        if first.poll() is None:
            first.kill()
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        (results,) = db.execute(
            "SELECT COUNT(*) FROM deposits_passageresult r JOIN deposits_deposit d "
            "ON d.id = r.deposit_id WHERE d.file_name = 'grand.xml'"
        ).fetchone()
        (passages,) = db.execute(
            "SELECT COUNT(*) FROM deposits_passage WHERE id_technique LIKE 'GRAND-%'"
        ).fetchone()
    assert results == 40_000 and passages == 40_000  # each passage once: no loss, no double


def test_sqlite_answers_every_request_while_a_large_deposit_and_sheet_are_written(tmp_path):
    import json

    from tests.deposits.sheets.test_conversion import csv_bytes, good

    env = _environment(tmp_path)
    _opencertif(env, "migrate", "--noinput")
    _opencertif(env, "demo", "--fiches", "0", "--no-passages")
    big = tmp_path / "grand.xml"
    big.write_bytes(b.deposit_file([b.passage(f"GRAND-{i}") for i in range(60_000)]))
    small = tmp_path / "petit.xml"
    small.write_bytes(b.deposit_file([b.passage("PETIT-1")]))
    sheet = tmp_path / "promo.csv"
    sheet.write_bytes(csv_bytes([good(**{"Id Technique": f"TAB-{i}"}) for i in range(20_000)]))
    _opencertif(env, "deposit", str(big), "--user", "gestion@univ-demo.test", "--enqueue")
    worker = _worker(env, tmp_path, "worker")
    try:
        _wait(lambda: _deposits(tmp_path)["grand.xml"][1] > 0, 120, "le grand dépôt commence")
        load = subprocess.run(
            [
                sys.executable,
                str(ROOT / "tests" / "deposits" / "sqlite_load.py"),
                "8",
                str(small),
                str(sheet),
            ],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert load.returncode == 0, load.stderr[-3000:]
        outcome = json.loads(load.stdout.strip().splitlines()[-1])
        assert outcome["failures"] == [] and outcome["requests"] >= 20, outcome
        _wait(lambda: _deposits(tmp_path)["grand.xml"][0] == "done", 180, "le grand dépôt")
        _wait(lambda: _sheet_state(tmp_path) in ("done", "failed", "refused"), 240, "le tableur")
        assert _sheet_state(tmp_path) == "done"
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(30)
    log = (tmp_path / "worker.log").read_text()
    assert "database is locked" not in log
