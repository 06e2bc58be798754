import datetime
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opencertif.core.models import AuditEntry
from opencertif.organisations.models import AccountRequest, Document, Membership, Organisation
from tests import factories

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()
VALID_SIRET = "732 829 320 00074"  # a real-format SIRET whose checksums pass


def fill_steps(
    client,
    *,
    kind="company",
    siret=VALID_SIRET,
    named="oui",
    mandate=None,
    mandate_date=None,
    email="claire.martin@exemple.fr",
):
    assert client.post("/espace/inscription/etape-1/", {"kind": kind}).status_code == 302
    response = client.post(
        "/espace/inscription/etape-2/",
        {"has_siret": "oui", "siret": siret, "name": "Formations Martin SAS"},
    )
    assert response.status_code == 302, response.content.decode()
    data = {"legal_proof": factories.pdf(), "requester_named_on_proof": named}
    if mandate:
        data["mandate"] = mandate
    if mandate_date:
        data["mandate_date"] = mandate_date.isoformat()
    response = client.post("/espace/inscription/etape-3/", data)
    assert response.status_code == 302, response.content.decode()
    return client.post(
        "/espace/inscription/etape-4/",
        {
            "first_name": "Claire",
            "last_name": "Martin",
            "job_title": "Directrice",
            "email": email,
            "phone": "01 02 03 04 05",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )


def test_whole_sign_up_activation_and_validation(client, mailoutbox):
    validator = factories.staff()
    response = fill_steps(client)
    assert response.status_code == 302 and response["Location"] == "/espace/inscription/envoyee/"

    request = AccountRequest.objects.get()
    assert request.state == "awaiting_activation"
    assert request.siret == "73282932000074"  # spaces stripped
    assert request.documents.get().content_type == "application/pdf"
    user = request.user
    assert not user.is_active
    assert [m.to for m in mailoutbox] == [["claire.martin@exemple.fr"]]

    # the person cannot sign in before validation
    refused = client.post("/connexion/", {"username": user.email, "password": factories.PASSWORD})
    assert refused.status_code == 200 and "pas encore actif" in unescape(refused.content.decode())

    page = client.get(factories.link_in(mailoutbox[0]))
    assert "transmise à l'équipe de la plateforme" in unescape(page.content.decode())
    request.refresh_from_db()
    assert request.state == "submitted"
    assert {tuple(m.to) for m in mailoutbox[1:]} == {
        ("claire.martin@exemple.fr",),
        (validator.email,),
    }

    client.force_login(validator)
    queue = unescape(client.get("/instruction/comptes/").content.decode())
    assert "Formations Martin SAS" in queue
    detail = unescape(client.get(f"/instruction/comptes/{request.pk}/").content.decode())
    assert "kbis.pdf" in detail
    # Its history in the words of the pages, never the stored codes.
    assert (
        "Adresse activée : En attente de l'activation de l'adresse → "
        "Transmise, en attente de validation"
    ) in " ".join(detail.split())
    assert "awaiting_activation" not in detail and "confirm_email" not in detail
    document = request.documents.get()
    downloaded = client.get(f"/instruction/documents/{document.pk}/")
    assert b"".join(downloaded.streaming_content).startswith(b"%PDF")

    response = client.post(f"/instruction/comptes/{request.pk}/", {"action": "accepter"})
    organisation = Organisation.objects.get(siret="73282932000074")
    assert response["Location"] == f"/instruction/organismes/{organisation.pk}/"
    user.refresh_from_db()
    assert user.is_active
    assert Membership.objects.get(user=user, organisation=organisation).role == "manager"
    welcome = mailoutbox[-1]
    assert welcome.to == [user.email] and user.identifier in welcome.body
    assert Document.objects.get().organisation == organisation
    assert list(request.transitions.values_list("target", flat=True)) == [
        "awaiting_activation",
        "submitted",
        "accepted",
    ]
    assert AuditEntry.objects.filter(action="account_request.accepted", actor=validator).exists()

    client.logout()
    assert (
        client.post(
            "/connexion/", {"username": user.identifier, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert "Formations Martin SAS" in unescape(client.get("/espace/").content.decode())


def test_an_organisation_known_from_the_registry_is_reused(client, mailoutbox):
    known = factories.organisation("FORMATIONS MARTIN", siret="73282932000074")
    fill_steps(client)
    client.get(factories.link_in(mailoutbox[0]))
    client.force_login(factories.staff())
    client.post(f"/instruction/comptes/{AccountRequest.objects.get().pk}/", {"action": "accepter"})
    assert Organisation.objects.count() == 1
    known.refresh_from_db()
    assert known.name == "FORMATIONS MARTIN" and known.kind == "company"


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("7328293200007", "14 chiffres"),
        ("73282932000075", "clé de contrôle"),
        ("ABCDEFGHIJKLMN", "14 chiffres"),
    ],
)
def test_bad_sirets_are_refused_with_what_to_fix(client, siret, message):
    client.post("/espace/inscription/etape-1/", {"kind": "company"})
    response = client.post(
        "/espace/inscription/etape-2/", {"has_siret": "oui", "siret": siret, "name": "X"}
    )
    assert response.status_code == 200
    assert message in unescape(response.content.decode())


def test_without_siret_name_legal_form_and_address_are_required(client):
    client.post("/espace/inscription/etape-1/", {"kind": "association"})
    html = unescape(
        client.post("/espace/inscription/etape-2/", {"has_siret": "non"}).content.decode()
    )
    for message in ("nom de l'organisme", "forme juridique", "adresse", "code postal", "commune"):
        assert message in html
    response = client.post(
        "/espace/inscription/etape-2/",
        {
            "has_siret": "non",
            "name": "Association Amis",
            "legal_form": "Association loi 1901",
            "address": "1 rue de la Paix",
            "postal_code": "75002",
            "city": "Paris",
        },
    )
    assert response["Location"] == "/espace/inscription/etape-3/"


def _to_step3(client, kind="company"):
    client.post("/espace/inscription/etape-1/", {"kind": kind})
    client.post(
        "/espace/inscription/etape-2/",
        {"has_siret": "oui", "siret": VALID_SIRET, "name": "Formations Martin SAS"},
    )


def test_documents_are_checked_by_content_not_by_name(client):
    _to_step3(client)
    fake = SimpleUploadedFile("kbis.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        "/espace/inscription/etape-3/", {"legal_proof": fake, "requester_named_on_proof": "oui"}
    )
    assert response.status_code == 200
    assert "ni un PDF, ni une image JPEG ou PNG" in unescape(response.content.decode())
    assert not Document.objects.exists()


def test_oversized_documents_are_refused(client, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    _to_step3(client)
    big = SimpleUploadedFile("kbis.pdf", factories.PDF + b"0" * 2048)
    html = client.post(
        "/espace/inscription/etape-3/", {"legal_proof": big, "requester_named_on_proof": "oui"}
    ).content.decode()
    html = unescape(html)
    assert "la limite est de 0 Mo" in html or "pèse" in html
    assert not Document.objects.exists()


def test_a_png_is_accepted(client):
    _to_step3(client)
    png = SimpleUploadedFile("scan.png", factories.PNG)
    response = client.post(
        "/espace/inscription/etape-3/", {"legal_proof": png, "requester_named_on_proof": "oui"}
    )
    assert response.status_code == 302
    assert Document.objects.get().content_type == "image/png"


def test_legal_proof_is_mandatory(client):
    _to_step3(client)
    html = client.post(
        "/espace/inscription/etape-3/", {"requester_named_on_proof": "oui"}
    ).content.decode()
    html = unescape(html)
    assert "Joignez le justificatif" in html


def test_mandate_is_required_when_the_requester_is_not_on_the_proof(client):
    _to_step3(client)
    html = client.post(
        "/espace/inscription/etape-3/",
        {"legal_proof": factories.pdf(), "requester_named_on_proof": "non"},
    ).content.decode()
    html = unescape(html)
    assert "votre nom ne figure pas sur le justificatif" in html
    assert "Indiquez la date de la délégation" in html


def test_mandate_is_always_required_for_public_bodies(client):
    _to_step3(client, kind="public_body")
    html = client.post(
        "/espace/inscription/etape-3/",
        {"legal_proof": factories.pdf(), "requester_named_on_proof": "oui"},
    ).content.decode()
    html = unescape(html)
    assert "toujours le cas pour un ministère ou un établissement public" in html


@pytest.mark.parametrize(
    ("days_ago", "message"),
    [(100, "moins de 3 mois"), (-3, "dans le futur")],
)
def test_mandate_date_is_checked(client, days_ago, message):
    _to_step3(client, kind="public_body")
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    html = client.post(
        "/espace/inscription/etape-3/",
        {
            "legal_proof": factories.pdf(),
            "requester_named_on_proof": "oui",
            "mandate": factories.pdf("delegation.pdf"),
            "mandate_date": day.isoformat(),
        },
    ).content.decode()
    html = unescape(html)
    assert message in html


def test_public_body_with_a_recent_mandate_passes(client):
    _to_step3(client, kind="public_body")
    response = client.post(
        "/espace/inscription/etape-3/",
        {
            "legal_proof": factories.pdf(),
            "requester_named_on_proof": "oui",
            "mandate": factories.pdf("delegation.pdf"),
            "mandate_date": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert sorted(Document.objects.values_list("kind", flat=True)) == ["legal_proof", "mandate"]


def test_the_sign_up_resumes_where_it_stopped(client):
    _to_step3(client)
    assert client.get("/espace/inscription/")["Location"] == "/espace/inscription/etape-3/"
    html = unescape(client.get("/espace/inscription/etape-2/").content.decode())
    assert "Formations Martin SAS" in html


def test_steps_cannot_be_skipped(client):
    assert client.get("/espace/inscription/etape-3/")["Location"] == "/espace/inscription/etape-1/"
    client.post("/espace/inscription/etape-1/", {"kind": "company"})
    assert client.get("/espace/inscription/etape-4/")["Location"] == "/espace/inscription/etape-2/"


def test_a_second_sign_up_with_a_pending_email_offers_to_resend(client, mailoutbox):
    fill_steps(client)
    client.post("/espace/inscription/recommencer/")
    response = fill_steps(client, siret="35600000000048")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Renvoyer le lien d'activation" in html
    assert AccountRequest.objects.filter(user__isnull=False).count() == 1
    before = len(mailoutbox)
    client.post("/espace/inscription/renvoyer-le-lien/", {"email": "claire.martin@exemple.fr"})
    assert len(mailoutbox) == before + 1 and "/espace/inscription/activer/" in mailoutbox[-1].body
    # at most one resend a minute
    client.post("/espace/inscription/renvoyer-le-lien/", {"email": "claire.martin@exemple.fr"})
    assert len(mailoutbox) == before + 1


def test_resend_says_the_same_for_unknown_addresses(client, mailoutbox):
    response = client.post(
        "/espace/inscription/renvoyer-le-lien/",
        {"email": "inconnu@exemple.fr", "next": "/"},
        follow=True,
    )
    assert "Si une demande attend l'activation" in unescape(response.content.decode())
    assert mailoutbox == []


def test_an_email_of_an_active_account_is_refused(client):
    factories.user("claire.martin@exemple.fr")
    html = unescape(fill_steps(client).content.decode())
    assert "Un compte existe déjà avec cette adresse" in html


def test_step_2_does_not_tell_whether_a_siret_has_an_account(client):
    def step2_answer(siret):
        client.post("/espace/inscription/recommencer/")
        client.post("/espace/inscription/etape-1/", {"kind": "public_body"})
        return client.post(
            "/espace/inscription/etape-2/", {"has_siret": "oui", "siret": siret, "name": "U"}
        )

    unknown = step2_answer(VALID_SIRET)
    organisation = factories.organisation("Université Alpha", siret="73282932000074")
    factories.manager(organisation)
    known = step2_answer(VALID_SIRET)
    assert unknown["Location"] == known["Location"] == "/espace/inscription/etape-3/"
    # the page points to the join form instead
    html = unescape(client.get("/espace/inscription/etape-2/").content.decode())
    assert "/espace/inscription/rejoindre/" in html


def test_a_forged_activation_link_is_refused(client):
    response = client.get("/espace/inscription/activer/MQ/abc-def/")
    assert response.status_code == 400
    assert "n'est plus valable" in unescape(response.content.decode())


def test_an_activation_link_works_once(client, mailoutbox):
    fill_steps(client)
    link = factories.link_in(mailoutbox[0])
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 400


def test_staff_reject_with_a_reason(client, mailoutbox):
    fill_steps(client)
    client.get(factories.link_in(mailoutbox[0]))
    request = AccountRequest.objects.get()
    client.force_login(factories.staff())
    html = unescape(
        client.post(f"/instruction/comptes/{request.pk}/", {"action": "refuser"}).content.decode()
    )
    assert "Ce champ est obligatoire" in html
    client.post(
        f"/instruction/comptes/{request.pk}/",
        {"action": "refuser", "reason": "Extrait Kbis de plus de 3 mois."},
    )
    request.refresh_from_db()
    assert request.state == "rejected"
    assert "Extrait Kbis de plus de 3 mois." in mailoutbox[-1].body
    assert not User.objects.get(email="claire.martin@exemple.fr").is_active


def test_a_request_cannot_be_decided_twice(client, mailoutbox):
    fill_steps(client)
    client.get(factories.link_in(mailoutbox[0]))
    request = AccountRequest.objects.get()
    client.force_login(factories.staff())
    client.post(f"/instruction/comptes/{request.pk}/", {"action": "accepter"})
    response = client.post(
        f"/instruction/comptes/{request.pk}/",
        {"action": "refuser", "reason": "trop tard"},
        follow=True,
    )
    assert "déjà été traitée" in unescape(response.content.decode())
    request.refresh_from_db()
    assert request.state == "accepted"


def test_back_office_is_for_staff_only(client):
    assert client.get("/instruction/")["Location"].startswith("/connexion/")
    client.force_login(factories.user())
    for url in ("/instruction/", "/instruction/comptes/", "/instruction/organismes/"):
        assert client.get(url).status_code == 403
    client.force_login(factories.staff("Identifiants de dépôt"))
    assert client.get("/instruction/comptes/").status_code == 403
    assert client.get("/instruction/organismes/").status_code == 200


def test_mandate_model_can_be_downloaded(client):
    response = client.get("/espace/inscription/modele-delegation/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "administrateur entité" in unescape(response.content.decode())
