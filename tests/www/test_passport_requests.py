"""Holders' requests over HTTP: the holder's pages (report an error, a missing
certification, follow the answers) and the certifier space (list, page, answers)."""

import datetime

import pytest

from opencertif.core.models import AuditEntry
from opencertif.passports import requests as service
from opencertif.passports.enums import RequestState
from opencertif.passports.models import CorrectionRequest
from opencertif.registry import search_index
from tests import factories
from tests.factories import page
from tests.passports import requests_world

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return requests_world.build()


def reported(world, passage=None) -> CorrectionRequest:
    return service.report_error(
        holder=world.holder,
        passage=passage or world.passage,
        fields=["date"],
        message="La date d'obtention est le 30 juin 2024.",
    )


# ------------------------------------------------------------------ the holder's pages


def test_a_holder_reports_an_error_on_their_certification(client, world, mailoutbox):
    client.force_login(world.holder.user)
    url = f"/passeport/acquis/{world.passage.pk}/signaler/"
    form = client.get(url)
    assert form.status_code == 200
    html = page(form)
    assert world.certification.number in html
    assert 'type="checkbox"' in html and "Nom ou prénom" in html
    response = client.post(url, {"fields_to_correct": ["date", "mention"], "message": "Erreur."})
    assert response.status_code == 302
    assert response["Location"] == "/passeport/demandes/"
    made = CorrectionRequest.objects.get()
    assert (made.holder, made.passage, made.organisation) == (
        world.holder,
        world.passage,
        world.certifier,
    )
    assert made.fields == ["date", "mention"]
    assert any(f"/espace/demandes/{made.pk}/" in m.body for m in mailoutbox)


def test_a_report_without_element_or_message_is_sent_back_with_errors(client, world):
    client.force_login(world.holder.user)
    response = client.post(f"/passeport/acquis/{world.passage.pk}/signaler/", {"message": ""})
    assert response.status_code == 200
    html = page(response)
    assert "Cochez au moins un élément à corriger." in html
    assert "Écrivez un message" in html
    assert not CorrectionRequest.objects.exists()


def test_a_holder_cannot_report_on_another_holders_passage(client, world):
    client.force_login(world.holder.user)
    url = f"/passeport/acquis/{world.other_passage.pk}/signaler/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"fields_to_correct": ["name"], "message": "x"}).status_code == 404
    assert not CorrectionRequest.objects.exists()


def test_the_holder_pages_need_a_holder(client, world):
    assert client.get("/passeport/demandes/")["Location"].startswith("/passeport/connexion/")
    client.force_login(world.manager)
    assert client.get("/passeport/demandes/").status_code == 403


def test_a_holder_reports_a_missing_certification_to_a_named_certifier(client, world):
    client.force_login(world.holder.user)
    start = client.get("/passeport/signaler-manquante/")
    assert start.status_code == 200
    unknown = client.get("/passeport/signaler-manquante/", {"certification": "RNCP1"})
    assert "Aucune fiche « RNCP1 » au répertoire" in page(unknown)
    number = world.certification.number
    chosen = client.get("/passeport/signaler-manquante/", {"certification": number.lower()})
    html = page(chosen)
    assert "Université Alpha" in html and "Je ne sais pas" in html
    response = client.post(
        "/passeport/signaler-manquante/",
        {
            "certification": number,
            "certifier": str(world.certifier.pk),
            "message": "Obtenue en 2019.",
        },
    )
    assert response.status_code == 302
    made = CorrectionRequest.objects.get()
    assert (made.kind, made.organisation, made.certification) == (
        "missing",
        world.certifier,
        world.certification,
    )


def test_a_holder_finds_the_certification_by_its_title(client, world):
    world.certification.title = "Responsable de la comptabilité"
    world.certification.save(update_fields=["title"])
    search_index.refresh([world.certification.pk])
    client.force_login(world.holder.user)
    response = client.get("/passeport/signaler-manquante/", {"certification": "comptabilite"})
    html = page(response)
    assert "Choisissez votre certification parmi les fiches trouvées" in html
    number = world.certification.number
    assert f'href="/passeport/signaler-manquante/?certification={number}"' in html


def test_a_missing_certification_with_i_do_not_know_goes_to_the_staff(client, world):
    client.force_login(world.holder.user)
    response = client.post(
        "/passeport/signaler-manquante/",
        {"certification": world.certification.number, "certifier": "inconnu", "message": "2019."},
    )
    assert response.status_code == 302
    assert CorrectionRequest.objects.get().organisation is None


def test_a_certifier_not_listed_for_the_certification_is_refused(client, world):
    client.force_login(world.holder.user)
    response = client.post(
        "/passeport/signaler-manquante/",
        {
            "certification": world.certification.number,
            "certifier": str(world.other.pk),
            "message": "x",
        },
    )
    assert response.status_code == 200
    assert "Choisissez l'organisme dans la liste" in page(response)
    assert not CorrectionRequest.objects.exists()


def test_the_holder_sees_the_answer_and_gets_a_mail(client, world, mailoutbox):
    made = reported(world)
    mailoutbox.clear()
    client.force_login(world.member)
    client.post(f"/espace/demandes/{made.pk}/refuser/", {"reason": "La date est exacte."})
    assert [m.to for m in mailoutbox] == [["camille@example.test"]]
    assert "La date est exacte." in mailoutbox[0].body
    client.force_login(world.holder.user)
    html = page(client.get("/passeport/demandes/"))
    assert "Refusée" in html
    assert "La date est exacte." in html


# ------------------------------------------------------------------ the certifier space


def test_the_certifier_lists_its_requests_with_their_due_date(client, world):
    made = reported(world)
    client.force_login(world.reader)
    response = client.get("/espace/demandes/")
    assert response.status_code == 200
    html = page(response)
    assert f"Demande n° {made.pk}" in html
    assert made.due_on.strftime("%d/%m/%Y") in html
    assert "En retard" not in html
    assert "1 en attente" in page(client.get("/espace/"))


def test_overdue_requests_are_highlighted(client, world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC), tick=False)
    reported(world)
    time_machine.move_to(datetime.datetime(2026, 5, 5, 10, tzinfo=datetime.UTC), tick=False)
    client.force_login(world.manager)
    html = page(client.get("/espace/demandes/"))
    assert "fr-badge--error" in html and "En retard" in html


def test_the_list_filters_open_and_answered_requests(client, world):
    open_one = reported(world)
    answered = reported(world, world.delegated_passage)
    service.answer_corrected(request=answered, by=world.member)
    client.force_login(world.manager)
    html = page(client.get("/espace/demandes/?etat=ouvertes"))
    assert f"Demande n° {open_one.pk}<" in html and f"Demande n° {answered.pk}<" not in html
    html = page(client.get("/espace/demandes/?etat=traitees"))
    assert f"Demande n° {answered.pk}<" in html and f"Demande n° {open_one.pk}<" not in html


def test_another_organisation_gets_404(client, world):
    made = reported(world)
    client.force_login(world.other_manager)
    assert f"Demande n° {made.pk}" not in page(client.get("/espace/demandes/"))
    assert client.get(f"/espace/demandes/{made.pk}/").status_code == 404
    response = client.post(f"/espace/demandes/{made.pk}/traiter/", {"note": ""})
    assert response.status_code == 404
    made.refresh_from_db()
    assert made.state == RequestState.OPEN


def test_the_request_page_links_to_the_passage_and_its_modification(client, world):
    made = reported(world)
    client.force_login(world.member)
    response = client.get(f"/espace/demandes/{made.pk}/")
    assert response.status_code == 200
    html = page(response)
    assert f'href="/espace/passages/{world.passage.pk}/"' in html
    assert f'href="/espace/passages/{world.passage.pk}/modifier/"' in html
    assert "La date d'obtention est le 30 juin 2024." in html
    assert "MARTIN" in html  # the holder, so the certifier can find them
    assert "Marquer comme traitée" in html and "Refuser la demande" in html
    assert AuditEntry.objects.filter(
        action="passport_request.viewed", object_id=str(made.pk), actor=world.member
    ).exists()


def test_a_reader_sees_the_request_but_cannot_answer(client, world):
    made = reported(world)
    client.force_login(world.reader)
    html = page(client.get(f"/espace/demandes/{made.pk}/"))
    assert "Marquer comme traitée" not in html and "Refuser la demande" not in html
    assert "/modifier/" not in html
    assert client.post(f"/espace/demandes/{made.pk}/traiter/", {}).status_code == 404
    assert (
        client.post(f"/espace/demandes/{made.pk}/refuser/", {"reason": "Non."}).status_code == 404
    )
    made.refresh_from_db()
    assert made.state == RequestState.OPEN


def test_refusing_without_a_reason_is_a_form_error(client, world):
    made = reported(world)
    client.force_login(world.manager)
    response = client.post(f"/espace/demandes/{made.pk}/refuser/", {"reason": "  "})
    assert response.status_code == 200
    assert "Donnez le motif du refus" in page(response)
    made.refresh_from_db()
    assert made.state == RequestState.OPEN


def test_marking_corrected_logs_the_transition_and_tells_the_depositor(client, world, mailoutbox):
    made = reported(world, world.delegated_passage)
    mailoutbox.clear()
    client.force_login(world.member)
    response = client.post(f"/espace/demandes/{made.pk}/traiter/", {"note": "Date corrigée."})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.state == RequestState.CORRECTED
    assert made.transitions.get().actor == world.member
    assert sorted(a for m in mailoutbox for a in m.to) == [
        "camille@example.test",
        "depot@tiers.test",
    ]
    html = page(client.get(f"/espace/demandes/{made.pk}/"))
    assert "Traitée" in html and "Date corrigée." in html
    assert "Marquer comme traitée" not in html
    # answered once: a second answer finds nothing open
    assert client.post(f"/espace/demandes/{made.pk}/refuser/", {"reason": "x"}).status_code == 404


def test_staff_do_not_reach_requests_in_the_certifier_space(client, world):
    made = reported(world)
    client.force_login(factories.staff())
    assert f"Demande n° {made.pk}" not in page(client.get("/espace/demandes/"))
    assert client.get(f"/espace/demandes/{made.pk}/").status_code == 404


def test_a_missing_certification_request_page_offers_the_declaration(client, world):
    made = service.report_missing(
        holder=world.holder,
        certification=world.certification,
        organisation=world.certifier,
        message="Obtenue en 2019.",
    )
    client.force_login(world.member)
    html = page(client.get(f"/espace/demandes/{made.pk}/"))
    assert "/espace/passages/declarer/" in html
