"""Deposit ingest benchmark (`make bench`): never run by the test suite.

Generates a valid deposit of N passages (default 100,000) whose holders are in the
reference population, then measures the end-to-end ingest — receipt, XSD validation,
checks, holder matching, upsert, processing report — and the peak memory of the process
doing it, on SQLite and on PostgreSQL when reachable. `xmllint --noout --stream --schema`
on the same file is the yardstick.

    .venv/bin/python bench/deposit_ingest.py [--passages 100000] [--also 10000]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "opencertif" / "deposits" / "format" / "deposit.xsd"


def setup(passages: int, xml_path: str) -> dict:
    """Runs in a subprocess: database, accounts, fiches, people, and the file."""
    import django

    django.setup()
    from django.core.management import call_command

    from opencertif.core.text import identity_key
    from opencertif.deposits.format import writer
    from opencertif.people.models import Person

    call_command("migrate", verbosity=0)
    call_command("demo", fiches=0, verbosity=0)
    started = time.perf_counter()
    first_names = ("Camille", "Léa", "Hugo", "Jules", "Inès", "Noah", "Zoé", "Louis")
    batch = []
    for index in range(passages):
        sex = "F" if index % 2 else "M"
        batch.append(
            Person(
                nir=f"{1 if sex == 'M' else 2}{60 + index % 40:02d}{1 + index % 12:02d}75"
                f"{index % 1000:03d}{index // 1000 % 1000:03d}",
                birth_name=f"Nom{index}",
                first_name1=first_names[index % len(first_names)],
                sex=sex,
                birth_year=1960 + index % 40,
                birth_month=1 + index % 12,
                birth_day=1 + index % 28,
                birth_insee="75056",
                birth_name_key=identity_key(f"Nom{index}"),
                first_name_key=identity_key(first_names[index % len(first_names)]),
                row_digest=str(index),
            )
        )
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    people_seconds = time.perf_counter() - started

    def passages_of():
        for index in range(passages):
            sex = "F" if index % 2 else "M"
            yield {
                "id_technique": f"BENCH-{index:09d}",
                "fields": {
                    "obtained_by": "PAR_ADMISSION",
                    "certified_data": True,
                    "exam_start": "2025-06-02",
                    "exam_end": "2025-06-03",
                    "valid_from": "2025-06-20",
                    "valid_until": None,
                    "has_language_level": False,
                    "has_digital_level": False,
                    "score": None,
                    "honours": "SANS_MENTION",
                    "enrolment": {"access_mode": "VAE", "vae_route": "VAE_CLASSIQUE"},
                },
                "identity_kind": "holder",
                "identity": {
                    "birth_name": f"Nom{index}",
                    "usage_name": None,
                    "first_name1": first_names[index % len(first_names)],
                    "birth_year": 1960 + index % 40,
                    "birth_month": 1 + index % 12,
                    "birth_day": 1 + index % 28,
                    "sex": sex,
                    "birth_insee": "75056",
                },
            }

    with open(xml_path, "w", encoding="utf-8") as out:
        writer.write(
            out,
            id_flux="bench",
            timestamp="2026-11-20T10:00:00+01:00",
            emitter_id_client="DEMO0001",
            certifier_id_client="DEMO0001",
            id_contract="MCFCER000001",
            certifications=[("RNCP", "RNCP90001", passages_of())],
        )
    return {"people_seconds": people_seconds, "bytes": os.path.getsize(xml_path)}


def ingest(xml_path: str) -> dict:
    """Runs in a fresh subprocess: the measured work only."""
    import django

    django.setup()
    from opencertif.deposits import engine, reports
    from opencertif.organisations.models import Organisation

    university = Organisation.objects.get(siret="00000001800010")
    started = time.perf_counter()
    with open(xml_path, "rb") as stream:
        deposit = engine.receive(
            organisation=university, user=None, channel="cli", name="bench.xml", stream=stream
        )
    received = time.perf_counter()
    engine.process(deposit.pk)
    processed = time.perf_counter()
    deposit.refresh_from_db()
    size = sum(len(chunk) for chunk in reports.xml_chunks(deposit))
    finished = time.perf_counter()
    deposit.refresh_from_db()
    return {
        "state": deposit.state,
        "ok": deposit.ok_count,
        "ko": deposit.ko_count,
        "receive_seconds": received - started,
        "process_seconds": processed - received,
        "report_seconds": finished - processed,
        "total_seconds": finished - started,
        "report_bytes": size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # The whole-file check runs in a forked child (core.isolation): its peak too.
        "check_child_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def xmllint_seconds(xml_path: str) -> float | None:
    if shutil.which("xmllint") is None:
        return None
    started = time.perf_counter()
    subprocess.run(
        ["xmllint", "--noout", "--stream", "--schema", str(SCHEMA), xml_path],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def child(mode: str, env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, f"--{mode}", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def postgres_url(base: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS opencertif_bench_deposit")
            conn.execute("CREATE DATABASE opencertif_bench_deposit")
    except Exception as exc:  # noqa: BLE001 (any failure means: no PostgreSQL here)
        print(f"PostgreSQL unreachable ({exc}); SQLite only.", file=sys.stderr)
        return None
    return base.rsplit("/", 1)[0] + "/opencertif_bench_deposit"


def run(label: str, database_url: str, passages: int, tmp: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": database_url,
        "DATA_DIR": tmp,
        "DEPOSIT_MAX_MB": "2000",
        "DEPOSIT_MAX_PASSAGES": str(max(passages, 200_000)),
    }
    xml_path = str(Path(tmp) / f"bench-{passages}.xml")
    print(f"{label}: preparing {passages} passages…", file=sys.stderr)
    prepared = child("setup", env, str(passages), xml_path)
    print(f"{label}: ingesting…", file=sys.stderr)
    measured = child("ingest", env, xml_path)
    return {
        "database": label,
        "passages": passages,
        **prepared,
        **measured,
        "xmllint_seconds": xmllint_seconds(xml_path),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument(
        "--also", type=int, default=10_000, help="a smaller run, to see memory stay flat (0: none)"
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--setup", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--ingest", nargs=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(int(args.setup[0]), args.setup[1])))
        return
    if args.ingest:
        print(json.dumps(ingest(args.ingest[0])))
        return
    sizes = [n for n in (args.also, args.passages) if n]
    results = []
    for passages in sizes:
        with tempfile.TemporaryDirectory(prefix="opencertif-bench-") as tmp:
            results.append(run("sqlite", f"sqlite:///{tmp}/bench.sqlite3", passages, tmp))
            url = postgres_url(args.postgres)
            if url:
                results.append(run("postgresql", url, passages, tmp))
    print(
        "\n| database | passages | file (MB) | xmllint (s) | end to end (s) | ratio | "
        "of which receive / process / report (s) | passages/s | peak RSS (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = f"{r['total_seconds'] / r['xmllint_seconds']:.1f}×" if r["xmllint_seconds"] else "–"
        lint = f"{r['xmllint_seconds']:.1f}" if r["xmllint_seconds"] else "–"
        print(
            f"| {r['database']} | {r['passages']:,} | {r['bytes'] / 1e6:.0f} | {lint} | "
            f"{r['total_seconds']:.1f} | {ratio} | {r['receive_seconds']:.1f} / "
            f"{r['process_seconds']:.1f} / {r['report_seconds']:.1f} | "
            f"{r['passages'] / r['total_seconds']:,.0f} | {r['peak_rss_mb']:.0f} |"
        )
    print(json.dumps(results, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
