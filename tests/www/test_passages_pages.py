"""The passages pages of the certifier space: list, search, export, page, declare, modify,
delete, restore, mass deletion; and who may see or touch what."""

import io

import pytest
from django.urls import get_resolver
from openpyxl import load_workbook

from opencertif.core.models import AuditEntry
from opencertif.deposits.models import Deposit, Passage
from opencertif.passages.models import BulkDeletion
from tests import factories
from tests.deposits import builders as b
from tests.factories import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def university_manager(demo):
    return demo["university"].memberships.get().user


@pytest.fixture
def signed_in(client, university_manager):
    client.force_login(university_manager)
    return client


@pytest.fixture
def ko_and_ok(deposit):
    """P-OK accepted; P-KO refused for want of a holder (birth year 1991 instead of 1990)."""
    b.person()
    done = deposit(
        b.deposit_file([b.passage("P-OK"), b.passage("P-KO", identity=b.holder(year=1991))])
    )
    return done, Passage.objects.get(id_technique="P-OK"), Passage.objects.get(id_technique="P-KO")


def form_data(**changes) -> dict:
    """A complete declaration form for the holder of builders.person()."""
    data = {
        "certification": "RNCP90001",
        "id_technique": "",
        "obtained_by": "PAR_ADMISSION",
        "certified_data": "oui",
        "valid_from": "2025-06-20",
        "valid_until": "",
        "has_language_level": "non",
        "has_digital_level": "non",
        "honours": "MENTION_BIEN",
        "access_mode": "VAE",
        "vae_route": "VAE_CLASSIQUE",
        "identity_kind": "holder",
        "birth_name": "Martin",
        "first_name1": "Camille",
        "sex": "F",
        "birth_year": "1990",
        "birth_month": "5",
        "birth_day": "12",
        "birth_place_kind": "insee",
        "birth_insee": "75056",
    }
    data.update(changes)
    return data


def test_the_list_shows_the_organisations_passages_and_filters_them(signed_in, ko_and_ok):
    text = page(signed_in.get("/espace/passages/"))
    assert "P-OK" in text and "P-KO" in text and "2 passages" in text
    text = page(signed_in.get("/espace/passages/?statut=ko"))
    assert "P-KO" in text and "P-OK" not in text
    text = page(signed_in.get("/espace/passages/?q=martin"))
    assert "P-OK" in text and "P-KO" in text
    text = page(signed_in.get("/espace/passages/?valide_du=2025-07-01"))
    assert "Aucun passage ne correspond" in text
    text = page(signed_in.get("/espace/passages/?obtention=PAR_SCORING"))
    assert "Aucun passage ne correspond" in text
    text = page(signed_in.get("/espace/passages/?acces=VAE&certification=RNCP90001"))
    assert "2 passages" in text
    deposit = ko_and_ok[0]
    assert "2 passages" in page(signed_in.get(f"/espace/passages/?depot={deposit.pk}"))


def test_an_exact_id_technique_opens_the_passage(signed_in, ko_and_ok):
    _, _, ko = ko_and_ok
    response = signed_in.get("/espace/passages/?q=P-KO")
    assert response.status_code == 302 and response["Location"] == f"/espace/passages/{ko.pk}/"


def test_a_bad_filter_says_what_to_fix(signed_in, ko_and_ok):
    text = page(signed_in.get("/espace/passages/?valide_du=31-31-2025"))
    assert "Date invalide" in text


def test_export_csv_and_xlsx_of_the_selection_is_audited(signed_in, ko_and_ok):
    response = signed_in.get("/espace/passages/export.csv?statut=ko")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0].startswith("idTechnique;statut") and len(lines) == 2
    assert "P-KO" in lines[1] and "Aucun titulaire" in lines[1]
    response = signed_in.get("/espace/passages/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "idTechnique" and len(rows) == 3
    assert AuditEntry.objects.filter(action="passages.exported").count() == 2


def test_the_passage_page_shows_every_field_the_reason_and_the_history(signed_in, ko_and_ok):
    done, _, ko = ko_and_ok
    text = page(signed_in.get(f"/espace/passages/{ko.pk}/"))
    assert "Refusé (KO)" in text and "Aucun titulaire ne correspond" in text
    assert "Mention bien" in text and "Validation des acquis" in text
    assert "1991" in text and "Martin" in text
    assert f"Refusé par le dépôt n° {done.pk}" in text


def test_a_nir_is_shown_masked(signed_in, deposit):
    b.person(nir="2900575056123")
    deposit(
        b.deposit_file(
            [
                b.passage(
                    "NIR-1",
                    kind="national_id",
                    identity={"nir": "2900575056123", "birth_name": "Martin"},
                )
            ]
        )
    )
    passage = Passage.objects.get()
    assert passage.status == "ok"
    text = page(signed_in.get(f"/espace/passages/{passage.pk}/"))
    assert "2 90 05 •• ••• •••" in text and "2900575056123" not in text


def test_correcting_the_birth_year_by_the_form_turns_the_passage_ok(signed_in, ko_and_ok):
    _, _, ko = ko_and_ok
    form = signed_in.get(f"/espace/passages/{ko.pk}/modifier/")
    assert form.status_code == 200 and 'value="1991"' in form.content.decode()
    response = signed_in.post(
        f"/espace/passages/{ko.pk}/modifier/",
        form_data(birth_year="1990", version=ko.content_hash),
    )
    assert response.status_code == 302
    ko.refresh_from_db()
    assert ko.status == "ok" and ko.person is not None
    text = page(signed_in.get(f"/espace/passages/{ko.pk}/"))
    assert "Accepté (OK)" in text and "passeport" in text
    assert "Modifié" in text and "1991" in text  # the history keeps the former value
    # It now appears among the holder's certifications, beside the other one.
    assert "Les certifications de ce titulaire" in text and "P-OK" in text


def test_a_modification_that_stays_refused_is_not_saved_and_says_why(signed_in, ko_and_ok):
    _, ok, _ = ko_and_ok
    response = signed_in.post(
        f"/espace/passages/{ok.pk}/modifier/",
        form_data(birth_name="Inconnu", version=ok.content_hash),
    )
    text = page(response)
    assert response.status_code == 200 and "Le passage serait refusé" in text
    ok.refresh_from_db()
    assert ok.status == "ok" and ok.identity["birth_name"] == "Martin"


def test_a_stale_form_does_not_overwrite_a_newer_version(signed_in, ko_and_ok):
    _, ok, _ = ko_and_ok
    response = signed_in.post(
        f"/espace/passages/{ok.pk}/modifier/",
        form_data(honours="SANS_MENTION", version="une-ancienne-version"),
    )
    assert "modifié entre-temps" in page(response)
    ok.refresh_from_db()
    assert ok.fields["honours"] == "MENTION_BIEN"


def test_delete_with_a_reason_then_restore(signed_in, ko_and_ok):
    _, ok, _ = ko_and_ok
    assert "Motif de la suppression" in page(signed_in.get(f"/espace/passages/{ok.pk}/supprimer/"))
    refused = signed_in.post(f"/espace/passages/{ok.pk}/supprimer/", {"reason": ""})
    assert "Indiquez le motif" in page(refused)
    signed_in.post(f"/espace/passages/{ok.pk}/supprimer/", {"reason": "Jury annulé"})
    ok.refresh_from_db()
    assert ok.status == "deleted"
    text = page(signed_in.get(f"/espace/passages/{ok.pk}/"))
    assert "Jury annulé" in text and "restaurer jusqu'au" in text
    # The history says the statuses in French, never their codes.
    assert "<td>Accepté</td>" in text and "<td>Supprimé</td>" in text
    assert "<td>ok</td>" not in text and "<td>deleted</td>" not in text
    assert "P-OK" not in page(signed_in.get("/espace/passages/"))
    assert "P-OK" in page(signed_in.get("/espace/passages/?statut=deleted"))
    signed_in.post(f"/espace/passages/{ok.pk}/restaurer/")
    ok.refresh_from_db()
    assert ok.status == "ok"


def test_declare_a_passage_by_the_form(signed_in, demo):
    camille = b.person()
    form = page(signed_in.get("/espace/passages/declarer/"))
    assert "RNCP90001" in form and 'data-show-if="has_language_level=oui"' in form
    response = signed_in.post("/espace/passages/declarer/", form_data(id_technique="DECL-1"))
    passage = Passage.objects.get(id_technique="DECL-1")
    assert response["Location"] == f"/espace/passages/{passage.pk}/"
    assert passage.person == camille and passage.status == "ok"
    assert passage.last_deposit.channel == "form"
    generated = signed_in.post("/espace/passages/declarer/", form_data(valid_from="2025-06-21"))
    assert generated.status_code == 302
    assert Passage.objects.filter(id_technique__startswith="DECL-").count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"has_language_level": "oui"}, "Choisissez le niveau"),
        ({"vae_route": ""}, "Choisissez la voie d'accès"),
        ({"valid_until": "2025-01-01"}, "ne peut pas précéder le début de validité"),
        ({"birth_insee": "99134"}, "celui d'un pays"),
        ({"identity_kind": "national_id", "nir": "123"}, "Le NIR compte 13 caractères"),
        ({"valid_from": ""}, "Ce champ est obligatoire"),
        ({"birth_name": "Zorglub"}, "Aucun titulaire ne correspond aux critères obligatoires"),
        ({"certification": "RNCP90001", "valid_from": "2019-01-01"}, "précède l'enregistrement"),
    ],
)
def test_a_declaration_with_a_mistake_is_refused_with_what_to_fix(
    signed_in, demo, changes, message
):
    b.person()
    response = signed_in.post("/espace/passages/declarer/", form_data(**changes))
    assert response.status_code == 200
    assert message in page(response)
    assert not Passage.objects.exists() and not Deposit.objects.exists()


def test_a_member_without_deposit_rights_cannot_declare(client):
    org = factories.organisation()
    client.force_login(factories.manager(org))
    response = client.get("/espace/passages/declarer/")
    assert response.status_code == 403


def test_mass_deletion_of_a_deposit_preview_typed_confirmation_and_restore(
    signed_in, ko_and_ok, django_capture_on_commit_callbacks
):
    done, ok, ko = ko_and_ok
    response = signed_in.post(
        "/espace/passages/suppression/", {"kind": "deposit", "deposit": done.pk}
    )
    bulk = BulkDeletion.objects.get()
    assert response["Location"] == f"/espace/passages/suppressions/{bulk.pk}/"
    preview = page(signed_in.get(response["Location"]))
    assert "2 passages seront supprimés" in preview and "SUPPRIMER 2" in preview
    wrong = signed_in.post(
        f"/espace/passages/suppressions/{bulk.pk}/confirmer/",
        {"confirmation": "oui", "reason": "Mauvais fichier"},
        follow=True,
    )
    assert "tapez exactement « SUPPRIMER 2 »" in page(wrong)
    assert Passage.objects.filter(status="deleted").count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            f"/espace/passages/suppressions/{bulk.pk}/confirmer/",
            {"confirmation": "supprimer 2", "reason": "Mauvais fichier"},
        )
    bulk.refresh_from_db()
    assert (bulk.state, bulk.deleted_count) == ("done", 2)
    assert Passage.objects.filter(status="deleted", bulk_deletion_id=bulk.pk).count() == 2
    assert "2 passage(s) supprimé(s)" in page(
        signed_in.get(f"/espace/passages/suppressions/{bulk.pk}/")
    )
    assert AuditEntry.objects.filter(action="passages.bulk_deleted").exists()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"/espace/passages/suppressions/{bulk.pk}/restaurer/")
    bulk.refresh_from_db()
    assert (bulk.state, bulk.restored_count) == ("restored", 2)
    assert {p.id_technique: p.status for p in Passage.objects.all()} == {
        "P-OK": "ok",
        "P-KO": "ko",
    }


def test_mass_deletion_by_a_list_of_id_techniques_reports_unknown_ones(
    signed_in, ko_and_ok, django_capture_on_commit_callbacks
):
    response = signed_in.post(
        "/espace/passages/suppression/",
        {"kind": "id_list", "id_techniques_text": "idTechnique\nP-OK\nINCONNU-1\nP-OK"},
    )
    bulk = BulkDeletion.objects.get()
    assert bulk.total == 1
    preview = page(signed_in.get(response["Location"]))
    assert "1 idTechnique introuvable" in preview and "INCONNU-1" in preview


def test_mass_deletion_of_a_certification_over_a_period(signed_in, ko_and_ok):
    signed_in.post(
        "/espace/passages/suppression/",
        {
            "kind": "certification",
            "certification": "RNCP90001",
            "start": "2025-06-01",
            "end": "2025-06-30",
        },
    )
    assert BulkDeletion.objects.get().total == 2
    response = signed_in.post(
        "/espace/passages/suppression/",
        {
            "kind": "certification",
            "certification": "RNCP90001",
            "start": "2025-07-01",
            "end": "2025-06-01",
        },
    )
    assert "La fin de la période précède son début" in page(response)


def test_mass_deletion_of_the_checked_passages(signed_in, ko_and_ok):
    _, ok, ko = ko_and_ok
    response = signed_in.post(
        "/espace/passages/suppression/", {"kind": "selection", "ids": [ok.pk]}
    )
    assert BulkDeletion.objects.get().passage_ids == [ok.pk]
    assert response.status_code == 302


def test_a_selection_that_changed_since_the_preview_asks_to_look_again(
    signed_in, ko_and_ok, deposit
):
    done, _, _ = ko_and_ok
    signed_in.post(
        "/espace/passages/suppression/",
        {
            "kind": "certification",
            "certification": "RNCP90001",
            "start": "2025-01-01",
            "end": "2025-12-31",
        },
    )
    bulk = BulkDeletion.objects.get()
    deposit(b.deposit_file([b.passage("P-NEW")]), name="new.xml")
    response = signed_in.post(
        f"/espace/passages/suppressions/{bulk.pk}/confirmer/",
        {"confirmation": "SUPPRIMER 2", "reason": "x"},
        follow=True,
    )
    assert "ont changé depuis l'aperçu (2 puis 3)" in page(response)
    bulk.refresh_from_db()
    assert bulk.state == "draft" and bulk.total == 3


def test_mass_deletion_is_for_managers(client, demo, ko_and_ok):
    member = factories.member(demo["university"])
    client.force_login(member)
    assert client.get("/espace/passages/suppression/").status_code == 403
    assert client.get("/espace/passages/").status_code == 200


# ---------------------------------------------------------------- isolation

PASSAGE_VIEWS = [
    ("get", "/espace/passages/{passage}/"),
    ("get", "/espace/passages/{passage}/modifier/"),
    ("post", "/espace/passages/{passage}/modifier/"),
    ("get", "/espace/passages/{passage}/supprimer/"),
    ("post", "/espace/passages/{passage}/supprimer/"),
    ("post", "/espace/passages/{passage}/restaurer/"),
    ("get", "/espace/passages/suppressions/{bulk}/"),
    ("post", "/espace/passages/suppressions/{bulk}/confirmer/"),
    ("post", "/espace/passages/suppressions/{bulk}/restaurer/"),
    ("post", "/espace/passages/suppressions/{bulk}/relancer/"),
]


@pytest.fixture
def other_world(ko_and_ok, university_manager):
    from opencertif.passages import bulk_deletions

    _, ok, _ = ko_and_ok
    selection = bulk_deletions.select(
        organisation=ok.certifier.organisation, kind="selection", criteria={"ids": [ok.pk]}
    )
    bulk = bulk_deletions.prepare(
        organisation=ok.certifier.organisation, selection=selection, by=university_manager
    )
    outsider = factories.organisation("Organisme étranger")
    return {"passage": ok.pk, "bulk": bulk.pk, "outsider": factories.manager(outsider)}


def test_the_list_covers_every_passage_view():
    routes = {
        str(pattern.pattern)
        for resolver in get_resolver().url_patterns
        if getattr(resolver, "namespace", None) == "espace"
        for pattern in resolver.url_patterns
        if str(pattern.pattern).startswith("passages/") and "<int:pk>" in str(pattern.pattern)
    }
    covered = {
        url.split("/espace/")[1].replace("{passage}", "<int:pk>").replace("{bulk}", "<int:pk>")
        for _, url in PASSAGE_VIEWS
    }
    assert routes <= covered, routes - covered


@pytest.mark.parametrize(("method", "url"), PASSAGE_VIEWS)
def test_another_organisation_gets_404_and_changes_nothing(client, other_world, method, url):
    client.force_login(other_world["outsider"])
    data = {"reason": "x", "confirmation": "SUPPRIMER 1", **form_data()}
    response = getattr(client, method)(url.format(**other_world), data)
    assert response.status_code == 404
    passage = Passage.objects.get(pk=other_world["passage"])
    assert passage.status == "ok" and not passage.events.exists()
    assert BulkDeletion.objects.get(pk=other_world["bulk"]).state == "draft"


def test_another_organisation_sees_none_of_the_passages(client, other_world):
    client.force_login(other_world["outsider"])
    text = page(client.get("/espace/passages/"))
    assert "0 passage" in text and "P-OK" not in text
    response = client.get("/espace/passages/export.csv")
    assert "P-OK" not in b"".join(response.streaming_content).decode("utf-8-sig")
    assert client.get("/espace/passages/?q=P-OK").status_code == 200


@pytest.mark.parametrize(("method", "url"), PASSAGE_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(client, other_world, method, url):
    response = getattr(client, method)(url.format(**other_world))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_the_next_page_keeps_the_filters(signed_in, deposit):
    b.person()
    deposit(b.deposit_file([b.passage(f"N{i:03d}") for i in range(55)]))
    text = page(signed_in.get("/espace/passages/?statut=ok&tri=id"))
    assert "page 1 sur 2" in text and "N049" in text and "N050" not in text
    assert (
        'href="?statut=ok&amp;tri=id&amp;page=2"'
        in signed_in.get("/espace/passages/?statut=ok&tri=id").content.decode()
    )
    assert "N054" in page(signed_in.get("/espace/passages/?statut=ok&tri=id&page=2"))
