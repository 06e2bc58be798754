"""Registry search benchmark (`make bench`): never run by the test suite.

Generates N fiches (default 30,000) with the demo generator, then measures, for a set of
realistic queries, the latency of the search service (what the page and the API call) and
of the bare ranked full-text query alone, on SQLite and on PostgreSQL when reachable.

    .venv/bin/python bench/registry_search.py [--fiches 30000] [--repeat 30]
        [--postgres postgres://postgres@127.0.0.1:5432/test]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUERIES = [
    {"q": "comptabilité"},
    {"q": "comptabilité", "level": "6"},
    {"q": "comptabilite gestion"},
    {"q": "informatique"},
    {"q": "développeur web"},
    {"q": "infirmier"},
    {"q": "management", "active_only": False},
    {"q": "logistique transport"},
    {"q": "cuisine"},
    {"q": "BTS"},
    {"q": "ressources humaines"},
    {"q": "sécurité", "register": "rs"},
    {"q": "gestion de projet"},
    {"q": "paie"},
    {"q": "université"},
    {"q": "maintenance industrielle", "level": "4"},
    {"q": "M1805"},
    {"q": "RNCP3"},
    {"q": "commerce vente", "sort": "intitule"},
    {"q": "bâtiment", "nsf": "23"},
]
BROWSE = [{"q": ""}, {"q": "", "level": "6"}, {"q": "", "nsf": "31", "active_only": False}]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def worker(fiches: int, repeat: int) -> dict:
    """Runs inside a subprocess whose DATABASE_URL names the database to measure."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from opencertif.demo.registry import generate
    from opencertif.registry import search_backends
    from opencertif.registry.search import SearchParams, search
    from opencertif.registry.services import upsert_records

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    report = upsert_records(generate(fiches))
    load_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def run_service(query: dict) -> tuple[float, int]:
        params = SearchParams(**query)
        begin = time.perf_counter()
        result = search(params)
        return (time.perf_counter() - begin) * 1000, result.total

    def run_raw(query: dict) -> float:
        sql, args = search_backends.raw_sql(search_backends.query_terms(query["q"]))
        begin = time.perf_counter()
        search_backends.fetch_all(sql, args)
        return (time.perf_counter() - begin) * 1000

    for query in QUERIES + BROWSE:  # warm caches once
        run_service(query)
    service, raw, browse, per_query = [], [], [], []
    for query in QUERIES:
        samples = [run_service(query) for _ in range(repeat)]
        raw_samples = [run_raw(query) for _ in range(repeat)]
        service += [s for s, _ in samples]
        raw += raw_samples
        per_query.append(
            {
                "query": query,
                "matches": samples[0][1],
                "service_p50": statistics.median(s for s, _ in samples),
                "raw_p50": statistics.median(raw_samples),
            }
        )
    for query in BROWSE:
        browse += [run_service(query)[0] for _ in range(repeat)]
    return {
        "vendor": connection.vendor,
        "fiches": report.created + report.updated + report.unchanged,
        "load_seconds": load_seconds,
        "service_p50": statistics.median(service),
        "service_p95": percentile(service, 95),
        "raw_p50": statistics.median(raw),
        "raw_p95": percentile(raw, 95),
        "browse_p50": statistics.median(browse),
        "browse_p95": percentile(browse, 95),
        "per_query": per_query,
    }


def run_backend(database_url: str, fiches: int, repeat: int, data_dir: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": database_url,
        "DATA_DIR": data_dir,
    }
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--fiches", str(fiches), "--repeat", str(repeat)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def postgres_database(url: str) -> str | None:
    """A fresh `opencertif_bench` database on the server of `url`, or None if unreachable."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS opencertif_bench")
            conn.execute("CREATE DATABASE opencertif_bench")
    except psycopg.Error as exc:
        print(f"PostgreSQL unreachable ({exc}); measuring SQLite only.", file=sys.stderr)
        return None
    return url.rsplit("/", 1)[0] + "/opencertif_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fiches", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.fiches, args.repeat)))
        return

    results = []
    with tempfile.TemporaryDirectory(prefix="opencertif-bench-") as tmp:
        print(f"SQLite: loading {args.fiches} fiches and measuring…", file=sys.stderr)
        results.append(run_backend(f"sqlite:///{tmp}/bench.sqlite3", args.fiches, args.repeat, tmp))
        pg_url = postgres_database(args.postgres)
        if pg_url:
            print(f"PostgreSQL: loading {args.fiches} fiches and measuring…", file=sys.stderr)
            results.append(run_backend(pg_url, args.fiches, args.repeat, tmp))

    print(
        f"\nRegistry search, {args.fiches} fiches, {len(QUERIES)} keyword queries × "
        f"{args.repeat} runs (milliseconds)\n"
    )
    print(
        "| database | load (s) | service p50 | service p95 | raw FTS p50 | raw FTS p95 | "
        "p95 ratio | browse p50 | browse p95 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['vendor']} | {r['load_seconds']:.0f} | {r['service_p50']:.1f} | "
            f"{r['service_p95']:.1f} | {r['raw_p50']:.1f} | {r['raw_p95']:.1f} | "
            f"{r['service_p95'] / r['raw_p95']:.2f}× | {r['browse_p50']:.1f} | "
            f"{r['browse_p95']:.1f} |"
        )
    for r in results:
        print(f"\n{r['vendor']}: per query (p50 ms, matches)")
        for item in r["per_query"]:
            print(
                f"  {item['query']}: service {item['service_p50']:.1f}, raw "
                f"{item['raw_p50']:.1f}, {item['matches']} matches"
            )


if __name__ == "__main__":
    main()
