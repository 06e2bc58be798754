"""Share links: the holder manages them; the public online view honours hidden fields,
re-reads guaranteed entries from today's data, counts views and refuses revoked (410),
expired (410) and unknown (404) links."""

import datetime
import html as html_module

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.models import Passage
from opencertif.passports import services
from opencertif.passports.models import ShareLink
from tests.passports import factories as pf

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html_module.unescape(response.content.decode())


@pytest.fixture
def shared():
    organisation, account = pf.certifier("Université de Lille")
    camille = pf.person()
    holder = pf.holder(camille)
    passage = pf.passage(account, camille, pf.certification("RNCP81001", organisation=organisation))
    experience = services.create_experience(
        holder=holder,
        by=holder.user,
        kind="job",
        title="Assistante comptable",
        start_date=datetime.date(2019, 9, 1),
    )
    cv = services.create_cv(
        holder=holder,
        title="CV comptable",
        summary="Rigoureuse",
        passage_ids=[passage.pk],
        experience_ids=[experience.pk],
        by=holder.user,
    )
    return {"holder": holder, "passage": passage, "cv": cv}


def view(client, link):
    return client.get(reverse("www:shared_cv", args=[link.token]))


def test_the_online_view_shows_the_cv_and_counts_the_view(client, shared):
    link = services.create_share_link(cv=shared["cv"], by=shared["holder"].user)
    response = view(client, link)
    assert response.status_code == 200
    body = text(response)
    assert "Camille MARTIN" in body and "CV comptable" in body
    assert "Titre RNCP81001" in body and "Garanti" in body and "Mention bien" in body
    assert "30/06/2025" in body and "12/04/1990" in body
    assert "Assistante comptable" in body and "Déclaratif" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    view(client, link)
    link.refresh_from_db()
    assert link.views == 2
    # Nothing about the viewer is kept: the link's row has a counter and a time.
    assert {f.name for f in ShareLink._meta.fields} >= {"views", "last_viewed_at"}
    assert not any("ip" in f.name or "agent" in f.name for f in ShareLink._meta.fields)


def test_hidden_fields_are_hidden(client, shared):
    link = services.create_share_link(
        cv=shared["cv"],
        hidden_fields=["mention", "dates", "birth_date", "declarative"],
        by=shared["holder"].user,
    )
    body = text(view(client, link))
    assert "Titre RNCP81001" in body
    for hidden in ("Mention bien", "30/06/2025", "12/04/1990", "Assistante comptable"):
        assert hidden not in body


def test_a_deleted_passage_disappears_from_the_online_view(client, shared):
    link = services.create_share_link(cv=shared["cv"], by=shared["holder"].user)
    Passage.objects.filter(pk=shared["passage"].pk).update(status=PassageStatus.DELETED)
    assert "Titre RNCP81001" not in text(view(client, link))


def test_a_revoked_link_is_refused_with_a_clear_page(client, shared):
    link = services.create_share_link(cv=shared["cv"], by=shared["holder"].user)
    services.revoke_share_link(link=link, by=shared["holder"].user)
    response = view(client, link)
    assert response.status_code == 410
    body = text(response)
    assert "Ce lien de partage a été révoqué par son titulaire" in body
    assert "CV comptable" not in body and "MARTIN" not in body
    link.refresh_from_db()
    assert link.views == 0


def test_an_expired_link_is_refused_with_its_date(client, shared):
    link = services.create_share_link(cv=shared["cv"], days=3, by=shared["holder"].user)
    expiry = timezone.localtime(link.expires_at)
    with time_machine.travel(link.expires_at + datetime.timedelta(minutes=1)):
        response = view(client, link)
    assert response.status_code == 410
    assert f"Ce lien de partage a expiré le {expiry:%d/%m/%Y}" in text(response)


def test_an_unknown_token_is_404(client, shared):
    assert client.get(reverse("www:shared_cv", args=["inconnu"])).status_code == 404


def test_the_holder_creates_lists_and_revokes_links_with_confirmation(client, shared):
    holder, cv = shared["holder"], shared["cv"]
    client.force_login(holder.user)
    url = reverse("passeport:share_links", args=[cv.pk])
    response = client.post(url, {"days": "15", "hidden_fields": ["dates"]})
    assert response.status_code == 302
    link = cv.share_links.get()
    assert link.hidden_fields == ["dates"]
    view(client, link)
    body = text(client.get(url))
    assert reverse("www:shared_cv", args=[link.token]) in body and "Dates" in body
    assert "<td>1</td>" in body  # views
    revoke = reverse("passeport:share_revoke", args=[cv.pk, link.pk])
    assert "Révoquer ce lien de partage ?" in text(client.get(revoke))
    link.refresh_from_db()
    assert link.revoked_at is None
    client.post(revoke)
    link.refresh_from_db()
    assert link.revoked_at is not None
    body = text(client.get(url))
    assert "Aucun lien actif." in body and "Révoqué le" in body
    assert view(client, link).status_code == 410


def test_a_share_form_says_what_to_fix(client, shared):
    client.force_login(shared["holder"].user)
    response = client.post(
        reverse("passeport:share_links", args=[shared["cv"].pk]), {"days": "400"}
    )
    assert response.status_code == 200
    assert "Indiquez une durée de 1 à 365 jours." in text(response)
    assert not ShareLink.objects.exists()
