import re

import pytest

from opencertif.organisations.models import Membership
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link(mailoutbox, pattern: str) -> str:
    for message in reversed(mailoutbox):
        found = re.search(r"https?://[^\s]+" + pattern + r"[^\s]*", message.body)
        if found:
            return re.sub(r"^https?://[^/]+", "", found.group(0))
    raise AssertionError(f"no mail with {pattern}: {[m.subject for m in mailoutbox]}")


def choose(page, label: str) -> None:
    """Tick a DSFR radio button the way a person does: by clicking its label."""
    page.locator("label.fr-label", has_text=re.compile(f"^{re.escape(label)}$")).click()


def test_create_an_organisation_account_end_to_end(
    live_server, page, mailoutbox, check_accessibility
):
    staff = factories.staff()
    url = live_server.url
    page.goto(f"{url}/")
    page.get_by_role("link", name="Espace certificateur").first.click()
    page.get_by_role("heading", name="Se connecter").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Créer le compte d'un organisme").click()
    check_accessibility(page)
    page.get_by_role("link", name="Commencer").click()

    choose(page, "Entreprise (société, organisme de formation privé…)")
    check_accessibility(page)
    page.get_by_role("button", name="Continuer").click()

    page.get_by_role("heading", name="Identification").wait_for()
    choose(page, "Oui")
    page.get_by_role("textbox", name=re.compile("^SIRET")).fill("732 829 320 00075")
    page.get_by_label("Raison sociale").fill("Formations Martin SAS")
    page.get_by_role("button", name="Continuer").click()
    # a wrong checksum is explained, nothing is lost
    page.get_by_text("clé de contrôle").wait_for()
    check_accessibility(page)
    assert page.get_by_label("Raison sociale").input_value() == "Formations Martin SAS"
    page.get_by_role("textbox", name=re.compile("^SIRET")).fill("732 829 320 00074")
    page.get_by_role("button", name="Continuer").click()

    page.get_by_role("heading", name="Pièces justificatives").wait_for()
    check_accessibility(page)
    page.get_by_label("Extrait Kbis de moins de 3 mois").set_input_files(
        files=[{"name": "kbis.pdf", "mimeType": "application/pdf", "buffer": factories.PDF}]
    )
    choose(page, "Oui")
    page.get_by_role("button", name="Continuer").click()

    page.get_by_role("heading", name="Vos coordonnées").wait_for()
    check_accessibility(page)
    page.get_by_label("Prénom").fill("Claire")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Fonction dans l'organisme").fill("Directrice")
    page.get_by_label("Adresse électronique professionnelle").fill("claire@martin.fr")
    page.get_by_label("Téléphone").fill("01 02 03 04 05")
    page.locator("#id_password1").fill(factories.PASSWORD)
    page.locator("#id_password2").fill(factories.PASSWORD)
    page.get_by_role("button", name="Envoyer la demande").click()

    page.get_by_role("heading", name="Activez votre adresse électronique").wait_for()
    check_accessibility(page)
    page.goto(url + link(mailoutbox, "/espace/inscription/activer/"))
    page.get_by_role("heading", name="Adresse électronique confirmée").wait_for()
    check_accessibility(page)

    # staff validate
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill(staff.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{url}/instruction/")
    check_accessibility(page)
    page.get_by_role("link", name="1 demande de compte").click()
    check_accessibility(page)
    page.get_by_role("link", name="Formations Martin SAS").click()
    check_accessibility(page)
    page.get_by_role("button", name="Valider la demande").click()
    page.get_by_text("Compte de Formations Martin SAS validé").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # the new manager signs in with the 9-character identifier from the mail
    welcome = [m for m in mailoutbox if m.to == ["claire@martin.fr"]][-1]
    identifier = re.search(r"identifiant de connexion : (\w{9})", welcome.body).group(1)
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill(identifier)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{url}/espace/")
    page.get_by_role("link", name="Formations Martin SAS").click()
    page.get_by_role("heading", name="Formations Martin SAS").wait_for()
    check_accessibility(page)
    assert Membership.objects.get(user__email="claire@martin.fr").role == "manager"


def test_lock_out_and_unlock_by_email(live_server, page, mailoutbox, settings, check_accessibility):
    person = factories.user("ada@exemple.fr")
    url = live_server.url
    page.goto(f"{url}/connexion/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Adresse électronique ou identifiant").fill(person.identifier)
        page.get_by_label("Mot de passe").fill("pas-le-bon")
        page.get_by_role("button", name="Se connecter").click()
        if page.get_by_role("heading", name="Connexion temporairement bloquée").count():
            break
        page.get_by_text("Identifiants incorrects").wait_for()
    page.get_by_role("heading", name="Connexion temporairement bloquée").wait_for()
    check_accessibility(page)

    page.goto(url + link(mailoutbox, "/connexion/debloquer/"))
    page.get_by_text("Votre compte est débloqué").wait_for()
    check_accessibility(page)
    page.get_by_label("Adresse électronique ou identifiant").fill(person.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/espace/")
    page.get_by_text(person.identifier).wait_for()
    check_accessibility(page)
