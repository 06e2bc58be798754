"""`.ci/run` cannot pass without its PostgreSQL half when PostgreSQL is installed.

The script runs with a PATH of stand-ins (make records its calls; pg_isready says what
the test wants), so that only the script's own decisions are exercised."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "run"
TOOLS = ("seq", "ls", "head", "date", "id", "dirname", "cat")


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run_ci(tmp_path, *, pg_isready=None, conf_dir=False):
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool))
    calls = tmp_path / "make-calls"
    _stub(tools, "make", f'echo "$*" >> {calls}')
    _stub(tools, "sleep", "exit 0")
    _stub(tools, "chromium", "exit 0")
    _stub(tools, "pg_ctlcluster", "exit 1")
    if pg_isready is not None:
        _stub(tools, "pg_isready", f"exit {pg_isready}")
    conf = tmp_path / "postgresql"
    if conf_dir:
        (conf / "15").mkdir(parents=True)
    done = subprocess.run(
        [shutil.which("bash"), str(SCRIPT)],
        env={"PATH": str(tools), "HOME": str(tmp_path), "CI_POSTGRES_CONF_DIR": str(conf)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    made = calls.read_text().splitlines() if calls.exists() else []
    return done, made


@pytest.mark.skipif(not shutil.which("bash"), reason="bash absent")
def test_an_installed_but_unreachable_postgresql_fails_ci_before_anything_runs(tmp_path):
    done, made = run_ci(tmp_path, pg_isready=2, conf_dir=True)
    assert done.returncode == 1
    assert "CANNOT BE REACHED OR STARTED" in done.stdout
    assert made == []


def test_a_machine_without_postgresql_runs_the_sqlite_half_and_says_so(tmp_path):
    done, made = run_ci(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "POSTGRESQL IS NOT INSTALLED HERE" in done.stdout
    assert made == ["test", "quality"]


def test_a_reachable_postgresql_gets_its_own_run(tmp_path):
    done, made = run_ci(tmp_path, pg_isready=0, conf_dir=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert made[0] == "test" and made[-1] == "quality"
    assert any(call.startswith("test DATABASE_URL=postgres://") for call in made)
