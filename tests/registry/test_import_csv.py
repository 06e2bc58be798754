import datetime
import zipfile

import pytest
from django.core.management import CommandError, call_command

from opencertif.organisations.models import Organisation
from opencertif.registry.models import (
    AccessRouteInfo,
    Block,
    Certification,
    CertificationLink,
    CertifierLink,
    CollectiveAgreement,
    Partner,
)
from opencertif.registry.records import RegistryImportError
from opencertif.registry.search import SearchParams, search
from opencertif.registry.services import import_registry
from tests.registry import export_builder

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_zip(tmp_path):
    return export_builder.write_zip(tmp_path / "export-fiches-csv-2024-02-22.zip")


def test_csv_zip_import_creates_fiches_with_every_field(export_zip):
    report = import_registry(paths=[export_zip])

    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    cert = Certification.objects.get(number="RNCP100")
    assert cert.register == "rncp"
    assert cert.source_id == 101
    assert cert.title == "Responsable de la comptabilité d'entreprise"  # doubled ' folded
    assert cert.level == "6"
    assert cert.is_active is True
    assert cert.registration_type == "on_request"
    assert cert.decision_date == datetime.date(2021, 3, 1)
    assert cert.effect_date == datetime.date(2021, 3, 2)
    assert cert.registration_end_date == datetime.date(2026, 3, 1)
    assert cert.last_jo_date == datetime.date(2021, 3, 15)
    assert cert.new_caledonia is False
    assert cert.french_polynesia is True
    assert list(cert.blocks.values_list("code", flat=True)) == ["RNCP100BC01", "RNCP100BC02"]
    assert list(cert.rome_codes.values_list("code", flat=True)) == ["M1203", "M1206"]
    assert [(c.code, c.label) for c in cert.nsf_codes.all()] == [("314", "Comptabilité, gestion")]
    assert [(c.code, c.label) for c in cert.formacodes.all()] == [("32663", "Comptabilité")]
    assert set(cert.access_routes.values_list("route", flat=True)) == {"vae", "apprenticeship"}
    link = cert.certifier_links.get()
    assert link.organisation.siret == "11004301500012"  # TAB prefix removed
    assert set(cert.version_links.values_list("kind", "other_number")) == {("new", "RNCP101")}

    newer = Certification.objects.get(number="RNCP101")
    assert (newer.abbreviation_code, newer.abbreviation_label) == ("LP", "Licence professionnelle")
    assert newer.registration_type == "by_right"
    assert set(newer.version_links.values_list("kind", "other_number")) == {("old", "RNCP100")}

    rs = Certification.objects.get(number="RS200")
    assert rs.register == "rs" and rs.level == "" and rs.partial_validation is True
    partner = Partner.objects.get(certification=rs)
    assert (partner.name, partner.siret, partner.habilitation) == (
        "ALYRA",
        "82815245400033",
        "train",
    )

    reprise = Certification.objects.get(number="RNCP300")
    assert reprise.level == "sans" and reprise.is_active is False
    assert reprise.certifier_links.get().organisation.siret is None
    assert CollectiveAgreement.objects.get(certification=reprise).number == "3117"


def test_csv_import_shares_one_organisation_per_siret(export_zip):
    import_registry(paths=[export_zip])
    ministry = Organisation.objects.get(siret="11004301500012")
    assert ministry.certifier_links.count() == 2
    assert Organisation.objects.filter(siret__isnull=True).count() == 1


def test_bad_rows_are_reported_with_their_line_and_skipped(export_zip):
    report = import_registry(paths=[export_zip])

    messages = {(e.source, e.line): e.message for e in report.errors}
    standard = export_builder.file_name("Standard")
    certifiers = export_builder.file_name("Certificateurs")
    assert "31/02/2020" in messages[(standard, 6)]
    assert "XYZ9" in messages[(certifiers, 6)]
    assert report.error_count == 2
    assert not Certification.objects.filter(number="RNCP400").exists()


def test_reimporting_the_same_file_changes_nothing_and_says_so(export_zip, capsys):
    import_registry(paths=[export_zip])
    before = list(Certification.objects.values_list("number", "updated_at").order_by("number"))

    call_command("import_registry", str(export_zip), "--no-progress")

    out = capsys.readouterr().out
    assert "0 créée(s), 0 mise(s) à jour, 4 inchangée(s)" in out
    assert "Rien n'a changé" in out
    after = list(Certification.objects.values_list("number", "updated_at").order_by("number"))
    assert after == before


def test_folder_of_csv_files_imports_like_the_zip(tmp_path):
    folder = export_builder.write_folder(tmp_path / "export")
    report = import_registry(paths=[folder])
    assert report.created == 4
    assert Block.objects.count() == 3


def test_codes_and_blocks_removed_from_a_fiche_disappear(tmp_path, export_zip):
    import_registry(paths=[export_zip])
    rows = export_builder.base_rows()
    rows["Blocs_De_Compétences"] = [
        r for r in rows["Blocs_De_Compétences"] if r[1] != "RNCP100BC02"
    ]
    rows["Rome"] = [r for r in rows["Rome"] if r[1] != "M1206"]
    rows["VoixdAccès"] = [r for r in rows["VoixdAccès"] if r[0] != "RNCP100"]
    second = export_builder.write_zip(tmp_path / "second.zip", rows)

    report = import_registry(paths=[second])

    assert report.updated == 1 and report.unchanged == 3
    cert = Certification.objects.get(number="RNCP100")
    assert list(cert.blocks.values_list("code", flat=True)) == ["RNCP100BC01"]
    assert list(cert.rome_codes.values_list("code", flat=True)) == ["M1203"]
    assert not AccessRouteInfo.objects.filter(certification=cert).exists()


def test_fiches_absent_from_a_new_export_are_kept_and_marked(tmp_path, export_zip):
    import_registry(paths=[export_zip])
    rows = export_builder.base_rows()
    rows["Standard"] = [r for r in rows["Standard"] if r[1] != "RNCP300"]
    smaller = export_builder.write_zip(tmp_path / "smaller.zip", rows)

    report = import_registry(paths=[smaller])

    assert report.vanished == 1
    gone = Certification.objects.get(number="RNCP300")
    assert gone.missing_since is not None
    # it comes back when a later export has it again
    report = import_registry(paths=[export_zip])
    assert report.reappeared == 1
    gone.refresh_from_db()
    assert gone.missing_since is None


def test_partial_import_does_not_mark_absent_fiches(tmp_path, export_zip):
    import_registry(paths=[export_zip])
    rows = export_builder.base_rows()
    rows["Standard"] = rows["Standard"][:1]
    import_registry(paths=[export_builder.write_zip(tmp_path / "one.zip", rows)], partial=True)
    assert not Certification.objects.filter(missing_since__isnull=False).exists()


def test_corrupt_zip_stops_and_leaves_the_database_as_it_was(tmp_path, export_zip):
    import_registry(paths=[export_zip])
    count = Certification.objects.count()
    data = bytearray(export_zip.read_bytes())
    data[40:400] = b"\x00" * 360
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="Aucune modification"):
        call_command("import_registry", str(corrupt), "--no-progress")
    assert Certification.objects.count() == count


def test_a_failure_midway_rolls_back_everything(tmp_path):
    rows = export_builder.base_rows()
    folder = export_builder.write_folder(tmp_path / "export", rows)
    # A later file that is not UTF-8: the fiches of the Standard file must not stay behind.
    (folder / export_builder.file_name("Standard")).write_bytes(
        (folder / export_builder.file_name("Standard")).read_bytes()
        + '"RNCP9";"é"'.encode("latin-1")
    )
    with pytest.raises(RegistryImportError, match="UTF-8"):
        import_registry(paths=[folder])
    assert Certification.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_missing_columns_are_a_clear_error(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / export_builder.file_name("Standard")).write_text(
        '"Numero";"Titre"\r\n"RNCP1";"x"\r\n'
    )
    with pytest.raises(RegistryImportError, match="colonnes manquantes"):
        import_registry(paths=[folder])


def test_export_without_standard_file_is_refused(tmp_path):
    rows = export_builder.base_rows()
    del rows["Standard"]
    with pytest.raises(RegistryImportError, match="Standard"):
        import_registry(paths=[export_builder.write_folder(tmp_path / "export", rows)])


def test_unknown_path_and_format_are_refused(tmp_path):
    with pytest.raises(RegistryImportError, match="introuvable"):
        import_registry(paths=[tmp_path / "absent.zip"])
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(RegistryImportError, match="format non reconnu"):
        import_registry(paths=[other])


def test_zip_entry_names_without_utf8_flag_are_read_as_utf8(export_zip):
    with zipfile.ZipFile(export_zip) as archive:
        raw = [i for i in archive.infolist() if "Blocs" in i.filename][0]
    assert not raw.flag_bits & 0x800  # the quirk is really there
    import_registry(paths=[export_zip])
    assert Block.objects.count() == 3


def test_imported_fiches_are_searchable_at_once(export_zip):
    import_registry(paths=[export_zip])
    result = search(SearchParams(q="comptabilite"))
    assert {c.number for c in result.items} == {"RNCP100", "RNCP101"}


def test_certifier_links_and_links_are_replaced_not_duplicated(export_zip, tmp_path):
    import_registry(paths=[export_zip])
    rows = export_builder.base_rows()
    rows["Certificateurs"][0][2] = "MINISTERE DE L'EDUCATION NATIONALE ET DE LA JEUNESSE"
    rows["Standard"][0][2] = "Responsable de la comptabilité"
    import_registry(paths=[export_builder.write_zip(tmp_path / "v2.zip", rows)])
    assert CertifierLink.objects.filter(certification__number="RNCP100").count() == 1
    assert CertificationLink.objects.filter(certification__number="RNCP100").count() == 1
