import datetime
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from opencertif.registry.models import Certification
from opencertif.registry.records import RegistryImportError
from opencertif.registry.services import import_registry
from tests.registry import xml_builder

pytestmark = pytest.mark.django_db


def test_xml_fiche_is_imported_with_every_field(tmp_path):
    path = xml_builder.write(tmp_path / "rncp.xml", xml_builder.fiche("RNCP35419", id=20971))

    report = import_registry(paths=[path], partial=True)

    assert report.created == 1
    assert report.ignored_tags == {"NOUVEL_ELEMENT_INCONNU": 1}
    cert = Certification.objects.get(number="RNCP35419")
    assert cert.source_id == 20971
    assert cert.state == "published"
    assert (cert.abbreviation_code, cert.abbreviation_label) == ("MASTER", "Master")
    assert cert.level == "7" and cert.is_active is True
    assert cert.registration_duration == 5
    assert cert.decision_date == datetime.date(2021, 3, 17)
    assert cert.registration_end_date == datetime.date(2026, 3, 17)
    assert cert.delivery_limit_date == datetime.date(2026, 9, 17)
    assert cert.activities.startswith("Activité 1")
    assert cert.abilities == "C.1. Organiser et conduire une réunion"
    assert cert.sectors == "Tous les secteurs" and cert.jobs == "Architecte logiciel"
    assert cert.objectives == "Former des experts" and cert.prerequisites == "Niveau bac"
    assert cert.regulations == "Aucune"
    assert cert.description_url == "https://www.example.org"
    assert cert.has_partners is True and cert.partial_validation is False
    block = cert.blocks.get()
    assert (block.code, block.competences, block.evaluation) == (
        "RNCP35419BC01",
        "C.1. Organiser une réunion",
        "Cas pratiques",
    )
    routes = {r.route: r for r in cert.access_routes.all()}
    assert set(routes) == {"initial", "continuing", "vae"}
    assert routes["vae"].is_open is False
    assert routes["continuing"].updated_on == datetime.date(2024, 5, 1)
    assert routes["initial"].jury_composition == "2 membres de la direction"
    partner = cert.partners.get()
    assert (partner.state, partner.active_since) == ("active", datetime.date(2023, 4, 12))
    stat = cert.promotion_stats.get()
    assert (stat.year, stat.certified, stat.certified_vae, stat.insertion_rate_6m) == (
        2019,
        36,
        4,
        96,
    )
    assert stat.insertion_rate_2y is None
    assert cert.certifier_links.get().state == "active"
    assert list(cert.version_links.values_list("kind", "other_number")) == [("old", "RNCP11")]


def test_xml_zip_is_read(tmp_path):
    xml = xml_builder.document(xml_builder.fiche("RNCP1"), xml_builder.fiche("RNCP2"))
    archive = tmp_path / "export-xml.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("export_fiches_RNCP_V4_1_2026-08-16.xml", xml)
    assert import_registry(paths=[archive], partial=True).created == 2


def test_xml_reimport_is_unchanged_and_csv_keeps_xml_texts(tmp_path):
    path = xml_builder.write(tmp_path / "rncp.xml", xml_builder.fiche("RNCP100"))
    import_registry(paths=[path], partial=True)
    assert import_registry(paths=[path], partial=True).unchanged == 1

    from tests.registry import export_builder

    rows = export_builder.base_rows()
    import_registry(paths=[export_builder.write_zip(tmp_path / "csv.zip", rows)], partial=True)
    cert = Certification.objects.get(number="RNCP100")
    # The CSV has no texts and no block details: what the XML brought stays.
    assert cert.title == "Responsable de la comptabilité d'entreprise"
    assert cert.abilities == "C.1. Organiser et conduire une réunion"
    assert cert.objectives == "Former des experts"


def test_malformed_xml_stops_with_its_line(tmp_path):
    text = xml_builder.document(xml_builder.fiche("RNCP1")).replace("</INTITULE>", "</INTITULEE>")
    path = tmp_path / "broken.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryImportError, match=r"ligne \d+ : XML mal formé"):
        import_registry(paths=[path])
    assert Certification.objects.count() == 0


def test_wrong_root_and_version_are_refused(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><flux><VERSION_FLUX>4.1</VERSION_FLUX></flux>")
    with pytest.raises(RegistryImportError, match="<FICHES>"):
        import_registry(paths=[other])
    old = xml_builder.write(tmp_path / "old.xml", xml_builder.fiche("RNCP1"), version="3.0")
    with pytest.raises(RegistryImportError, match="version de flux"):
        import_registry(paths=[old])


@pytest.mark.parametrize(
    "prolog",
    [
        # billion laughs
        '<!DOCTYPE FICHES [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n',
        # external entity
        '<!DOCTYPE FICHES [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    ],
)
def test_hostile_xml_is_refused_without_expanding_anything(tmp_path, prolog):
    entity = "&d;" if "billion" in prolog or "&c;" in prolog else "&xxe;"
    path = xml_builder.write(
        tmp_path / "hostile.xml", xml_builder.fiche("RNCP1", title=f"T {entity}"), prolog=prolog
    )
    with pytest.raises(RegistryImportError, match="DOCTYPE"):
        import_registry(paths=[path])
    assert Certification.objects.count() == 0


def test_bad_fiche_is_reported_with_its_line_and_skipped(tmp_path):
    bad = xml_builder.fiche("RNCP2").replace("17/03/2021", "2021-13-45")
    path = xml_builder.write(tmp_path / "rncp.xml", xml_builder.fiche("RNCP1"), bad)
    report = import_registry(paths=[path], partial=True)
    assert report.created == 1
    assert report.error_count == 1
    error = report.errors[0]
    assert error.line > 50 and "2021-13-45" in error.message


MEMORY_PROBE = """
import os, resource, sys
import django
django.setup()
from opencertif.registry.importers.sources import collect
from opencertif.registry.importers.xml_export import XmlExport
from pathlib import Path
source = collect([Path(sys.argv[1])]).xml_files[0]
count = sum(1 for _ in XmlExport(source).records())
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_kb(path: Path) -> tuple[int, int]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_xml_reader_memory_does_not_grow_with_the_file(tmp_path):
    long_text = "C.1. Concevoir une architecture adéquate à partir des exigences. " * 60

    def build(name: str, count: int) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8") as out:
            out.write(
                '<?xml version="1.0" encoding="UTF-8"?>\n<FICHES><VERSION_FLUX>4.1</VERSION_FLUX>\n'
            )
            for i in range(count):
                out.write(xml_builder.fiche(f"RNCP{i + 1}", abilities=long_text))
            out.write("</FICHES>\n")
        return path

    small = build("small.xml", 500)
    large = build("large.xml", 10_000)
    assert large.stat().st_size > 50_000_000
    small_count, small_rss = _peak_rss_kb(small)
    large_count, large_rss = _peak_rss_kb(large)
    assert (small_count, large_count) == (500, 10_000)
    # Twenty times the data; the peak may move by a few MB, never by the file's size.
    assert large_rss - small_rss < 25_000, (small_rss, large_rss)
