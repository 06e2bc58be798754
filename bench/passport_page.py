"""Passport page benchmark (`make bench`): never run by the test suite.

Times the holder's passport home page (« Mes acquis », `/passeport/`) through the Django
test client — median of --repeat requests after a warm-up — for one holder, in a
throw-away database holding first 1,000 passages, then 10,000,000 (`--sizes`), and prints
both figures and their ratio. The page must read only the holder's rows: the second figure
should stay within 20 % of the first, and under 50 ms.

The data is shaped like reality: one person for every two passages (19 million holders for
35 million passages nationally), passages spread over people by a multiplicative hash (so a
holder's passages are scattered through the table, not adjacent), 90 % OK, 8 % KO, 2 %
deleted, over 200 certifications of 40 certifier accounts; surnames shared as in the
population (0.3 % of people named MARTIN, 0.2 % BERNARD…, then a long tail) and twelve
shared first names, so the measured holder, a MARTIN Camille with three certifications, has
thousands of homonyms at national volume. Rows are inserted with raw SQL (`executemany` in
batches of 50,000, one transaction per batch) into a temporary SQLite file (journal off
while filling), then ANALYZE; each size runs in its own process.

    .venv/bin/python -P bench/passport_page.py [--sizes 1000 10000000] [--repeat 20]
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 50_000
CERTIFIERS = 40
FICHES = 200
SURNAMES = (
    ("MARTIN", 0.0030),
    ("BERNARD", 0.0020),
    ("THOMAS", 0.0018),
    ("PETIT", 0.0017),
    ("ROBERT", 0.0017),
    ("RICHARD", 0.0016),
    ("DURAND", 0.0016),
    ("DUBOIS", 0.0015),
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
PRIME = 2_654_435_761


def surname(index: int) -> str:
    position = (index * 7919) % 100_000 / 100_000
    threshold = 0.0
    for name, share in SURNAMES:
        threshold += share
        if position < threshold:
            return name
    return f"NOM{(index * 104729) % 60_000}"


class Rows:
    """Rows of `model`'s table for raw inserts: every concrete column but the id, with the
    values given per row or a neutral default computed once."""

    def __init__(self, model):
        from django.db.models import JSONField

        self.table = model._meta.db_table
        self.names, self.defaults, self.position = [], [], {}
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            self.position[field.name] = len(self.names)
            self.names.append(field.column)
            if field.null:
                value = None
            elif isinstance(field, JSONField):
                value = json.dumps(field.get_default())
            elif field.has_default():
                value = field.get_default()
            else:
                value = ""
            self.defaults.append(value)

    def row(self, values: dict) -> list:
        row = list(self.defaults)
        for name, value in values.items():
            row[self.position[name]] = value
        return row

    def insert(self, cursor, rows) -> None:
        """executemany in batches of BATCH rows, one transaction each."""
        from django.db import transaction

        marks = ", ".join(["%s"] * len(self.names))
        sql = f"INSERT INTO {self.table} ({', '.join(self.names)}) VALUES ({marks})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                batch = []
        if batch:
            with transaction.atomic():
                cursor.executemany(sql, batch)


def fill(passages: int) -> dict:
    """Runs in a subprocess: migrate, then registry, people, passages and the holder."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from opencertif.accounts.models import User
    from opencertif.deposits.models import DepositAccount, Passage
    from opencertif.organisations.models import Organisation
    from opencertif.passports.enums import MatchOutcome
    from opencertif.passports.models import Holder
    from opencertif.people.models import Person
    from opencertif.registry.models import Block, Certification, CertifierLink

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    accounts, fiches = [], []
    for number in range(CERTIFIERS):
        organisation = Organisation.objects.create(
            name=f"Certificateur {number}", name_key=f"CERTIFICATEUR {number}"
        )
        accounts.append(
            DepositAccount.objects.create(
                organisation=organisation,
                role="certifier",
                id_client=f"BENCH{number:03d}",
                id_contract=f"C{number}",
                activated_at=timezone.now(),
            )
        )
    for number in range(FICHES):
        fiche = Certification.objects.create(
            number=f"RNCP{70000 + number}",
            register="rncp",
            title=f"Certification {number}",
            level=str(3 + number % 5),
            is_active=True,
        )
        CertifierLink.objects.create(
            certification=fiche, organisation=accounts[number % CERTIFIERS].organisation
        )
        Block.objects.bulk_create(
            Block(
                certification=fiche,
                code=f"{fiche.number}BC0{b}",
                label=f"Bloc {b} de la certification {number}",
                competences="Compétence 1\nCompétence 2",
                position=b,
            )
            for b in range(1, 4)
        )
        fiches.append(fiche)
    people = max(1, passages // 2)
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB while filling
        person_table = Rows(Person)

        def person_rows():
            for index in range(people):
                birth_name = surname(index)
                first = FIRST_NAMES[index % len(FIRST_NAMES)]
                yield person_table.row(
                    {
                        "birth_name": birth_name,
                        "first_name1": first,
                        "sex": "F" if index % 2 else "M",
                        "birth_year": 1950 + index % 55,
                        "birth_month": 1 + index % 12,
                        "birth_day": 1 + index % 28,
                        "birth_insee": "75056",
                        "birth_name_key": birth_name,
                        "first_name_key": first.upper(),
                        "row_digest": f"{index:032d}",
                        "created_at": now,
                        "updated_at": now,
                    }
                )

        person_table.insert(cursor, person_rows())
        first_person = Person.objects.order_by("pk").values_list("pk", flat=True).first()
        fields = json.dumps({"valid_from": "2024-06-30", "honours": "MENTION_BIEN"})
        passage_table = Rows(Passage)

        def passage_rows():
            for index in range(passages):
                roll = index % 50
                status = "deleted" if roll == 0 else "ko" if roll <= 4 else "ok"
                fiche = fiches[(index * 31) % FICHES]
                day = datetime.date(2015, 1, 1) + datetime.timedelta(days=index % 3650)
                yield passage_table.row(
                    {
                        "certifier": accounts[fiche.pk % CERTIFIERS].pk,
                        "id_technique": f"B{index:010d}",
                        "status": status,
                        "certification": fiche.pk,
                        "certification_type": "RNCP",
                        "certification_code": fiche.number,
                        "person": first_person + (index * PRIME) % people,
                        "valid_from": day.isoformat(),
                        "fields": fields,
                        "identity_kind": "holder",
                        "content_hash": f"{index:032d}",
                        "created_at": now,
                        "updated_at": now,
                    }
                )

        passage_table.insert(cursor, passage_rows())
        cursor.execute("ANALYZE")
    # The measured holder: a MARTIN Camille among thousands, with three certifications.
    person = Person.objects.create(
        birth_name="MARTIN",
        first_name1="Camille",
        sex="F",
        birth_year=1990,
        birth_name_key="MARTIN",
        first_name_key="CAMILLE",
        row_digest="bench-holder",
    )
    for number in range(3):
        Passage.objects.create(
            certifier=accounts[number],
            id_technique=f"HOLDER{number}",
            status="ok",
            certification=fiches[number],
            certification_type="RNCP",
            certification_code=fiches[number].number,
            person=person,
            valid_from=datetime.date(2023, 6, 30),
            fields={"honours": "MENTION_BIEN"},
            content_hash=f"holder{number}",
        )
    user = User.objects.create_user("titulaire@bench.test", None)
    Holder.objects.create(user=user, person=person, match_outcome=MatchOutcome.MATCHED)
    return {
        "fill_seconds": time.perf_counter() - started,
        "passages": Passage.objects.count(),
        "people": Person.objects.count(),
        "martins": Person.objects.filter(birth_name="MARTIN").count(),
    }


def measure(repeat: int) -> dict:
    """Runs in a fresh subprocess: the page only."""
    import django

    django.setup()
    from django.test import Client

    from opencertif.accounts.models import User

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(email="titulaire@bench.test"))
    response = client.get("/passeport/")
    assert response.status_code == 200, response.status_code
    assert response.content.count(b"Garanti") >= 3, response.content.decode()[-3000:]
    for _ in range(3):
        client.get("/passeport/")  # warm-up: caches, plans, templates
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get("/passeport/")
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(times), "min_ms": min(times)}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.fill is not None:
        print(json.dumps(fill(args.fill)))
        return
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-passport-") as tmp:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "DATA_DIR": tmp,
            }
            print(f"{size:,} passages: generating…", file=sys.stderr, flush=True)
            filled = child("fill", env, str(size))
            measured = child("measure", env, str(args.repeat))
            results.append({"size": size, **filled, **measured})
            print(
                f"{size:>12,} passages ({filled['people']:,} people, {filled['martins']:,} "
                f"MARTIN; filled in {filled['fill_seconds']:.0f} s): /passeport/ median "
                f"{measured['median_ms']:.1f} ms (min {measured['min_ms']:.1f} ms)",
                flush=True,
            )
    if len(results) >= 2:
        ratio = results[-1]["median_ms"] / results[0]["median_ms"]
        print(
            f"ratio {results[-1]['size']:,} / {results[0]['size']:,} passages: {ratio:.2f} "
            f"({(ratio - 1) * 100:+.0f} %)"
        )


if __name__ == "__main__":
    main()
