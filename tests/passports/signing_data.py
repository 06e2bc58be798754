"""A holder with a CV of several guaranteed passages and declarative entries, for the
tests of signed documents and their verification."""

import datetime
from dataclasses import dataclass

from opencertif.deposits.models import Passage
from opencertif.passports.enums import ExperienceKind
from opencertif.passports.models import Cv, Experience, Holder
from tests.passports import factories


@dataclass
class CvWorld:
    holder: Holder
    cv: Cv
    passages: list[Passage]
    account: object
    experience: Experience


def cv_world(*, certifications: int = 2, name: str = "MARTIN") -> CvWorld:
    """A holder, their certifier, `certifications` accepted passages and one declarative
    entry, all on one CV."""
    person = factories.person(birth_name=name)
    holder = factories.holder(person)
    organisation, account = factories.certifier(f"Université de {name.title()}")
    passages = [
        factories.passage(
            account,
            person,
            factories.certification(organisation=organisation),
            valid_from=datetime.date(2020 + index, 6, 30),
        )
        for index in range(certifications)
    ]
    experience = Experience.objects.create(
        holder=holder,
        kind=ExperienceKind.JOB,
        title="Technicienne de maintenance",
        organisation="Ateliers du Rhône",
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2022, 12, 31),
    )
    cv = Cv.objects.create(holder=holder, title="Maintenance industrielle", summary="Résumé.")
    cv.passages.set(passages)
    cv.experiences.set([experience])
    return CvWorld(holder, cv, passages, account, experience)
