import re

import pytest
from django.core.management import call_command

from opencertif.deposits.models import Passage
from opencertif.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url):
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill("gestion@univ-demo.test")
    page.get_by_label("Mot de passe").fill("demo-certif-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()
    page.goto(f"{url}/espace/")


def test_declare_a_passage_with_the_guided_form(live_server, page, check_accessibility):
    call_command("demo", fiches=0, passages=False)
    holder = Person.objects.order_by("pk")[12]
    url = live_server.url
    sign_in(page, url)
    assert page.get_by_text("Campus Démo").count() >= 1  # the commercial name, on every page
    page.get_by_role("link", name="Déclarer un passage").click()
    check_accessibility(page)
    # Dependent fields appear only when relevant.
    language = page.locator("#id_language_level")
    assert language.is_hidden()
    page.locator("label[for=id_has_language_level_0]").click()
    assert language.is_visible()
    page.locator("label[for=id_has_language_level_1]").click()
    assert language.is_hidden()
    assert page.locator("#id_vae_route").is_hidden()
    page.locator("#id_access_mode").select_option("VAE")
    assert page.locator("#id_vae_route").is_visible()
    page.locator("#id_vae_route").select_option("VAE_CLASSIQUE")
    page.locator("#id_certification").select_option("RNCP90002")
    page.locator("#id_id_technique").fill("NAV-DECL-1")
    page.locator("label[for=id_obtained_by_0]").click()
    page.locator("label[for=id_certified_data_0]").click()
    page.locator("#id_valid_from").fill("2026-07-01")
    page.locator("label[for=id_has_digital_level_1]").click()
    assert page.locator("#id_nir").is_hidden()
    page.locator("#id_birth_name").fill(holder.birth_name)
    page.locator("#id_first_name1").fill(holder.first_name1)
    page.locator(f"label[for=id_sex_{0 if holder.sex == 'F' else 1}]").click()
    page.locator("#id_birth_year").fill(str(holder.birth_year))
    page.locator("#id_birth_month").fill(str(holder.birth_month))
    page.locator("#id_birth_day").fill(str(holder.birth_day))
    page.locator("#id_birth_insee").fill(holder.birth_insee)
    # A mistake first: the validity ends before it starts.
    page.locator("#id_valid_until").fill("2026-01-01")
    page.get_by_role("button", name="Déclarer ce passage").click()
    page.get_by_text("La fin de validité ne peut pas précéder le début de validité").wait_for()
    check_accessibility(page)
    assert page.locator("#id_id_technique").input_value() == "NAV-DECL-1"  # nothing lost
    page.locator("#id_valid_until").fill("")
    page.get_by_role("button", name="Déclarer ce passage").click()
    page.wait_for_url(re.compile(r".*/espace/passages/\d+/$"))
    page.get_by_text("Accepté (OK)").first.wait_for()
    check_accessibility(page)
    passage = Passage.objects.get(id_technique="NAV-DECL-1")
    assert passage.person == holder and passage.last_deposit.channel == "form"


def test_correct_a_refused_passage_then_delete_a_deposit_and_restore_it(
    live_server, page, check_accessibility
):
    call_command("demo", fiches=0)
    url = live_server.url
    sign_in(page, url)
    page.get_by_role("link", name="Passages de certification", exact=True).click()
    check_accessibility(page)
    page.get_by_label("idTechnique ou nom du titulaire").fill("DEMO-KO-NAISSANCE")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r".*/espace/passages/\d+/$"))
    page.get_by_text("Aucun titulaire ne correspond aux critères obligatoires").first.wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Modifier").click()
    check_accessibility(page)
    year = page.locator("#id_birth_year")
    year.fill(str(int(year.input_value()) - 1))
    page.get_by_role("button", name="Enregistrer la modification").click()
    page.get_by_text("Accepté (OK)").first.wait_for()
    page.get_by_text("Titulaire identifié").first.wait_for()
    assert Passage.objects.get(id_technique="DEMO-KO-NAISSANCE").status == "ok"

    # A whole deposit, deleted then restored.
    latest = Passage.objects.get(id_technique="DEMO-KO-NAISSANCE").last_deposit
    count = Passage.objects.filter(last_deposit=latest).count()
    page.goto(f"{url}/espace/passages/")
    page.get_by_role("link", name="Supprimer des passages en masse").click()
    check_accessibility(page)
    page.get_by_text("Tous les passages d'un dépôt").click()
    page.locator("#id_deposit").select_option(str(latest.pk))
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.get_by_text(f"{count} passages seront supprimés").wait_for()
    check_accessibility(page)
    page.get_by_label("Motif de la suppression").fill("Dépôt envoyé par erreur")
    page.get_by_label(re.compile("Pour confirmer, tapez")).fill(f"supprimer {count}")
    page.get_by_role("button", name=re.compile(r"^Supprimer \d+ passages$")).click()
    page.get_by_text(f"{count} passage(s) supprimé(s)").wait_for()
    check_accessibility(page)
    assert Passage.objects.filter(last_deposit=latest, status="deleted").count() == count
    page.get_by_role("button", name=re.compile("Restaurer les")).click()
    page.get_by_text(f"{count} passage(s) restauré(s)").wait_for()
    assert not Passage.objects.filter(last_deposit=latest, status="deleted").exists()
