import pytest
from django.core.management import call_command

from opencertif.organisations.models import Organisation
from opencertif.registry.models import Certification
from opencertif.registry.search import SearchParams, search

pytestmark = pytest.mark.django_db


def test_demo_loads_a_realistic_registry_once(capsys):
    call_command("demo")
    assert "2013 fiche(s) créée(s)" in capsys.readouterr().out

    assert Certification.objects.count() == 2013
    assert set(Certification.objects.values_list("level", flat=True)) == {
        "",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "sans",
    }
    assert Organisation.objects.filter(certifier_links__isnull=False).distinct().count() == 301
    university = Organisation.objects.get(siret="00000001800010")
    assert university.name == "Université de démonstration"
    fixed = Certification.objects.filter(certifier_links__organisation=university)
    assert sorted(fixed.values_list("number", flat=True)) == sorted(
        [f"RNCP{90000 + i}" for i in range(1, 11)] + ["RS90001", "RS90002", "RS90003"]
    )
    for cert in fixed:
        assert cert.is_active and cert.delivery_limit_date is None
        assert str(cert.decision_date) == "2020-01-01"
        assert str(cert.registration_end_date) == "2030-12-31"
    assert search(SearchParams(q="comptabilité", level="6")).total >= 3

    call_command("demo")
    assert "0 fiche(s) créée(s), 0 mise(s) à jour, 2013 inchangée(s)" in capsys.readouterr().out


def test_importing_an_export_next_to_the_demo_leaves_demo_fiches_alone(tmp_path):
    from opencertif.registry.services import import_registry
    from tests.registry import export_builder

    call_command("demo", fiches=50)
    report = import_registry(paths=[export_builder.write_zip(tmp_path / "export.zip")])

    assert report.created == 4 and report.updated == 0  # no number shared with the demo
    assert report.vanished == 0
    assert not Certification.objects.filter(missing_since__isnull=False).exists()


def test_demo_accounts_can_sign_in_and_deposit_rights_are_in_place(client):
    from opencertif.deposits.services import may_deposit

    call_command("demo", fiches=10)
    call_command("demo", fiches=10)  # idempotent
    university = Organisation.objects.get(siret="00000001800010")
    third_party = Organisation.objects.get(siret="00000002600013")
    assert university.memberships.get().user.email == "gestion@univ-demo.test"
    assert may_deposit(organisation=university, id_client="DEMO0001", id_contract="MCFCER000001")
    assert may_deposit(organisation=third_party, id_client="DEMO0001", id_contract="MCFCER000001")
    for email, password in (
        ("admin@opencertif.test", "demo-admin-2026"),
        ("gestion@univ-demo.test", "demo-certif-2026"),
        ("depot@tiers-demo.test", "demo-tiers-2026"),
    ):
        response = client.post("/connexion/", {"username": email, "password": password})
        assert response.status_code == 302, email
        client.post("/deconnexion/")
    client.post("/connexion/", {"username": "admin@opencertif.test", "password": "demo-admin-2026"})
    assert client.get("/instruction/").status_code == 200


def test_the_demo_command_still_runs_twice(db):
    call_command("demo", fiches=0)
    call_command("demo", fiches=0)
