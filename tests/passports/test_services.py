"""What a holder writes: declarative entries, CVs, share links; the export of their data."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opencertif.core.models import AuditEntry
from opencertif.passports import services
from opencertif.passports.models import ShareLink
from tests.passports import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    organisation, account = pf.certifier()
    certification = pf.certification(organisation=organisation)
    camille, lea = pf.person(), pf.person("DURAND", "Léa")
    holder, other = pf.holder(camille), pf.holder(lea)
    return {
        "holder": holder,
        "other": other,
        "mine": pf.passage(account, camille, certification),
        "theirs": pf.passage(account, lea, certification),
    }


def job(holder, title="Comptable"):
    return services.create_experience(
        holder=holder,
        by=holder.user,
        kind="job",
        title=title,
        organisation="Cabinet Dupont",
        start_date=datetime.date(2020, 1, 1),
    )


def test_an_experience_is_created_updated_deleted_and_audited(setup):
    holder = setup["holder"]
    experience = job(holder)
    services.update_experience(experience=experience, by=holder.user, title="Chef comptable")
    experience.refresh_from_db()
    assert experience.title == "Chef comptable"
    services.delete_experience(experience=experience, by=holder.user)
    assert not holder.experiences.exists()
    assert list(
        AuditEntry.objects.filter(actor=holder.user).order_by("pk").values_list("action", flat=True)
    ) == [
        "passport.experience_created",
        "passport.experience_updated",
        "passport.experience_deleted",
    ]


def test_an_experience_cannot_end_before_it_starts(setup):
    with pytest.raises(ValidationError):
        services.create_experience(
            holder=setup["holder"],
            by=setup["holder"].user,
            kind="job",
            title="X",
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2019, 1, 1),
        )


def test_a_cv_selects_the_holders_own_entries(setup):
    holder = setup["holder"]
    experience = job(holder)
    cv = services.create_cv(
        holder=holder,
        title="Mon CV",
        summary="Comptable",
        passage_ids=[setup["mine"].pk],
        experience_ids=[experience.pk],
        by=holder.user,
    )
    assert list(cv.passages.all()) == [setup["mine"]]
    assert list(cv.experiences.all()) == [experience]


def test_a_cv_refuses_another_holders_passage_or_experience(setup):
    holder = setup["holder"]
    with pytest.raises(ValidationError) as error:
        services.create_cv(
            holder=holder, title="X", passage_ids=[setup["theirs"].pk], by=holder.user
        )
    assert "passages" in error.value.message_dict
    theirs = job(setup["other"])
    with pytest.raises(ValidationError) as error:
        services.create_cv(holder=holder, title="X", experience_ids=[theirs.pk], by=holder.user)
    assert "experiences" in error.value.message_dict
    assert not holder.cvs.exists()


def test_a_share_link_has_a_random_token_an_expiry_and_hidden_fields(setup):
    holder = setup["holder"]
    cv = services.create_cv(holder=holder, title="CV", by=holder.user)
    link = services.create_share_link(cv=cv, days=10, hidden_fields=["dates"], by=holder.user)
    assert len(link.token) >= 43
    assert (link.expires_at - timezone.now()).days == 9
    assert link.hidden_fields == ["dates"] and link.is_active()
    for days in (0, 366):
        with pytest.raises(ValidationError):
            services.create_share_link(cv=cv, days=days, by=holder.user)
    with pytest.raises(ValidationError):
        services.create_share_link(cv=cv, hidden_fields=["nir"], by=holder.user)


def test_revoking_a_link_ends_it_and_views_are_counted(setup):
    holder = setup["holder"]
    cv = services.create_cv(holder=holder, title="CV", by=holder.user)
    link = services.create_share_link(cv=cv, by=holder.user)
    services.record_view(link)
    services.record_view(link)
    link.refresh_from_db()
    assert link.views == 2 and link.last_viewed_at is not None
    services.revoke_share_link(link=link, by=holder.user)
    link.refresh_from_db()
    assert not link.is_active() and link.revoked_at is not None
    services.delete_share_link(link=link, by=holder.user)
    assert not ShareLink.objects.exists()


def test_export_holds_the_holders_data_and_nothing_of_another(setup):
    holder = setup["holder"]
    experience = job(holder)
    cv = services.create_cv(
        holder=holder,
        title="Mon CV",
        passage_ids=[setup["mine"].pk],
        experience_ids=[experience.pk],
        by=holder.user,
    )
    services.create_share_link(cv=cv, by=holder.user)
    job(setup["other"], title="Pâtissière")
    data = services.export(holder, by=holder.user)
    assert data["account"]["email"] == holder.user.email
    assert data["holder"]["match_outcome"] == "matched"
    assert data["identity"]["birth_name"] == "MARTIN"
    assert [g["passage"] for g in data["guaranteed"]] == [setup["mine"].pk]
    assert [e["title"] for e in data["experiences"]] == ["Comptable"]
    assert [c["title"] for c in data["cvs"]] == ["Mon CV"]
    assert len(data["share_links"]) == 1
    text = str(data)
    assert "Pâtissière" not in text and "DURAND" not in text
    assert setup["other"].user.email not in text
    assert AuditEntry.objects.filter(action="passport.exported", actor=holder.user).exists()
