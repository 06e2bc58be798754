"""Passage list benchmark (`make bench`): never run by the test suite.

Fills a throw-away database with an organisation's passages as the platform holds them:
the demo university (DEMO0001) with N passages (default 1,000 and 100,000) over 24
months of deposits of 1,000 passages (received in the same instant, as the engine writes
them), spread over six certifications (one has half of them), 90 % OK, 8 % KO, 2 %
deleted; holders with French surnames as shared as in the population (Martin 0.3 %,
Bernard 0.2 %…, then a long tail); and another certifier holding N/2 passages in the same
table. Then, in a fresh process, it measures `GET /api/passages` through the Django test
client with the university's API token — an empty selection (what any call costs: the
token, the audit row), the first page, a middle page (by number, i.e. OFFSET, and by
the `next` cursor), filtered pages — and the web list's first page, each
the median of --repeat calls; and the peak of Python allocations during one call
(tracemalloc). For comparison, the former implementation (every passage of the selection
turned into a row in Python, then sliced) once per size. Each measure runs without, then
with, the index of the default order (`passage_certifier_received`, migration 0009,
dropped for the first variant; `--no-index-variant`: without only).

    .venv/bin/python -P bench/api_passages.py [--sizes 1000 100000] [--repeat 15]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_api] [--no-postgres]
        [--explain]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROPOSED_INDEX = (
    "passage_certifier_received",
    "CREATE INDEX IF NOT EXISTS passage_certifier_received "
    "ON deposits_passage (certifier_id, created_at, id)",
)
# Surnames and their share of the population (INSEE births 1891–2000, rounded): a search
# for « martin » meets 0.3 % of an organisation's holders.
SURNAMES = (
    ("Martin", 0.0030),
    ("Bernard", 0.0020),
    ("Thomas", 0.0018),
    ("Petit", 0.0017),
    ("Robert", 0.0017),
    ("Richard", 0.0016),
    ("Durand", 0.0016),
    ("Dubois", 0.0015),
    ("Moreau", 0.0014),
    ("Laurent", 0.0014),
)
FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Lucas",
    "Hugo",
    "Nathan",
    "Théo",
    "Louis",
    "Jules",
)
BATCH = 1000
MONTHS = 24


def _surname(index: int) -> str:
    """A deterministic surname with the population's sharing: the first few per mille
    of holders go to the common names, the others to a long tail."""
    position = (index * 7919) % 100_000 / 100_000
    threshold = 0.0
    for name, share in SURNAMES:
        threshold += share
        if position < threshold:
            return name
    return f"Nom{(index * 104729) % 60_000}"


def setup(passages: int, others: int) -> dict:
    """Runs in a subprocess: database, accounts, fiches, deposits and passages."""
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from opencertif.deposits.models import Deposit, DepositAccount, Passage
    from opencertif.organisations.models import Organisation
    from opencertif.registry.models import Certification

    call_command("migrate", verbosity=0)
    call_command("demo", fiches=0, passages=False, verbosity=0)
    started = time.perf_counter()
    account = DepositAccount.objects.get(id_client="DEMO0001")
    university = account.organisation
    other = Organisation.objects.create(name="Autre certificateur", name_key="AUTRE")
    other_account = DepositAccount.objects.create(
        organisation=other,
        role="certifier",
        id_client="BENCH002",
        id_contract="MCFCER000002",
        activated_at=timezone.now(),
    )
    fiches = list(Certification.objects.order_by("number")[:6])
    end = timezone.now().replace(microsecond=0)

    def fill(certifier, organisation, total: int, prefix: str) -> None:
        batches = max(1, total // BATCH)
        for number in range(batches):
            # Deposits spread evenly over the months, oldest first.
            received = end - datetime.timedelta(days=30 * MONTHS * (1 - number / batches))
            deposit = Deposit.objects.create(
                organisation=organisation,
                channel="cli",
                file_name=f"{prefix}-{number}.xml",
                stored_path="",
                size=1,
                sha256=f"{prefix}{number}",
                state="done",
                certifier_account=certifier,
            )
            rows = []
            for offset in range(min(BATCH, total - number * BATCH)):
                index = number * BATCH + offset
                fiche = fiches[0] if index % 2 else fiches[1 + index % (len(fiches) - 1)]
                roll = index % 50
                status = "deleted" if roll == 0 else "ko" if roll <= 4 else "ok"
                start = (received - datetime.timedelta(days=20 + index % 40)).date()
                rows.append(
                    Passage(
                        certifier=certifier,
                        id_technique=f"{prefix}-{index:09d}",
                        status=status,
                        ko_reason="identity" if status == "ko" else "",
                        ko_message="Aucun titulaire ne correspond." if status == "ko" else "",
                        certification=fiche,
                        certification_type="RNCP",
                        certification_code=fiche.number,
                        valid_from=start,
                        fields={
                            "obtained_by": "PAR_ADMISSION",
                            "certified_data": True,
                            "valid_from": start.isoformat(),
                            "valid_until": None,
                            "has_language_level": False,
                            "has_digital_level": False,
                            "score": None,
                            "honours": "SANS_MENTION",
                            "enrolment": {"access_mode": "VAE", "vae_route": "VAE_CLASSIQUE"},
                        },
                        identity_kind="holder",
                        identity={},
                        holder_label=f"{_surname(index)} {FIRST_NAMES[index % 12]}",
                        content_hash=f"{index:032d}",
                        last_deposit=deposit,
                        status_before_deletion="ok" if status == "deleted" else "",
                        deleted_at=received if status == "deleted" else None,
                    )
                )
            Passage.objects.bulk_create(rows)
            # auto_now_add stamped "now": the passages were received with their deposit.
            Passage.objects.filter(last_deposit=deposit).update(
                created_at=received, updated_at=received
            )
            Deposit.objects.filter(pk=deposit.pk).update(received_at=received)

    fill(account, university, passages, "U")
    fill(other_account, other, others, "O")
    from django.db import connection

    with connection.cursor() as cursor:
        # A table in its steady state: statistics, and on PostgreSQL the visibility map
        # that lets a count read the index alone (autovacuum keeps it so).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"fill_seconds": time.perf_counter() - started}


def _median_ms(call, repeat: int) -> float:
    call()  # warm-up: caches, plans
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _peak_kib(call) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def measure(passages: int, repeat: int, with_index: bool, explain: bool) -> dict:
    """Runs in a fresh subprocess: the measured calls only."""
    import django

    django.setup()
    import datetime

    from django.db import connection
    from django.test import Client

    from opencertif.api.passages import _out
    from opencertif.deposits.models import DepositAccount
    from opencertif.organisations.services import create_api_token
    from opencertif.passages import listing

    with connection.cursor() as cursor:
        # The index is the platform's since migration 0009: dropped here to compare.
        cursor.execute(PROPOSED_INDEX[1] if with_index else f"DROP INDEX {PROPOSED_INDEX[0]}")
        cursor.execute("ANALYZE")
    university = DepositAccount.objects.get(id_client="DEMO0001").organisation
    manager = university.memberships.get().user
    _, secret = create_api_token(organisation=university, name="bench", by=manager)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    web = Client(HTTP_HOST="127.0.0.1")
    web.force_login(manager)
    scope = listing.of_organisation(university)
    visible = listing.filtered(scope, listing.Filters())
    middle = visible.defer("fields", "identity")[passages // 2]
    middle_page = max(1, passages // 200)
    month = middle.valid_from.replace(day=1)
    month_end = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)

    def api(query: str):
        def call():
            response = client.get(f"/api/passages{query}")
            assert response.status_code == 200, response.content[:300]
            return response

        return call

    def web_list():
        response = web.get("/espace/passages/")
        assert response.status_code == 200
        return response

    def former():
        # The former implementation: every passage of the selection into a row, then
        # the page sliced out of the list.
        rows = [_out(passage) for passage in visible]
        return rows[:100]

    calls = {
        "empty selection (the floor)": api(f"?depot={2**63 - 1}"),
        "first page": api(""),
        "middle page (page=N/200)": api(f"?page={middle_page}"),
        "middle page (cursor)": api(f"?apres={listing.cursor_of(middle)}"),
        "filtered: certification + statut=ok": api(
            f"?certification={middle.certification_code}&statut=ok"
        ),
        "filtered: validity in one month": api(f"?valide_du={month}&valide_au={month_end}"),
        "search: q=martin": api("?q=martin"),
        "web list, first page": web_list,
    }
    result = {"passages": passages, "with_index": with_index, "calls": {}}
    for label, call in calls.items():
        body = call()
        count = body.json().get("count") if label != "web list, first page" else None
        result["calls"][label] = {
            "median_ms": _median_ms(call, repeat),
            "peak_kib": _peak_kib(call),
            "count": count,
        }
    if not with_index:
        started = time.perf_counter()
        former()
        result["former_seconds"] = time.perf_counter() - started
        result["former_peak_kib"] = _peak_kib(former)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if explain and connection.vendor == "postgresql":
        first = listing.filtered(scope, listing.Filters()).defer("fields", "identity")[:101]
        sql, params = first.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            result["explain_first_page"] = [row[0] for row in cursor.fetchall()]
    return result


def child(mode: str, env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-P", __file__, f"--{mode}", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def postgres_url(base: str) -> str | None:
    try:
        import psycopg

        admin = base.rsplit("/", 1)[0] + "/postgres"
        name = base.rsplit("/", 1)[1]
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 (any failure means: no PostgreSQL here)
        print(f"PostgreSQL unreachable ({exc}); SQLite only.", file=sys.stderr)
        return None
    return base


def run(label: str, database_url: str, passages: int, args, tmp: str) -> list[dict]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": database_url,
        "DATA_DIR": tmp,
    }
    print(f"{label}: generating {passages:,} passages (+{passages // 2:,})…", file=sys.stderr)
    prepared = child("setup", env, str(passages), str(passages // 2))
    results = []
    for with_index in (False, True) if args.index_variant else (False,):
        print(f"{label}: measuring (index: {with_index})…", file=sys.stderr)
        measured = child(
            "measure",
            env,
            str(passages),
            str(args.repeat),
            "1" if with_index else "0",
            "1" if args.explain else "0",
        )
        results.append({"database": label, **prepared, **measured})
        print(json.dumps(results[-1]), file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-index-variant", dest="index_variant", action="store_false")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--setup", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(int(args.setup[0]), int(args.setup[1]))))
        return
    if args.measure:
        passages, repeat, with_index, explain = args.measure
        print(json.dumps(measure(int(passages), int(repeat), with_index == "1", explain == "1")))
        return
    results = []
    for passages in args.sizes:
        with tempfile.TemporaryDirectory(prefix="opencertif-bench-") as tmp:
            results += run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", passages, args, tmp)
            url = None if args.no_postgres else postgres_url(args.postgres)
            if url:
                results += run("PostgreSQL", url, passages, args, tmp)
    labels = list(results[0]["calls"])
    print(
        "\n| database | passages | index | "
        + " | ".join(labels)
        + " | former: all rows in Python |"
    )
    print("|---|---|---|" + "---|" * (len(labels) + 1))
    for r in results:
        cells = [
            f"{r['calls'][label]['median_ms']:.1f} ms / {r['calls'][label]['peak_kib']:,.0f} KiB"
            for label in labels
        ]
        former = (
            f"{r['former_seconds'] * 1000:,.0f} ms / {r['former_peak_kib'] / 1024:,.1f} MiB"
            if "former_seconds" in r
            else "–"
        )
        index = "proposed" if r["with_index"] else "current"
        row = " | ".join([r["database"], f"{r['passages']:,}", index, *cells, former])
        print(f"| {row} |")


if __name__ == "__main__":
    main()
