"""The pages of a spreadsheet's conversion: the upload answered at once, the progress
polled, the result, and who may see them."""

import errno
import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from opencertif.core.models import AuditEntry
from opencertif.deposits.models import SheetImport
from opencertif.deposits.sheets import imports as sheet_imports
from tests import factories
from tests.deposits.sheets.test_conversion import good, xlsx
from tests.factories import page


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


def upload(client, organisation, data: bytes, action="deposer", name="promo.xlsx"):
    return client.post(
        "/espace/tableur/",
        {"organisation": organisation.pk, "file": SimpleUploadedFile(name, data), "action": action},
    )


def polled(client, sheet) -> str:
    """The progress fragment, as htmx asks for it."""
    url = f"/espace/tableur/{sheet.pk}/?partie=progression"
    return page(client.get(url, headers={"HX-Request": "true"}))


def test_while_converting_the_page_polls_its_progress_and_offers_a_refresh_link(
    client, demo, manager
):
    client.force_login(manager)
    response = upload(client, demo["university"], xlsx([good()]))
    sheet = SheetImport.objects.get()
    SheetImport.objects.filter(pk=sheet.pk).update(
        state="converting", rows_done=1_200, rows_total=48_000
    )
    html = page(client.get(response["Location"]))
    assert f"<h1>Tableur n° {sheet.pk} – promo.xlsx</h1>" in html
    assert f'hx-get="/espace/tableur/{sheet.pk}/?partie=progression"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "1\u202f200 lignes de passage lues sur environ 48\u202f000 (2 %)" in html
    assert f'<a href="/espace/tableur/{sheet.pk}/">Actualiser la page</a>' in html
    fragment = polled(client, sheet)
    assert fragment.lstrip().startswith('<div id="conversion"') and "<h1>" not in fragment


def test_once_over_the_page_shows_the_result_and_stops_polling(
    client, demo, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client,
            demo["university"],
            xlsx([good(), good(**{"Id Technique": "TAB-2", "Sexe": "X"})]),
        )
    sheet = SheetImport.objects.get()
    fragment = polled(client, sheet)
    assert "hx-get" not in fragment
    assert f"Tableur déposé : dépôt n° {sheet.deposit.pk}" in fragment
    assert f'href="/espace/depots/{sheet.deposit.pk}/"' in fragment
    assert "1 ligne écartée" in fragment and "valeur « X » non admise" in fragment
    assert page(client.get(response["Location"])).count("valeur « X » non admise") == 1


def test_a_refused_file_says_why_in_french(
    client, demo, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, demo["university"], b"nom;prenom\nMartin;Camille\n", name="a.csv")
    html = page(client.get(response["Location"]))
    assert "Tableur refusé : rien n'a été enregistré" in html and "En-tête introuvable" in html


def test_only_the_members_of_the_organisation_see_a_conversion_and_its_file(
    client, demo, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, demo["university"], xlsx([good()]), action="xml")
    sheet = SheetImport.objects.get()
    urls = (
        f"/espace/tableur/{sheet.pk}/",
        f"/espace/tableur/{sheet.pk}/?partie=progression",
        f"/espace/tableur/{sheet.pk}/fichier.xml",
    )
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert AuditEntry.objects.filter(action="sheet.xml_read", object_id=str(sheet.pk)).count() == 1
    # The third party of the demo, and a stranger: neither sees it.
    for user in (
        demo["third_party"].memberships.first().user,
        factories.manager(factories.organisation("Autre organisme")),
    ):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        assert f"/espace/tableur/{sheet.pk}/" not in page(client.get("/espace/tableur/"))
    client.logout()
    response = client.get(urls[0])
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_the_page_lists_the_last_sheets_of_the_users_organisations(client, demo, manager):
    client.force_login(manager)
    upload(client, demo["university"], xlsx([good()]), name="janvier.xlsx")
    sheet = SheetImport.objects.get()
    html = page(client.get("/espace/tableur/"))
    assert "Derniers tableurs déposés" in html
    assert f'<a href="/espace/tableur/{sheet.pk}/">n° {sheet.pk} – janvier.xlsx</a>' in html


def test_an_upload_over_the_limit_is_not_even_received(client, demo, manager, settings):
    settings.DEPOSIT_MAX_BYTES = 1_000
    client.force_login(manager)
    uploads = Path(default_storage.path("sheets/uploads"))
    before = set(uploads.iterdir()) if uploads.is_dir() else set()
    response = upload(client, demo["university"], b"Id Technique;Nom\n" + b"x;y\n" * 2_000)
    # Stopped while it was received: the file never reached the form.
    assert response.wsgi_request.upload_too_big and not response.wsgi_request.FILES
    assert "Le fichier dépasse la taille maximale d'un dépôt" in page(response)
    assert not SheetImport.objects.exists()
    assert (set(uploads.iterdir()) if uploads.is_dir() else set()) == before


def test_a_full_disk_answers_service_unavailable_and_stores_nothing(
    client, demo, manager, monkeypatch
):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(default_storage, "save", full)
    client.force_login(manager)
    response = upload(client, demo["university"], xlsx([good()]))
    assert response.status_code == 503
    assert "momentanément indisponible" in page(response)
    assert not SheetImport.objects.exists()


def test_the_status_page_works_for_a_sheet_converted_to_xml_then_expired(
    client, demo, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, demo["university"], xlsx([good()]), action="xml")
    sheet = SheetImport.objects.get()
    html = page(client.get(response["Location"]))
    link = re.search(r'href="(/espace/tableur/\d+/fichier\.xml)"', html).group(1)
    sheet_imports.xml_path(sheet).unlink()
    html = page(client.get(response["Location"]))
    assert "n'est plus conservé" in html and link not in html
    assert client.get(link).status_code == 404
