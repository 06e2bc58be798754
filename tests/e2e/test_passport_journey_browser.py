"""The holder's journey in the browser, as a new user of `make run` would try it: sign in as
the demo holder through the development provider, see the deposited certifications, add a
job, build a CV, download its signed PDF, verify it on the public page, change a byte and
see the verification fail, share the CV then revoke the link, report an error and find the
request in the certifier's space. Every page is checked with axe-core, and the passport's
home at 375 px and 1280 px for content drawn over the header or the footer."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from opencertif.passports.models import CorrectionRequest, Holder
from tests.e2e.conftest import assert_no_overlap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(PASSPORT_DEV_PROVIDER=True)
def test_the_demo_holders_journey(live_server, page, browser, check_accessibility, tmp_path):
    call_command("demo", fiches=0)
    demo = Holder.objects.select_related("person").get(user__email="titulaire@passeport-demo.test")
    url = live_server.url

    # Sign in through the development provider, on the demo holder's person.
    page.goto(f"{url}/passeport/")
    page.get_by_role("heading", name=re.compile("Connexion")).first.wait_for()
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("développement")).first.click()
    check_accessibility(page)
    person = demo.person
    name = f"Se connecter en tant que {person.first_name1} {person.birth_name}"
    page.get_by_role("button", name=name).first.click()
    page.get_by_role("heading", name="Mes acquis").wait_for()
    assert page.get_by_text("Garanti", exact=True).count() >= 2
    check_accessibility(page)
    assert_no_overlap(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_overlap(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Mon parcours: a job, declarative.
    page.get_by_role("link", name="Mon parcours").first.click()
    page.get_by_role("link", name="Ajouter une entrée").click()
    check_accessibility(page)
    page.get_by_label("Intitulé").fill("Comptable unique")
    page.get_by_label("Employeur ou organisme").fill("Coopérative du Littoral")
    page.get_by_label("Début").fill("2023-01-15")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Comptable unique").first.wait_for()
    check_accessibility(page)

    # Mes CV: the demo's CV, and a second one built here.
    page.get_by_role("link", name="Mes CV").first.click()
    page.get_by_role("link", name="Créer un CV").click()
    check_accessibility(page)
    page.get_by_label("Titre du CV").fill("CV parcours comptable")
    page.locator("label[for^=passage-]").first.click()
    page.locator("label", has_text="Comptable unique").click()
    assert page.locator("input[name=passages]:checked").count() == 1
    page.get_by_role("button", name="Enregistrer le CV").click()
    page.get_by_role("heading", name="Mes CV").wait_for()
    assert page.get_by_role("link", name=re.compile("PDF signé")).count() == 2
    check_accessibility(page)

    # Download the new CV's signed PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF signé de « CV parcours comptable »").click()
    signed = tmp_path / "cv.pdf"
    download.value.save_as(signed)
    data = signed.read_bytes()
    assert data.startswith(b"%PDF")

    # Verify it on the public page, in a visitor's browser (no session).
    visitor = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.goto(f"{url}/verifier/")
    check_accessibility(public)
    public.get_by_label("Document à vérifier").set_input_files(str(signed))
    public.get_by_role("button", name="Vérifier", exact=True).click()
    public.get_by_text("Signature valide : document authentique, émis par opencertif").wait_for()
    check_accessibility(public)

    # One byte changed in the middle of the file: detected.
    tampered = tmp_path / "cv-modifie.pdf"
    middle = len(data) // 2
    tampered.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :])
    public.get_by_label("Document à vérifier").set_input_files(str(tampered))
    public.get_by_role("button", name="Vérifier", exact=True).click()
    public.get_by_text("Document non valide : ne vous y fiez pas").wait_for()
    check_accessibility(public)

    # Share the CV, open the link as a visitor, revoke it: the link is refused.
    page.get_by_role("link", name="Liens de partage de « CV parcours comptable »").click()
    check_accessibility(page)
    page.get_by_role("button", name="Créer le lien").click()
    share_url = page.locator("td a.oc-break").first.inner_text()
    public.goto(share_url)
    public.get_by_text("CV parcours comptable").first.wait_for()
    check_accessibility(public)
    page.get_by_role("link", name=re.compile("^Révoquer")).first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Oui, révoquer").click()
    page.get_by_text("Le lien a été révoqué").wait_for()
    response = public.goto(share_url)
    assert response.status == 410
    public.get_by_text("Ce lien de partage a été révoqué par son titulaire.").wait_for()
    check_accessibility(public)
    visitor.close()

    # Report an error on a guaranteed certification.
    page.get_by_role("link", name="Mes acquis").first.click()
    page.get_by_role("link", name=re.compile("Signaler une erreur")).first.click()
    check_accessibility(page)
    page.locator("label", has_text="Mention").first.click()
    page.get_by_label("Votre message au certificateur").fill("La mention obtenue était Bien.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    page.get_by_text("En attente de réponse").first.wait_for()
    check_accessibility(page)
    request = CorrectionRequest.objects.get(holder=demo)

    # The certifier finds it in its space, with its deadline.
    page.context.clear_cookies()
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill("gestion@univ-demo.test")
    page.get_by_label("Mot de passe").fill("demo-certif-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()
    page.goto(f"{url}/espace/")
    page.get_by_role("link", name=re.compile("Demandes des titulaires")).first.click()
    page.get_by_role("link", name=f"Demande n° {request.pk}").wait_for()
    assert request.due_on.strftime("%d/%m/%Y") in page.content()
    check_accessibility(page)
