"""Imports the real excerpts of the official export (../shared/reference/rncp) and checks
every field. Skipped, with the reason, when the reference folder is absent."""

import datetime

import pytest

from opencertif.organisations.models import Organisation
from opencertif.registry.models import Certification
from opencertif.registry.services import import_registry

pytestmark = [pytest.mark.django_db, pytest.mark.reference]


@pytest.fixture
def csv_zip(reference_dir):
    return reference_dir / "rncp" / "csv-export" / "export-fiches-csv-2024-02-22.zip"


def test_real_csv_zip_imports_every_fiche_and_field(csv_zip):
    report = import_registry(paths=[csv_zip])

    assert report.created == 9 and report.error_count == 0
    # The excerpt keeps a link row of RNCP38228, a fiche cut out of its Standard file.
    assert [w.line for w in report.warnings] == [3]
    assert set(Certification.objects.values_list("number", flat=True)) == {
        "RNCP509",
        "RNCP1197",
        "RNCP4049",
        "RNCP22094",
        "RNCP28155",
        "RNCP30271",
        "RS5000",
        "RNCP19468",
        "RS6117",
    }
    cap = Certification.objects.get(number="RNCP509")
    assert cap.source_id == 14791
    assert cap.title == "Agent vérificateur d'appareils extincteurs"
    assert (cap.abbreviation_code, cap.abbreviation_label) == (
        "CAP",
        "Certificat d'aptitude professionnelle",
    )
    assert cap.level == "3" and cap.is_active is False
    assert cap.registration_type == "by_right"
    assert cap.registration_end_date == datetime.date(2023, 8, 31)
    assert cap.decision_date is None and cap.last_jo_date is None
    assert (cap.new_caledonia, cap.french_polynesia) == (False, False)
    assert list(cap.blocks.order_by("code").values_list("code", "label"))[0] == (
        "RNCP509BC01",
        "UP1 : Vérification d’une installation et organisation de l’intervention",
    )
    assert cap.blocks.count() == 6
    assert [(c.code, c.label) for c in cap.nsf_codes.all()] == [
        ("251", "Mécanique générale et de précision, usinage")
    ]
    assert list(cap.rome_codes.values_list("code", flat=True)) == ["I1203"]
    assert [(c.code, c.label) for c in cap.formacodes.all()] == [("42872", "Sécurité incendie")]
    assert set(cap.access_routes.values_list("route", flat=True)) == {
        "initial",
        "apprenticeship",
        "continuing",
        "professionalisation",
        "candidacy",
        "vae",
    }
    ministry = cap.certifier_links.get().organisation
    assert ministry.siret == "11004301500012"
    assert ministry.name == "MINISTERE DE L'EDUCATION NATIONALE ET DE LA JEUNESSE"
    assert set(cap.version_links.values_list("kind", "other_number")) == {("new", "RNCP38228")}

    chain = Certification.objects.get(number="RNCP4049")
    assert set(chain.version_links.values_list("kind", "other_number")) == {
        ("old", "RNCP1197"),
        ("new", "RNCP22094"),
    }
    assert chain.last_jo_date == datetime.date(2011, 2, 2)
    assert chain.registration_type == "on_request"
    assert list(chain.nsf_codes.values_list("code", flat=True)) == ["221w"]
    assert set(chain.rome_codes.values_list("code", flat=True)) == {"D1407", "D1406", "H1102"}
    # the source doubles this apostrophe
    assert chain.rome_codes.get(code="H1102").label == "Management et ingénierie d'affaires"

    rs = Certification.objects.get(number="RS5000")
    assert rs.register == "rs" and rs.level == "" and rs.is_active is True
    assert rs.title == "Exploiter la blockchain dans le développement d’applications"
    assert rs.partial_validation is False
    assert rs.decision_date == datetime.date(2019, 6, 13)
    assert sorted(rs.partners.values_list("name", "siret", "habilitation")) == [
        ("ACADEE", "87920070700013", "train"),
        ("ALYRA", "82815245400033", "train"),
        ("ORSYS", "48276116000019", "train"),
    ]
    assert rs.certifier_links.get().organisation.name == "SIMPLON.CO"

    reprise = Certification.objects.get(number="RNCP19468")
    assert reprise.level == "sans"
    assert list(reprise.collective_agreements.values_list("number", "label")) == [
        ("3117", "Boulangerie-pâtisserie (Entreprises artisanales)")
    ]
    assert set(reprise.version_links.values_list("kind", "other_number")) == {("new", "RS6117")}

    rs6117 = Certification.objects.get(number="RS6117")
    assert rs6117.certifier_links.count() == 2
    assert rs6117.partners.count() == 6
    # The same SIRET is one organisation, certifier of two fiches.
    assert Organisation.objects.get(siret="78466840200018").certifier_links.count() == 2


def test_real_csv_zip_reimport_changes_nothing(csv_zip):
    import_registry(paths=[csv_zip])
    report = import_registry(paths=[csv_zip])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 9)


def test_real_csv_folder_gives_the_same_result_as_the_zip(reference_dir, csv_zip):
    report = import_registry(paths=[reference_dir / "rncp" / "csv-export"])
    # The folder holds the zip and its files: two exports, the second one adding nothing.
    assert (report.created, report.unchanged) == (9, 9)
    assert Certification.objects.count() == 9


def test_real_xml_excerpts_import_every_field(reference_dir):
    folder = reference_dir / "rncp" / "xml-export"
    report = import_registry(
        paths=[folder / "excerpt_RNCP35419.xml", folder / "excerpt_RS6604.xml"], partial=True
    )
    assert report.created == 2 and report.error_count == 0
    assert not report.ignored_tags

    cert = Certification.objects.get(number="RNCP35419")
    assert cert.source_id == 20971
    assert cert.title == "Expert en ingénierie du logiciel"
    assert cert.state == "published" and cert.is_active is False
    assert cert.level == "7"
    assert cert.decision_date == datetime.date(2021, 3, 17)
    assert cert.registration_duration == 5
    assert cert.registration_end_date == datetime.date(2026, 3, 17)
    assert cert.registration_type == "on_request"
    assert cert.description_url == "https://www.intechinfo.fr"
    assert cert.activities.startswith("Activité 1 : Gestion de la relation client")
    assert cert.abilities.startswith("C.1. Organiser et conduire une réunion")
    assert cert.sectors.startswith("Tous les secteurs utilisant l'informatique")
    assert "Architecte logiciel" in cert.jobs
    assert cert.objectives.startswith("Depuis plusieurs années")
    assert cert.prerequisites.startswith("Le parcours s’adresse")
    assert (cert.new_caledonia, cert.french_polynesia, cert.has_partners) == (False, False, True)
    assert set(cert.version_links.values_list("kind", "other_number")) == {
        ("old", "RNCP11543"),
        ("new", "RNCP42147"),
    }
    assert list(cert.formacodes.values_list("code", flat=True)) == ["31057", "31067", "31094"]
    assert list(cert.nsf_codes.values_list("code", flat=True)) == ["326"]
    assert set(cert.rome_codes.values_list("code", flat=True)) == {"M1802", "M1805", "M1803"}
    certifier = cert.certifier_links.get()
    assert (certifier.organisation.siret, certifier.state) == ("31134913800017", "active")
    assert cert.partners.count() == 3
    iscod = cert.partners.get(name="ISCOD")
    assert iscod.active_since == datetime.date(2023, 4, 12)
    assert cert.partners.get(name="VISIPLUS").state == "active"
    assert set(cert.access_routes.values_list("route", "is_open")) == {
        ("initial", True),
        ("apprenticeship", True),
        ("continuing", True),
        ("professionalisation", True),
        ("candidacy", True),
        ("vae", True),
    }
    assert cert.access_routes.get(route="vae").jury_composition.startswith(
        "Le responsable de la VAE"
    )
    assert list(
        cert.promotion_stats.values_list(
            "year", "certified", "certified_vae", "insertion_rate_6m", "insertion_rate_2y"
        )
    ) == [
        (2019, 36, 4, 96, None),
        (2018, 28, 0, 100, 71),
        (2017, 11, 0, 100, 90),
    ]
    blocks = list(cert.blocks.all())
    assert [b.code for b in blocks] == [f"RNCP35419BC0{i}" for i in range(1, 5)]
    assert blocks[1].label == "Pilotage de projet d'ingénierie du logiciel"
    assert blocks[0].evaluation == "Cas pratiques    Mise en situation professionnelle simulée"
    assert blocks[3].competences.startswith("C.14.")

    rs = Certification.objects.get(number="RS6604")
    assert rs.register == "rs" and rs.level == "" and rs.is_active is True
    assert rs.delivery_limit_date == datetime.date(2029, 10, 26)
    assert rs.decision_date == datetime.date(2024, 4, 26)
    assert rs.regulations.startswith("L'activité est encadrée")
    assert list(rs.version_links.values_list("kind", "other_number")) == [("old", "RS5000")]
    assert set(rs.access_routes.values_list("route", "is_open")) == {
        ("initial", False),
        ("continuing", True),
        ("professionalisation", False),
        ("candidacy", False),
        ("vae", False),
    }
    assert rs.access_routes.get(route="continuing").updated_on == datetime.date(2024, 5, 1)
    assert rs.partners.get().state_changed_on == datetime.date(2024, 6, 28)
    assert not rs.blocks.exists() and not rs.rome_codes.exists()
