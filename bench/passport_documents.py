"""Signed documents benchmark (`make bench`): never run by the test suite.

Builds, in a throw-away SQLite database (the test settings: a temporary DATA_DIR and a
fresh development key), a holder with a CV of --entries guaranteed certifications and two
declarative entries. Then it measures, each as the median of --repeat runs after
--warmup runs: issuing the CV as a signed PDF (`documents.issue_cv_pdf`: snapshot,
WeasyPrint rendering, PAdES signature with pyHanko, the record), its two halves
(rendering, signing), verifying the PDF (`verification.verify_pdf`: signature and every
entry against today's data), and issuing and verifying an Open Badges credential. The
first issuance of the process (WeasyPrint and its fonts loaded) is reported apart.

    .venv/bin/python bench/passport_documents.py [--entries 10] [--repeat 20] [--warmup 2]
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ.pop("DATABASE_URL", None)


def timed(function, repeat: int, warmup: int) -> tuple[float, object]:
    for _ in range(warmup):
        result = function()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from opencertif.passports import credentials, documents, pdf, verification
    from opencertif.passports.enums import ExperienceKind
    from opencertif.passports.models import Cv, Experience
    from tests.passports import factories

    person = factories.person()
    holder = factories.holder(person)
    organisation, account = factories.certifier("Université de démonstration")
    passages = [
        factories.passage(
            account,
            person,
            factories.certification(organisation=organisation),
            valid_from=datetime.date(2010 + index % 15, 6, 30),
        )
        for index in range(args.entries)
    ]
    cv = Cv.objects.create(holder=holder, title="Maintenance industrielle", summary="Résumé.")
    cv.passages.set(passages)
    cv.experiences.set(
        [
            Experience.objects.create(
                holder=holder,
                kind=ExperienceKind.JOB,
                title=f"Emploi {index}",
                organisation="Ateliers du Rhône",
                start_date=datetime.date(2015 + index, 1, 1),
            )
            for index in range(2)
        ]
    )

    start = time.perf_counter()
    document, data = documents.issue_cv_pdf(cv=cv)
    cold = time.perf_counter() - start

    issue, (document, data) = timed(lambda: documents.issue_cv_pdf(cv=cv), args.repeat, args.warmup)
    html_document = document
    render, unsigned = timed(
        lambda: documents.render_cv(html_document, title=cv.title, summary=cv.summary),
        args.repeat,
        args.warmup,
    )
    sign, _ = timed(lambda: pdf.sign(unsigned), args.repeat, args.warmup)
    verify, verdict = timed(lambda: verification.verify_pdf(data), args.repeat, args.warmup)
    assert verdict.valid and len(verdict.guaranteed) == args.entries, verdict.as_json()
    badge, (_doc, token) = timed(
        lambda: credentials.issue_credential(holder=holder, passage=passages[0]),
        args.repeat,
        args.warmup,
    )
    check, credential_verdict = timed(
        lambda: verification.verify_credential(token), args.repeat, args.warmup
    )
    assert credential_verdict.valid

    print(f"Signed documents — {args.entries} certifications + 2 declarative entries")
    print(f"  PDF size                               {len(data) / 1024:8.1f} KiB")
    print(f"  first CV PDF of the process (cold)     {cold * 1000:8.1f} ms")
    print(f"  issue a signed CV PDF (median)         {issue * 1000:8.1f} ms")
    print(f"    of which rendering (WeasyPrint)      {render * 1000:8.1f} ms")
    print(f"    of which signing (pyHanko PAdES)     {sign * 1000:8.1f} ms")
    print(f"  verify the PDF (median)                {verify * 1000:8.1f} ms")
    print(f"  issue a credential (VC-JWT, median)    {badge * 1000:8.1f} ms")
    print(f"  verify the credential (median)         {check * 1000:8.1f} ms")
    print(f"  ({args.repeat} runs each after {args.warmup} warm-up runs)")


if __name__ == "__main__":
    main()
