"""Statistics benchmark (`make bench`): never run by the test suite.

Fills a throw-away database, with set-based SQL (INSERT … SELECT over a series, not the
ORM), with a national-scale platform: certifier organisations of every kind with deposit
accounts, registry fiches and their certifiers, a reference population, deposits over 36
months and N passages (default 10 million, ~90 % OK, several per person). Then it measures
`passages.statistics.compute()` as a whole and each of its queries (median of --repeat
runs), and the staff statistics page and the home page rendered from the stored snapshot
(Django test client, median of --page-runs). PostgreSQL by default (a database it creates
and drops); `--sqlite N` adds the same at N passages on a temporary SQLite file.

    .venv/bin/python bench/national_statistics.py [--passages 10000000] [--repeat 3]
        [--sqlite 1000000] [--explain] [--try-indexes] [--keep]
        [--postgres postgres://postgres@127.0.0.1:5432/test]

A quick check: `--passages 100000`.
"""

import sys
from pathlib import Path

# This file has the name of the standard library's `statistics`: keep bench/ off the
# import path, so that `import statistics` (here or in a library) finds the real one.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics as stats  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "opencertif_bench_statistics"

# Shape of the platform, per passage where it scales with the passages.
CERTIFIERS = 2_500  # organisations with a certifier deposit account
REGISTRY_ONLY = 1_500  # certifiers of fiches without deposit identifiers
OTHER_ORGANISATIONS = 1_000  # partners, third-party depositors…
DEPOSITING = 2_300  # certifiers that deposited (the others never did)
FICHES = 30_500
FICHES_WITH_PASSAGES = 18_000
PERSONS_PER_PASSAGE = 0.5  # 19 million holders for 35 million passages: ≈ 0.54
DEPOSITS_PER_CERTIFIER = 20
MONTHS = 36
KINDS = (  # (stored value, share in %)
    ("company", 50),
    ("higher_ed", 15),
    ("association", 10),
    ("public_body", 6),
    ("cpne", 5),
    ("ministry", 2),
    ("other", 4),
    ("", 8),
)
PRIME = 4294967291  # the largest prime below 2³²
MULTIPLIERS = (
    2654435761,
    2246822519,
    3266489917,
    668265263,
    374761393,
    2869860233,
    1597334677,
    3812015801,
    1103515245,
    2891336453,
    1181783497,
    3292163017,
    2047483647,
    1500450271,
    3010349051,
    4093082899,
    2860486313,
)
# Indexes tried on a scratch copy with --try-indexes: (name, SQL, queries it may help).
CANDIDATE_INDEXES = (
    (
        "passage (person_id, status), to replace passage_person (person_id)",
        "CREATE INDEX bench_passage_person_status ON deposits_passage (person_id, status)",
        ("passports", "passports as distinct person ids"),
    ),
    (
        "passage (person_id) WHERE status = 'ok', partial",
        "CREATE INDEX bench_passage_person_ok ON deposits_passage (person_id) WHERE status = 'ok'",
        ("passports", "passports as distinct person ids"),
    ),
)


def alternatives() -> dict:
    """Other ways to ask the same figures, measured for comparison (not used by compute)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from opencertif.deposits.models import Passage

    return {
        "passports as distinct person ids": lambda: (
            Passage.objects.filter(status="ok", person__isnull=False)
            .values("person_id")
            .distinct()
            .order_by()
            .count()
        ),
        "passages grouped by TruncMonth": lambda: list(
            Passage.objects.annotate(month=TruncMonth("created_at"))
            .values("month", "status")
            .annotate(count=Count("pk"))
            .order_by()
        ),
    }


# --- SQL helpers, PostgreSQL and SQLite ---------------------------------------------------


class Dialect:
    def __init__(self, vendor: str):
        self.vendor = vendor

    def series(self, start: int, stop: int) -> tuple[str, str]:
        """(WITH prefix, FROM source) yielding `i` from start to stop inclusive."""
        if self.vendor == "postgresql":
            return "", f"generate_series({start}::bigint, {stop}::bigint) AS s(i)"
        return (
            f"WITH RECURSIVE s(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM s "
            f"WHERE i < {stop}) ",
            "s",
        )

    @staticmethod
    def hash(seed: int, expr: str = "i") -> str:
        """A deterministic pseudo-random integer in [0, PRIME) from i, the same on both
        databases; each seed has its own multiplier, so attributes are not correlated."""
        multiplier = MULTIPLIERS[seed % len(MULTIPLIERS)]
        return f"((({expr}) * {multiplier} + {seed * 40503 + 97}) % {PRIME})"

    def unit(self, seed: int, expr: str = "i") -> str:
        """A pseudo-random number in [0, 1)."""
        if self.vendor == "postgresql":
            return f"(CAST({self.hash(seed, expr)} AS double precision) / {PRIME}.0)"
        return f"({self.hash(seed, expr)} / {PRIME}.0)"

    def least(self, *exprs: str) -> str:
        return f"{'LEAST' if self.vendor == 'postgresql' else 'min'}({', '.join(exprs)})"

    def floor(self, expr: str) -> str:
        if self.vendor == "postgresql":
            return f"CAST(floor({expr}) AS bigint)"
        return f"CAST({expr} AS INTEGER)"

    def ago(self, seconds: str) -> str:
        """The moment `seconds` before now, as stored by Django."""
        if self.vendor == "postgresql":
            return f"(now() - ({seconds}) * interval '1 second')"
        return (
            f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || CAST({seconds} AS INTEGER) || ' seconds')"
        )

    def now(self) -> str:
        return "now()" if self.vendor == "postgresql" else "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    @staticmethod
    def concat(*parts: str) -> str:
        return " || ".join(p if p.startswith("'") else f"CAST({p} AS TEXT)" for p in parts)


def insert_series(cursor, dialect: Dialect, model, count: int, values: dict, start: int = 1):
    """INSERT count rows of `model`, `values` giving the SQL of columns (others: defaults)."""
    from django.db import models

    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        column = field.column
        if column in values:
            expr = values[column]
        elif field.null:
            expr = "NULL"
        elif isinstance(field, models.JSONField):
            expr = "'[]'" if field.default is list else "'{}'"
        elif isinstance(field, models.BooleanField):
            expr = "TRUE" if field.default is True else "FALSE"
        elif isinstance(field, models.DateTimeField):
            expr = dialect.now()
        elif isinstance(field, (models.CharField, models.TextField)):
            expr = "''"
        elif isinstance(field, models.IntegerField):
            expr = str(field.default if isinstance(field.default, int) else 0)
        else:
            raise ValueError(f"{model.__name__}.{field.name}: give a value")
        columns.append(column)
        exprs.append(expr)
    prefix, source = dialect.series(start, start + count - 1)
    cursor.execute(
        f"{prefix}INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM {source}"
    )


def first_id(cursor, model, count: int) -> int:
    """The first id of the `count` rows just inserted (ids of one INSERT are contiguous
    in a fresh database: checked)."""
    table = model._meta.db_table
    cursor.execute(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {table}")
    low, high, total = cursor.fetchone()
    assert high - low + 1 == total, f"{table}: ids not contiguous"
    return high - count + 1


def kind_case(dialect: Dialect) -> str:
    share = dialect.hash(1) + " % 100"
    branches, bound = [], 0
    for kind, pct in KINDS:
        bound += pct
        branches.append(f"WHEN {share} < {bound} THEN '{kind}'")
    return "CASE " + " ".join(branches) + " ELSE '' END"


# --- generation (runs in the child process) -----------------------------------------------


def generate(passages: int, log) -> dict:
    from django.db import connection, transaction

    from opencertif.deposits.models import Deposit, DepositAccount, Passage
    from opencertif.organisations.models import Organisation
    from opencertif.people.models import Person
    from opencertif.registry.models import Certification, CertifierLink

    d = Dialect(connection.vendor)
    timings = {}
    persons = max(1, int(passages * PERSONS_PER_PASSAGE))
    organisations = CERTIFIERS + REGISTRY_ONLY + OTHER_ORGANISATIONS
    deposits = DEPOSITING * DEPOSITS_PER_CERTIFIER
    month = 30.44 * 86400

    def step(name, work):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            work(cursor)
        timings[name] = round(time.perf_counter() - started, 1)
        log(f"  {name}: {timings[name]} s")

    ids = {}

    def make_organisations(cursor):
        insert_series(
            cursor,
            d,
            Organisation,
            organisations,
            {
                "name": d.concat("'Organisme '", "i"),
                "name_key": d.concat("'organisme '", "i"),
                "kind": kind_case(d),
            },
        )
        ids["org"] = first_id(cursor, Organisation, organisations)

    def make_accounts(cursor):
        # Account k belongs to organisation k; 90 % activated. Then 100 third parties.
        org = ids["org"] - 1
        insert_series(
            cursor,
            d,
            DepositAccount,
            CERTIFIERS,
            {
                "organisation_id": f"{org} + i",
                "role": "'certifier'",
                "id_client": d.concat("'C'", "substr(CAST(10000000 + i AS TEXT), 2, 7)"),
                "id_contract": d.concat("'K'", "i"),
                "activated_at": f"CASE WHEN {d.hash(2)} % 10 < 9 THEN {d.now()} END",
                "situation": "'self'",
            },
        )
        ids["account"] = first_id(cursor, DepositAccount, CERTIFIERS)
        third = ids["org"] + CERTIFIERS + REGISTRY_ONLY - 1
        insert_series(
            cursor,
            d,
            DepositAccount,
            100,
            {
                "organisation_id": f"{third} + i",
                "role": "'depositor'",
                "id_client": d.concat("'D'", "substr(CAST(10000000 + i AS TEXT), 2, 7)"),
                "activated_at": d.now(),
                "situation": "'third_party'",
            },
        )

    def make_fiches(cursor):
        rs_number, rncp_number = d.concat("'RS'", "i"), d.concat("'RNCP'", "i")
        insert_series(
            cursor,
            d,
            Certification,
            FICHES,
            {
                "number": f"CASE WHEN i % 3 = 0 THEN {rs_number} ELSE {rncp_number} END",
                "register": "CASE WHEN i % 3 = 0 THEN 'rs' ELSE 'rncp' END",
                "title": d.concat("'Certification '", "i"),
                "level": "CASE WHEN i % 3 = 0 THEN '' ELSE '6' END",
                "is_active": f"({d.hash(3)} % 4 = 0)",
                "state": "'published'",
            },
        )
        ids["fiche"] = first_id(cursor, Certification, FICHES)
        # One certifier per fiche among the certifiers (with or without identifiers), a
        # second one for a fifth of the fiches.
        known = CERTIFIERS + REGISTRY_ONLY
        first = d.hash(4) + f" % {known}"
        insert_series(
            cursor,
            d,
            CertifierLink,
            FICHES,
            {
                "certification_id": f"{ids['fiche'] - 1} + i",
                "organisation_id": f"{ids['org']} + {first}",
                "state": "'active'",
            },
        )
        prefix, source = d.series(1, FICHES)
        cursor.execute(
            f"{prefix}INSERT INTO {CertifierLink._meta.db_table} "
            "(certification_id, organisation_id, state, position) "
            f"SELECT {ids['fiche'] - 1} + i, "
            f"{ids['org']} + ({first} + 1 + {d.hash(5)} % {known - 1}) % {known}, "
            f"'active', 1 FROM {source} WHERE {d.hash(6)} % 5 = 0"
        )

    def make_persons(cursor):
        without_indexes(cursor, Person, load_persons)

    def load_persons(cursor):
        chunk = 1_000_000
        for start in range(1, persons + 1, chunk):
            count = min(chunk, persons - start + 1)
            insert_series(
                cursor,
                d,
                Person,
                count,
                {
                    "birth_name": d.concat("'N'", "i"),
                    "first_name1": "'Camille'",
                    "sex": "CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END",
                    "birth_year": f"1950 + {d.hash(7)} % 55",
                    "birth_name_key": d.concat("'N'", "i"),
                    "first_name_key": "'CAMILLE'",
                    "row_digest": d.concat("i"),
                },
                start=start,
            )
            log(f"    persons: {start + count - 1:,}")
        ids["person"] = first_id(cursor, Person, persons)

    def make_deposits(cursor):
        account = f"({d.hash(8)} % {DEPOSITING})"
        insert_series(
            cursor,
            d,
            Deposit,
            deposits,
            {
                "state": f"CASE WHEN {d.hash(9)} % 20 = 0 THEN 'rejected' ELSE 'done' END",
                "organisation_id": f"{ids['org']} + {account}",
                "certifier_account_id": f"{ids['account']} + {account}",
                "channel": "'web'",
                "file_name": d.concat("'depot-'", "i", "'.xml'"),
                "stored_path": d.concat("'d'", "i"),
                "size": "1000",
                "sha256": d.concat("'s'", "i"),
                "finished_at": d.ago(f"{d.unit(10)} * {MONTHS * month}"),
                "received_at": d.ago(f"{d.unit(10)} * {MONTHS * month} + 60"),
            },
        )

    def without_indexes(cursor, model, load) -> None:
        """PostgreSQL: drop the table's secondary indexes and unique constraints, load,
        then build them again (sorted builds instead of 10 million random inserts into
        B-trees larger than shared_buffers: minutes instead of hours). Foreign keys are
        not checked during the load (the generated ids are right by construction)."""
        if d.vendor != "postgresql":
            load(cursor)
            return
        table = model._meta.db_table
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL session_replication_role = replica")
        load(cursor)
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        started = time.perf_counter()
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cursor.execute(definition)
        timings[f"{table} indexes"] = round(time.perf_counter() - started, 1)
        log(f"    {len(constraints) + len(indexes)} indexes rebuilt")

    def make_passages(cursor):
        without_indexes(cursor, Passage, load_passages)

    def load_passages(cursor):
        # Skewed: big certifiers and popular fiches get more passages; more passages
        # in recent months (density growing linearly).
        certifier = d.floor(f"{DEPOSITING} * {d.unit(11)} * {d.unit(11)}")
        fiche = d.floor(f"{FICHES_WITH_PASSAGES} * {d.unit(12)} * {d.unit(12)}")
        status = f"{d.hash(13)} % 100"
        ko = f"{status} BETWEEN 90 AND 98"  # KO: holder not identified, no person
        person = f"{ids['person']} + {d.hash(14)} % {persons}"
        chunk = 1_000_000
        for start in range(1, passages + 1, chunk):
            count = min(chunk, passages - start + 1)
            insert_series(
                cursor,
                d,
                Passage,
                count,
                {
                    "certifier_id": f"{ids['account']} + {certifier}",
                    "id_technique": d.concat("'P'", "i"),
                    "status": f"CASE WHEN {status} < 90 THEN 'ok' WHEN {status} < 99 THEN 'ko' "
                    "ELSE 'deleted' END",
                    "ko_reason": f"CASE WHEN {ko} THEN 'identity' ELSE '' END",
                    "certification_id": f"{ids['fiche']} + {fiche}",
                    "certification_type": "'RNCP'",
                    "certification_code": d.concat("'RNCP'", f"{fiche}"),
                    "person_id": f"CASE WHEN {ko} THEN NULL ELSE {person} END",
                    "fields": '\'{"o": "PAR_ADMISSION"}\'',
                    "identity_kind": "'holder'",
                    "content_hash": d.concat("'h'", "i"),
                    "status_before_deletion": f"CASE WHEN {status} >= 99 THEN 'ok' ELSE '' END",
                    "deleted_at": f"CASE WHEN {status} >= 99 THEN {d.now()} END",
                    # min of two uniforms: density falling linearly with age.
                    "created_at": d.ago(f"{d.least(d.unit(15), d.unit(16))} * {MONTHS * month}"),
                },
                start=start,
            )
            log(f"    passages: {start + count - 1:,}")

    log("generating…")
    step("organisations, accounts", lambda c: (make_organisations(c), make_accounts(c)))
    step("fiches and certifiers", make_fiches)
    step("persons", make_persons)
    step("deposits", make_deposits)
    step("passages", make_passages)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if d.vendor == "postgresql" else "ANALYZE")
    timings["vacuum analyze"] = round(time.perf_counter() - started, 1)
    log(f"  vacuum/analyze: {timings['vacuum analyze']} s")
    return {"persons": persons, "deposits": deposits, "generation_seconds": timings}


def sizes() -> dict:
    from django.db import connection

    from opencertif.deposits.models import Passage
    from opencertif.people.models import Person

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
        result = {"database_mb": round(database / 2**20)}
        for model in (Passage, Person):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT pg_table_size('{table}'), pg_indexes_size('{table}'), "
                f"(SELECT COUNT(*) FROM {table})"
            )
            table_bytes, index_bytes, rows = cursor.fetchone()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
                "FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1",
                [table],
            )
            result[table] = {
                "rows": rows,
                "table_mb": round(table_bytes / 2**20),
                "indexes_mb": round(index_bytes / 2**20),
                "index_mb": {name: round(size / 2**20) for name, size in cursor.fetchall()},
            }
        return result


# --- measures (child process) --------------------------------------------------------------


def timed_runs(work, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started) * 1000)
    return {"first_ms": round(runs[0], 1), "median_ms": round(stats.median(runs), 1)}


def explain(name: str, work) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else ""
            if not prefix:
                prefix = "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + query["sql"])
            plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
            plans.append(f"-- {name}\n{query['sql']}\n{plan}")
    return "\n\n".join(plans)


def measure(repeat: int, page_runs: int, do_explain: bool, try_indexes: bool, log) -> dict:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from opencertif.accounts.models import User
    from opencertif.accounts.perms import DEPOSIT_IDENTIFIERS
    from opencertif.passages import statistics

    result = {"queries": {}}
    log("measuring compute()…")
    result["compute"] = timed_runs(statistics.compute, repeat)
    log(f"  compute(): {result['compute']}")
    queries = statistics.queries()
    for name, query in queries.items():
        result["queries"][name] = timed_runs(query, repeat)
        log(f"  {name}: {result['queries'][name]}")
    others = alternatives()
    result["alternatives"] = {}
    for name, query in others.items():
        result["alternatives"][name] = timed_runs(query, repeat)
        log(f"  {name}: {result['alternatives'][name]}")
    queries = {**queries, **others}
    snapshot = statistics.refresh()
    result["figures"] = {
        key: snapshot.data[key] for key in ("passages", "passports", "certifications")
    }
    result["figures"]["certifiers"] = snapshot.data["certifiers"]["total"]
    result["snapshot_bytes"] = len(json.dumps(snapshot.data))

    staff = User.objects.create_user("bench-staff@opencertif.test", "x", is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name=DEPOSIT_IDENTIFIERS)[0])
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    html = get("/instruction/statistiques/").content.decode()
    assert "Chiffres au" in html and html.count("<svg viewBox") == 3
    result["page"] = timed_runs(lambda: get("/instruction/statistiques/"), page_runs)
    anonymous = Client(HTTP_HOST="localhost")
    assert "La plateforme en chiffres" in anonymous.get("/").content.decode()
    result["home"] = timed_runs(lambda: anonymous.get("/"), page_runs)
    result["page_bytes"] = len(html)
    log(f"  page: {result['page']}, home: {result['home']}")

    if do_explain:
        result["plans"] = "\n\n".join(explain(name, query) for name, query in queries.items())
    if try_indexes and connection.vendor == "postgresql":
        result["indexes"] = []
        for label, sql, helped in CANDIDATE_INDEXES:
            log(f"trying index {label}…")
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.execute("VACUUM ANALYZE deposits_passage")
                index_name = sql.split()[2]
                cursor.execute(f"SELECT pg_relation_size('{index_name}')")
                index_mb = round(cursor.fetchone()[0] / 2**20)
            build = round(time.perf_counter() - started, 1)
            entry = {"index": label, "build_seconds": build, "size_mb": index_mb, "queries": {}}
            for name in helped:
                entry["queries"][name] = timed_runs(queries[name], repeat)
                if do_explain:
                    entry.setdefault("plans", "")
                    entry["plans"] += explain(name, queries[name])
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {index_name}")
            log(f"  {entry}")
            result["indexes"].append(entry)
    return result


def child(passages: int, repeat: int, page_runs: int, do_explain, try_indexes) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    def log(message):
        print(message, file=sys.stderr, flush=True)

    call_command("migrate", verbosity=0)
    generated = generate(passages, log)
    return {
        "database": connection.vendor,
        "version": connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql"
        else __import__("sqlite3").sqlite_version,
        "passages": passages,
        **generated,
        "sizes": sizes(),
        **measure(repeat, page_runs, do_explain, try_indexes, log),
    }


# --- driver --------------------------------------------------------------------------------


def postgres_url(base: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    except Exception as exc:  # noqa: BLE001 (any failure means: no PostgreSQL here)
        print(f"PostgreSQL unreachable ({exc}).", file=sys.stderr)
        return None
    return base.rsplit("/", 1)[0] + f"/{DATABASE}"


def drop_postgres(base: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def run(database_url: str, tmp: str, args, passages: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": database_url,
        "DATA_DIR": tmp,
    }
    command = [sys.executable, __file__, "--child", str(passages), "--repeat", str(args.repeat)]
    command += ["--page-runs", str(args.page_runs)]
    command += ["--explain"] if args.explain else []
    command += ["--try-indexes"] if args.try_indexes else []
    out = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(results: list[dict]) -> None:
    def ms(value):
        return f"{value:,.1f}".replace(",", " ")

    for r in results:
        gen = r["generation_seconds"]
        print(
            f"\n### {r['database']} {r['version']} — {r['passages']:,} passages, "
            f"{r['persons']:,} persons, {r['deposits']:,} deposits"
        )
        print(
            f"\nGeneration: {sum(v for k, v in gen.items() if not k.endswith('indexes')):.0f} s ("
            + ", ".join(f"{k} {v} s" for k, v in gen.items())
            + ")"
        )
        if r["sizes"]:
            s = r["sizes"]
            p = s["deposits_passage"]
            print(
                f"Database {s['database_mb']:,} MB; passage table {p['table_mb']:,} MB "
                f"+ indexes {p['indexes_mb']:,} MB ("
                + ", ".join(f"{name} {mb}" for name, mb in p["index_mb"].items())
                + ")."
            )
        print("\n| measure | first run (ms) | median (ms) |")
        print("|---|---|---|")
        whole = r["compute"]
        print(f"| **compute()** | {ms(whole['first_ms'])} | **{ms(whole['median_ms'])}** |")
        for name, value in r["queries"].items():
            print(f"| · {name} | {ms(value['first_ms'])} | {ms(value['median_ms'])} |")
        print(
            f"| statistics page | {ms(r['page']['first_ms'])} | **{ms(r['page']['median_ms'])}** |"
        )
        print(f"| home page | {ms(r['home']['first_ms'])} | {ms(r['home']['median_ms'])} |")
        measured = {**r["queries"], **r["alternatives"]}
        for name, value in r["alternatives"].items():
            print(f"| (other way) {name} | {ms(value['first_ms'])} | {ms(value['median_ms'])} |")
        for entry in r.get("indexes", []):
            for name, value in entry["queries"].items():
                ratio = measured[name]["median_ms"] / value["median_ms"]
                print(
                    f"| {name}, with index {entry['index']} ({entry['size_mb']} MB, "
                    f"built in {entry['build_seconds']} s) | {ms(value['first_ms'])} | "
                    f"{ms(value['median_ms'])} ({ratio:.1f}× the same without) |"
                )
        print(f"\nFigures: {json.dumps(r['figures'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (median)")
    parser.add_argument("--page-runs", type=int, default=20)
    parser.add_argument("--sqlite", type=int, default=0, help="also N passages on SQLite")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument("--try-indexes", action="store_true", help="measure candidate indexes")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(
            json.dumps(
                child(args.child, args.repeat, args.page_runs, args.explain, args.try_indexes)
            )
        )
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="opencertif-bench-") as tmp:
        if not args.no_postgres:
            url = postgres_url(args.postgres)
            if url:
                try:
                    results.append(run(url, tmp, args, args.passages))
                finally:
                    if not args.keep:
                        drop_postgres(args.postgres)
        if args.sqlite:
            results.append(run(f"sqlite:///{tmp}/bench.sqlite3", tmp, args, args.sqlite))
    report(results)
    print(
        json.dumps([{k: v for k, v in r.items() if k != "plans"} for r in results]), file=sys.stderr
    )
    for r in results:
        if r.get("plans"):
            print(f"\n--- plans ({r['database']}) ---\n{r['plans']}", file=sys.stderr)
        for entry in r.get("indexes", []):
            if entry.get("plans"):
                print(f"\n--- plans with {entry['index']} ---\n{entry['plans']}", file=sys.stderr)


if __name__ == "__main__":
    main()
