"""The demo's deposits: a year of them, the university's (with the refused passages of the
walkthrough, and certifications left without deposit: late) and those of a hundred other
demo certifiers, sent through the deposit engine, then backdated.

Idempotent: a second call finds the university's demo deposits and makes none.
"""

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from opencertif.demo.accounts import THIRD_PARTY, UNIVERSITY
from opencertif.demo.people import demo_people
from opencertif.deposits import engine
from opencertif.deposits.enums import AccountRole, Channel, Situation
from opencertif.deposits.format import writer
from opencertif.deposits.models import Deposit, DepositAccount, Passage
from opencertif.organisations.enums import OrganisationKind
from opencertif.organisations.models import Organisation
from opencertif.people.models import Person

KIND_RULES = (
    (("ministere",), OrganisationKind.MINISTRY),
    (
        ("universite", "ecole superieure", "ecole nationale", "institut national"),
        OrganisationKind.HIGHER_EDUCATION,
    ),
    (("cpne", "commission paritaire"), OrganisationKind.CPNE),
    (
        ("chambre de commerce", "chambre de metiers", "chambre d agriculture"),
        OrganisationKind.PUBLIC_BODY,
    ),
    (("association",), OrganisationKind.ASSOCIATION),
)
DEMO_FILE_PREFIX = "demo-"
# The KO passage of the walkthrough: its birth year is one too many.
KO_BIRTH = "DEMO-KO-NAISSANCE"
# The demo holder's (opencertif.demo.passport) own certifications, one in each of the first
# two deposits, on two fiches.
HOLDER_PASSAGES = ("DEMO-TITULAIRE-1", "DEMO-TITULAIRE-2")


def guess_kind(name: str) -> str:
    """The kind of a demo certifier, read from its name (a private training body else)."""
    folded = " ".join(Organisation.key_for(name).split())
    for words, kind in KIND_RULES:
        if any(folded.startswith(word) or f" {word}" in f" {folded}" for word in words):
            return kind
    return OrganisationKind.COMPANY


def _demo_passage(id_technique: str, person: Person, valid_from, **identity_changes) -> dict:
    identity = {
        "birth_name": person.birth_name,
        "usage_name": None,
        "first_name1": person.first_name1,
        "birth_year": person.birth_year,
        "birth_month": person.birth_month,
        "birth_day": person.birth_day,
        "sex": person.sex,
        "birth_insee": person.birth_insee,
    }
    identity.update(identity_changes)
    return {
        "id_technique": id_technique,
        "fields": {
            "obtained_by": "PAR_ADMISSION",
            "certified_data": True,
            "exam_start": (valid_from - datetime.timedelta(days=20)).isoformat(),
            "exam_end": (valid_from - datetime.timedelta(days=19)).isoformat(),
            "valid_from": valid_from.isoformat(),
            "valid_until": None,
            "has_language_level": False,
            "has_digital_level": False,
            "score": None,
            "honours": "SANS_MENTION",
            "enrolment": {"access_mode": "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"},
        },
        "identity_kind": "holder",
        "identity": identity,
    }


def _deposit_demo_file(*, organisation, account, name, when, certifications, user=None) -> None:
    """Deposit one demo file through the engine, dated `when` (a past month)."""
    out = io.StringIO()
    writer.write(
        out,
        id_flux=f"{name}-{account.id_client}",
        timestamp=when.replace(microsecond=0).isoformat(),
        emitter_id_client=account.id_client,
        certifier_id_client=account.id_client,
        id_contract=account.id_contract,
        certifications=certifications,
        action="CREATION",
    )
    deposit = engine.receive(
        organisation=organisation,
        user=user,
        channel=Channel.CLI,
        name=f"{name}.xml",
        stream=io.BytesIO(out.getvalue().encode("utf-8")),
    )
    engine.process(deposit.pk)
    # Backdated, so that the statistics and the compliance pages have a past to show.
    Deposit.objects.filter(pk=deposit.pk).update(
        received_at=when, started_at=when, finished_at=when + datetime.timedelta(seconds=3)
    )
    Passage.objects.filter(last_deposit=deposit).update(created_at=when, updated_at=when)


def seed_passages(*, today: datetime.date | None = None) -> int:
    """Demo deposits of the last year: the university's (with the refused passages of the
    walkthrough, and certifications left without deposit: late) and those of a hundred
    other demo certifiers. Idempotent; returns the number of deposits made."""
    university = Organisation.objects.get(siret=UNIVERSITY["siret"])
    if Deposit.objects.filter(
        organisation=university, file_name__startswith=DEMO_FILE_PREFIX
    ).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(2026)
    people = list(Person.objects.filter(nir__in=[p["nir"] for p in demo_people()]).order_by("pk"))
    for organisation in Organisation.objects.filter(certifier_links__isnull=False, kind=""):
        organisation.kind = guess_kind(organisation.name)
        organisation.save(update_fields=["kind"])

    def moment(months_ago: int) -> datetime.datetime:
        day = today - datetime.timedelta(days=30 * months_ago + rng.randrange(0, 20))
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))

    made = 0
    account = DepositAccount.objects.get(id_client=UNIVERSITY["id_client"])
    manager = get_user_model().objects.get(email=UNIVERSITY["manager"][0])
    fiches = ("RNCP90001", "RNCP90002", "RNCP90003", "RS90001")
    counter = 0
    for step, months_ago in enumerate((11, 9, 7, 5, 3, 1)):
        when = moment(months_ago)
        certifications = []
        # Every other deposit names the other half of the fiches.
        for code in fiches[step % 2 :: 2]:
            batch = []
            for _ in range(12):
                person = people[counter % len(people)]
                # Deposited within 3 months of the jury, but for RNCP90003 one passage in
                # six, deposited too late: the compliance page has each case to show.
                late = code == "RNCP90003" and counter % 6 == 0
                delay = rng.randrange(120, 200) if late else rng.randrange(10, 80)
                valid_from = when.date() - datetime.timedelta(days=delay)
                batch.append(_demo_passage(f"DEMO-{code}-{counter:04d}", person, valid_from))
                counter += 1
            certifications.append(("RS" if code.startswith("RS") else "RNCP", code, batch))
        if step < len(HOLDER_PASSAGES):
            # The demo holder is the first demo person (opencertif.demo.passport).
            holder_passage = _demo_passage(
                HOLDER_PASSAGES[step], people[0], when.date() - datetime.timedelta(days=40)
            )
            holder_passage["fields"]["honours"] = ("MENTION_BIEN", "MENTION_ASSEZ_BIEN")[step]
            certifications[1 - step][2].append(holder_passage)
        if months_ago == 1:
            person = people[5]
            certifications[0][2].append(
                _demo_passage(
                    KO_BIRTH,
                    person,
                    when.date() - datetime.timedelta(days=30),
                    birth_year=person.birth_year + 1,
                )
            )
            certifications[0][2].append(
                _demo_passage(
                    "DEMO-KO-NOM",
                    people[6],
                    when.date() - datetime.timedelta(days=30),
                    birth_name=people[6].birth_name + "e",
                )
            )
        _deposit_demo_file(
            organisation=university,
            account=account,
            name=f"{DEMO_FILE_PREFIX}{when:%Y-%m}",
            when=when,
            certifications=certifications,
            user=manager,
        )
        made += 1
    made += _seed_other_certifiers(rng, people, moment, today)
    return made


def _seed_other_certifiers(rng: random.Random, people: list, moment, today) -> int:
    """A hundred demo certifiers with deposit identifiers, most activated, half of those
    having deposited: the platform's statistics have something to count."""
    certifiers = list(
        Organisation.objects.filter(certifier_links__isnull=False)
        .exclude(siret__in=(UNIVERSITY["siret"], THIRD_PARTY["siret"]))
        .distinct()
        .order_by("name")
    )
    made = 0
    for index, organisation in enumerate(certifiers[:100], 1):
        account, created = DepositAccount.objects.get_or_create(
            organisation=organisation,
            role=AccountRole.CERTIFIER,
            defaults={"id_client": f"DM{index:06d}", "id_contract": f"MCFCER{index:06d}"},
        )
        if index % 4 == 0:
            continue  # identifiers registered, never activated
        if account.activated_at is None:
            account.activated_at = account.notified_at = timezone.now()
            account.situation = Situation.SELF
            account.save(update_fields=["activated_at", "notified_at", "situation"])
        if index % 2:
            continue  # activated, nothing deposited yet
        codes = list(
            organisation.certifier_links.filter(
                Q(certification__delivery_limit_date__isnull=True)
                | Q(certification__delivery_limit_date__gte=today),
                certification__is_active=True,
                certification__effect_date__lte=today - datetime.timedelta(days=400),
                certification__registration_end_date__gte=today,
            ).values_list("certification__number", "certification__register")[:2]
        )
        for deposit_number in range(1 + index % 3):
            when = moment(rng.randrange(0, 12))
            certifications = []
            for number, register in codes:
                batch = [
                    _demo_passage(
                        f"{account.id_client}-{deposit_number}-{number}-{n:03d}",
                        people[rng.randrange(len(people))],
                        when.date() - datetime.timedelta(days=rng.randrange(10, 70)),
                    )
                    for n in range(rng.randrange(4, 16))
                ]
                certifications.append((register.upper(), number, batch))
            if not certifications:
                break
            _deposit_demo_file(
                organisation=organisation,
                account=account,
                name=f"{DEMO_FILE_PREFIX}{account.id_client}-{deposit_number}",
                when=when,
                certifications=certifications,
            )
            made += 1
    return made
