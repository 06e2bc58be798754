"""The demo's holder: an account with a passport fed by the demo deposits."""

import pytest
from django.core.management import call_command

from opencertif.demo.passport import CV_TITLE, HOLDER_EMAIL, JOB_TITLE
from opencertif.passports import passport
from opencertif.passports.enums import MatchOutcome
from opencertif.passports.models import Cv, Experience, Holder

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_holder_with_guaranteed_certifications_a_job_and_a_cv(client, capsys):
    call_command("demo", fiches=0)
    assert HOLDER_EMAIL in capsys.readouterr().out
    holder = Holder.objects.select_related("user", "person").get(user__email=HOLDER_EMAIL)
    assert holder.match_outcome == MatchOutcome.MATCHED
    assert holder.subject == f"dev:{holder.person.pk}"
    assert not holder.user.has_usable_password()
    entries = passport.guaranteed(holder)
    numbers = {entry.number for entry in entries}
    assert len(numbers) >= 2
    # From the demo deposits, through the engine.
    assert {"DEMO-TITULAIRE-1", "DEMO-TITULAIRE-2"} <= set(
        holder.person.passages.values_list("id_technique", flat=True)
    )
    [job] = holder.experiences.all()
    assert job.kind == "job" and job.title == JOB_TITLE
    [cv] = holder.cvs.all()
    assert cv.title == CV_TITLE
    assert cv.passages.count() == len(entries) and list(cv.experiences.all()) == [job]
    client.force_login(holder.user)
    html = client.get("/passeport/").content.decode()
    assert "Garanti" in html and "Mention bien" in html

    call_command("demo", fiches=0)
    assert Holder.objects.filter(user__email=HOLDER_EMAIL).count() == 1
    assert Experience.objects.count() == 1 and Cv.objects.count() == 1
