"""The demo holder: the first demo person, with the account titulaire@passeport-demo.test,
two certifications from the university's demo deposits (opencertif.demo.deposits), one
declarative job and one CV selecting them all.

Holders sign in through OpenID Connect: the account has no usable password; the
development provider signs in the subject `dev:<person pk>`, which lands on it.
Idempotent: a second call changes nothing."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from opencertif.demo.people import demo_people
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.models import Passage
from opencertif.passports import services
from opencertif.passports.enums import ExperienceKind, MatchOutcome
from opencertif.passports.models import Holder
from opencertif.people.models import Person

HOLDER_EMAIL = "titulaire@passeport-demo.test"
JOB_TITLE = "Assistante comptable"
CV_TITLE = "CV – Comptabilité et gestion"


@transaction.atomic
def seed_holder() -> Holder | None:
    """Create the demo holder (once); None when the demo people are not loaded."""
    first = next(demo_people(1))
    person = Person.objects.filter(nir=first["nir"]).first()
    if person is None:
        return None
    existing = Holder.objects.filter(user__email=HOLDER_EMAIL).first()
    if existing is not None:
        return existing
    user_model = get_user_model()
    user = user_model.objects.filter(email=HOLDER_EMAIL).first()
    if user is None:
        # No password: holders sign in through their identity provider.
        user = user_model.objects.create_user(
            HOLDER_EMAIL, None, first_name=person.first_name1, last_name=person.birth_name
        )
    holder = Holder.objects.create(
        user=user,
        subject=f"dev:{person.pk}",
        person=person,
        match_outcome=MatchOutcome.MATCHED,
        matched_at=timezone.now(),
    )
    job = services.create_experience(
        holder=holder,
        by=user,
        kind=ExperienceKind.JOB,
        title=JOB_TITLE,
        organisation="Cabinet Fiduciaire du Nord",
        place="Lille",
        start_date=datetime.date(2019, 9, 1),
        description="Saisie comptable, rapprochements bancaires, préparation de la paie.",
    )
    passage_ids = list(
        Passage.objects.filter(person=person, status=PassageStatus.OK).values_list("pk", flat=True)
    )
    services.create_cv(
        holder=holder,
        title=CV_TITLE,
        summary="Comptable rigoureuse, diplômée de l'Université de démonstration.",
        passage_ids=passage_ids,
        experience_ids=[job.pk],
        by=user,
    )
    return holder
