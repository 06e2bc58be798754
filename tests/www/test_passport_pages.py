"""The passport's pages: each section shows the signed-in holder's data and nobody
else's; another holder's entry answers 404; anonymous visitors go to the passport's
sign-in; accounts without a passport get 403."""

import datetime
import html as html_module

import pytest
from django.urls import reverse

from opencertif.passports import services
from opencertif.passports.enums import MatchOutcome
from opencertif.passports.models import Cv, Experience, ShareLink
from opencertif.registry.models import RomeCode
from tests import factories
from tests.passports import factories as pf

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html_module.unescape(response.content.decode())


@pytest.fixture
def world():
    organisation, account = pf.certifier("Université de Lille")
    accounting = pf.certification(
        "RNCP81001",
        organisation=organisation,
        blocks=[("BC01", "Tenir la comptabilité", "Saisir les écritures\nLettrer les comptes")],
    )
    accounting.rome_codes.add(RomeCode.objects.create(code="M1203", label="Comptabilité"))
    pf.certification("RNCP81050", blocks=[("BC01", "Tenir la comptabilité", "")])
    camille, lea = pf.person(), pf.person("DURAND", "Léa")
    holder, other = pf.holder(camille), pf.holder(lea)
    mine = pf.passage(account, camille, accounting)
    theirs = pf.passage(account, lea, pf.certification("RNCP81099", organisation=organisation))
    experience = services.create_experience(
        holder=holder,
        by=holder.user,
        kind="job",
        title="Assistante comptable",
        start_date=datetime.date(2019, 9, 1),
    )
    other_experience = services.create_experience(
        holder=other,
        by=other.user,
        kind="volunteering",
        title="Trésorière d'association",
        start_date=datetime.date(2018, 1, 1),
    )
    cv = services.create_cv(
        holder=holder,
        title="CV comptable",
        passage_ids=[mine.pk],
        experience_ids=[experience.pk],
        by=holder.user,
    )
    other_cv = services.create_cv(holder=other, title="CV de Léa", by=other.user)
    link = services.create_share_link(cv=cv, by=holder.user)
    other_link = services.create_share_link(cv=other_cv, by=other.user)
    return locals()


def test_mes_acquis_shows_each_certification_card(client, world):
    client.force_login(world["holder"].user)
    html = page(client.get(reverse("passeport:home")))
    assert "Titre RNCP81001" in html
    assert reverse("public:certification", args=["RNCP81001"]) in html
    assert "Mention bien" in html and "30/06/2025" in html and "Université de Lille" in html
    assert "Garanti" in html
    assert reverse("passeport:report_error", args=[world["mine"].pk]) in html
    assert reverse("passeport:badge", args=[world["mine"].pk]) in html
    assert "Titre RNCP81099" not in html
    assert 'class="fr-sidemenu' in html
    assert "no-store" in client.get(reverse("passeport:home"))["Cache-Control"]


def test_a_modified_or_deleted_passage_changes_the_passport_at_once(client, deposit, demo):
    from opencertif.deposits import lifecycle
    from opencertif.deposits.models import Passage
    from tests.deposits import builders as b
    from tests.passages.test_care import as_data, modify

    camille = b.person()
    holder = pf.holder(camille)
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    client.force_login(holder.user)
    before = page(client.get("/passeport/"))
    assert passage.certification.title in before and "Mention très bien" not in before
    manager = demo["university"].memberships.get().user
    data = as_data(passage)
    data["fields"]["honours"] = "MENTION_TRES_BIEN"
    assert modify(passage, data, manager).ok
    assert "Mention très bien" in page(client.get("/passeport/"))
    lifecycle.delete(Passage.objects.get(), by=manager, reason="Erreur de saisie")
    assert passage.certification.title not in page(client.get("/passeport/"))


@pytest.mark.parametrize(
    "outcome", [MatchOutcome.NONE, MatchOutcome.SEVERAL, MatchOutcome.INCOMPLETE]
)
def test_an_unmatched_holder_sees_why_the_passport_is_empty(client, world, outcome):
    holder = pf.holder(None)
    holder.match_outcome = outcome
    holder.save()
    client.force_login(holder.user)
    html = page(client.get(reverse("passeport:home")))
    assert "Votre passeport est vide" in html
    assert reverse("passeport:report_missing") in html
    assert "Titre RNCP81001" not in html and "Garanti" not in html


def test_mon_parcours_lists_adds_edits_and_deletes_declarative_entries(client, world):
    holder = world["holder"]
    client.force_login(holder.user)
    html = page(client.get(reverse("passeport:experiences")))
    assert "Assistante comptable" in html and "Déclaratif" in html
    assert "Trésorière" not in html
    response = client.post(
        reverse("passeport:experience_add"),
        {"kind": "training", "title": "Formation Excel", "start_date": "2021-03-01"},
    )
    assert response.status_code == 302
    added = holder.experiences.get(title="Formation Excel")
    response = client.post(
        reverse("passeport:experience_edit", args=[added.pk]),
        {"kind": "training", "title": "Formation Excel avancé", "start_date": "2021-03-01"},
    )
    added.refresh_from_db()
    assert added.title == "Formation Excel avancé"
    confirm = page(client.get(reverse("passeport:experience_delete", args=[added.pk])))
    assert "Supprimer l'entrée « Formation Excel avancé » ?" in confirm
    assert Experience.objects.filter(pk=added.pk).exists()  # GET deletes nothing
    client.post(reverse("passeport:experience_delete", args=[added.pk]))
    assert not Experience.objects.filter(pk=added.pk).exists()


def test_an_experience_form_says_what_to_fix(client, world):
    client.force_login(world["holder"].user)
    response = client.post(
        reverse("passeport:experience_add"),
        {"kind": "job", "title": "X", "start_date": "2021-03-01", "end_date": "2020-01-01"},
    )
    assert "La date de fin précède la date de début" in page(response)


def test_mes_competences_and_mon_avenir_show_the_holders_certifications(client, world):
    client.force_login(world["holder"].user)
    html = page(client.get(reverse("passeport:competences")))
    assert "Tenir la comptabilité" in html and "<li>Lettrer les comptes</li>" in html
    html = page(client.get(reverse("passeport:future")))
    assert "M1203" in html and "Comptabilité" in html
    assert "RNCP81050" in html  # a bridge: same block label


def test_mes_cv_lists_creates_and_edits_cvs(client, world):
    holder = world["holder"]
    client.force_login(holder.user)
    html = page(client.get(reverse("passeport:cvs")))
    assert "CV comptable" in html and "CV de Léa" not in html
    assert reverse("passeport:cv_pdf", args=[world["cv"].pk]) in html
    html = page(client.get(reverse("passeport:cv_new")))
    assert "oc-entry--guaranteed" in html and "oc-entry--declarative" in html
    assert "Trésorière" not in html and "Titre RNCP81099" not in html
    response = client.post(
        reverse("passeport:cv_new"),
        {
            "title": "CV court",
            "summary": "Bref",
            "passages": [world["mine"].pk],
            "experiences": [world["experience"].pk],
        },
    )
    assert response.status_code == 302
    cv = holder.cvs.get(title="CV court")
    assert list(cv.passages.all()) == [world["mine"]]
    client.post(
        reverse("passeport:cv_edit", args=[cv.pk]),
        {"title": "CV court", "summary": "", "experiences": [world["experience"].pk]},
    )
    assert not cv.passages.exists()


def test_a_cv_cannot_select_another_holders_passage_or_experience(client, world):
    holder = world["holder"]
    client.force_login(holder.user)
    response = client.post(
        reverse("passeport:cv_new"),
        {
            "title": "Tricheur",
            "passages": [world["theirs"].pk],
            "experiences": [world["other_experience"].pk],
        },
    )
    html = page(response)
    assert "Choisissez parmi vos certifications obtenues." in html
    assert "Choisissez parmi vos entrées de parcours." in html
    assert not holder.cvs.filter(title="Tricheur").exists()


def test_deleting_a_cv_asks_for_confirmation(client, world):
    client.force_login(world["holder"].user)
    url = reverse("passeport:cv_delete", args=[world["cv"].pk])
    assert "Supprimer le CV « CV comptable » ?" in page(client.get(url))
    assert Cv.objects.filter(pk=world["cv"].pk).exists()
    client.post(url)
    assert not Cv.objects.filter(pk=world["cv"].pk).exists()
    assert not ShareLink.objects.filter(pk=world["link"].pk).exists()


def test_mes_donnees_downloads_json_and_pdf_and_explains_guaranteed_entries(client, world):
    client.force_login(world["holder"].user)
    html = page(client.get(reverse("passeport:mydata")))
    assert "eux seuls peuvent les corriger" in html and "Signaler une erreur" in html
    response = client.get(reverse("passeport:mydata_json"))
    data = response.json()
    assert "attachment" in response["Content-Disposition"]
    assert [e["title"] for e in data["experiences"]] == ["Assistante comptable"]
    assert "Trésorière" not in response.content.decode()
    response = client.get(reverse("passeport:mydata_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_mes_donnees_deletes_entries_with_confirmation_and_comes_back(client, world):
    client.force_login(world["holder"].user)
    mydata = reverse("passeport:mydata")
    url = reverse("passeport:experience_delete", args=[world["experience"].pk])
    assert mydata in page(client.get(url, {"next": mydata}))
    response = client.post(url, {"next": mydata})
    assert response.status_code == 302 and response["Location"] == mydata
    assert not Experience.objects.filter(pk=world["experience"].pk).exists()


# ------------------------------------------------------------------ isolation

OWN_ROUTES = [
    ("passeport:home", ()),
    ("passeport:experiences", ()),
    ("passeport:experience_add", ()),
    ("passeport:competences", ()),
    ("passeport:future", ()),
    ("passeport:cvs", ()),
    ("passeport:cv_new", ()),
    ("passeport:mydata", ()),
    ("passeport:mydata_json", ()),
    ("passeport:mydata_pdf", ()),
]
# Routes about one object: (route, arguments built from the world).
OBJECT_ROUTES = [
    ("passeport:experience_edit", lambda w: [w["experience"].pk]),
    ("passeport:experience_delete", lambda w: [w["experience"].pk]),
    ("passeport:cv_edit", lambda w: [w["cv"].pk]),
    ("passeport:cv_delete", lambda w: [w["cv"].pk]),
    ("passeport:share_links", lambda w: [w["cv"].pk]),
    ("passeport:share_revoke", lambda w: [w["cv"].pk, w["link"].pk]),
    ("passeport:share_delete", lambda w: [w["cv"].pk, w["link"].pk]),
]
ALL_ROUTES = [(name, lambda w, a=args: list(a)) for name, args in OWN_ROUTES] + OBJECT_ROUTES


@pytest.mark.parametrize(("name", "args"), OBJECT_ROUTES, ids=[r[0] for r in OBJECT_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_holders_objects_answer_404(client, world, name, args, method):
    client.force_login(world["other"].user)
    response = getattr(client, method)(reverse(name, args=args(world)))
    assert response.status_code == 404
    assert Experience.objects.filter(pk=world["experience"].pk).exists()
    assert Cv.objects.filter(pk=world["cv"].pk).exists()
    assert ShareLink.objects.get(pk=world["link"].pk).revoked_at is None


@pytest.mark.parametrize("name", ["passeport:share_revoke", "passeport:share_delete"])
def test_another_holders_link_through_ones_own_cv_answers_404(client, world, name):
    client.force_login(world["holder"].user)
    url = reverse(name, args=[world["cv"].pk, world["other_link"].pk])
    assert client.post(url).status_code == 404
    assert ShareLink.objects.get(pk=world["other_link"].pk).revoked_at is None


@pytest.mark.parametrize(("name", "args"), OWN_ROUTES, ids=[r[0] for r in OWN_ROUTES])
def test_another_holder_sees_only_their_own_data(client, world, name, args):
    client.force_login(world["other"].user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    body = response.content.decode(errors="replace")
    for theirs in ("Assistante comptable", "CV comptable", "Titre RNCP81001"):
        assert theirs not in body


@pytest.mark.parametrize(("name", "args"), ALL_ROUTES, ids=[r[0] for r in ALL_ROUTES])
def test_anonymous_visitors_go_to_the_passport_sign_in(client, world, name, args):
    response = client.get(reverse(name, args=args(world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("passeport:signin"))


@pytest.mark.parametrize(("name", "args"), ALL_ROUTES, ids=[r[0] for r in ALL_ROUTES])
def test_an_organisation_member_without_passport_gets_403(client, world, name, args):
    client.force_login(factories.member(world["organisation"]))
    assert client.get(reverse(name, args=args(world))).status_code == 403


def test_mes_acquis_reads_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for _ in range(12):
        certification = pf.certification(organisation=world["organisation"])
        pf.passage(world["account"], world["camille"], certification)
    client.force_login(world["holder"].user)
    with django_assert_max_num_queries(5):
        html = page(client.get(reverse("passeport:home")))
    assert html.count("Garanti") >= 13
