import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from lxml import etree

from opencertif.deposits.models import Deposit, Passage
from opencertif.deposits.samples import sample_file
from opencertif.organisations.services import create_api_token
from tests import factories
from tests.deposits import builders as b
from tests.factories import page

# Uploads start their processing on commit (the test settings run tasks at once).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


def test_the_sample_file_gives_17_ok_and_3_ko(client, demo, manager):
    client.force_login(manager)
    sample = client.get(f"/espace/depots/exemple/?organisation={demo['university'].pk}")
    assert sample.status_code == 200 and sample.content.startswith(b"<?xml")
    upload = SimpleUploadedFile("exemple.xml", sample.content, content_type="application/xml")
    response = client.post(
        "/espace/depots/nouveau/", {"organisation": demo["university"].pk, "file": upload}
    )
    deposit = Deposit.objects.get()
    assert response["Location"] == f"/espace/depots/{deposit.pk}/"
    deposit.refresh_from_db()
    assert (deposit.state, deposit.passage_total, deposit.ok_count, deposit.ko_count) == (
        "done",
        20,
        17,
        3,
    )
    html = page(client.get(f"/espace/depots/{deposit.pk}/"))
    assert "Accusé de réception" in html and deposit.sha256 in html
    assert "Traité avec erreurs" in html
    assert "vérifiez l'orthographe du nom de naissance" in html
    ko_only = page(client.get(f"/espace/depots/{deposit.pk}/?resultat=ko"))
    assert ko_only.count("fr-badge--error") == 3
    found = page(client.get(f"/espace/depots/{deposit.pk}/?q=EXEMPLE-DEMO0001-005"))
    assert "EXEMPLE-DEMO0001-005" in found and "EXEMPLE-DEMO0001-006" not in found
    xml = b"".join(client.get(f"/espace/depots/{deposit.pk}/accuse.xml").streaming_content)
    assert len(etree.fromstring(xml).findall("PassagesOK/idTechnique")) == 17
    csv_text = b"".join(client.get(f"/espace/depots/{deposit.pk}/accuse.csv").streaming_content)
    assert csv_text.decode("utf-8-sig").count("\n") == 21
    xlsx = client.get(f"/espace/depots/{deposit.pk}/accuse.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_progress_is_polled_by_htmx_while_processing(client, demo, manager):
    client.force_login(manager)
    deposit = Deposit.objects.create(
        organisation=demo["university"],
        channel="web",
        file_name="x.xml",
        size=1,
        sha256="0",
        state="processing",
        passage_total=10,
        processed=4,
    )
    partial = client.get(f"/espace/depots/{deposit.pk}/?partie=progression", HTTP_HX_REQUEST="true")
    html = page(partial)
    assert "<html" not in html and 'hx-trigger="every 1s"' in html
    assert "4 passages traités sur 10 (40 %)" in html


def test_an_upload_over_the_limit_is_refused_with_the_reason(client, demo, manager, settings):
    settings.DEPOSIT_MAX_BYTES = 100
    client.force_login(manager)
    upload = SimpleUploadedFile("gros.xml", b"<a>" + b" " * 500 + b"</a>")
    html = page(
        client.post(
            "/espace/depots/nouveau/", {"organisation": demo["university"].pk, "file": upload}
        )
    )
    assert "taille maximale" in html
    assert not Deposit.objects.exists()


def test_deposits_are_seen_by_the_depositor_and_the_certifier_only(client, demo, manager):
    data = b.deposit_file([b.passage("P1")], emitter="DEMO0002")
    from opencertif.deposits import engine

    deposit = engine.receive(
        organisation=demo["third_party"],
        user=None,
        channel="cli",
        name="tiers.xml",
        stream=io.BytesIO(data),
    )
    engine.process(deposit.pk)
    third_party_user = demo["third_party"].memberships.get().user
    for user in (manager, third_party_user):
        client.force_login(user)
        assert client.get(f"/espace/depots/{deposit.pk}/").status_code == 200
        assert "tiers.xml" in page(client.get("/espace/depots/"))
    stranger = factories.manager(factories.organisation("Autre organisme"))
    client.force_login(stranger)
    for url in (
        f"/espace/depots/{deposit.pk}/",
        f"/espace/depots/{deposit.pk}/accuse.xml",
        f"/espace/depots/{deposit.pk}/accuse.csv",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/espace/depots/{deposit.pk}/relancer/").status_code == 404
    assert "tiers.xml" not in page(client.get("/espace/depots/"))
    assert client.get("/espace/depots/nouveau/").status_code == 403


def test_deposit_by_api_with_a_token(client, demo, manager):
    token, secret = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    data = b.deposit_file([b.passage("API1")])
    b.person()
    response = client.post(
        "/api/deposits",
        {"file": SimpleUploadedFile("api.xml", data)},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["file_name"] == "api.xml" and body["sha256"]
    state = client.get(f"/api/deposits/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert state["state"] == "done" and state["ok"] == 1 and state["progress_percent"] == 100
    report = client.get(
        f"/api/deposits/{body['id']}/report.xml", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert b"<idTechnique>API1</idTechnique>" in b"".join(report.streaming_content)
    assert (
        client.get(
            f"/api/deposits/{body['id']}/report.csv", HTTP_AUTHORIZATION=f"Bearer {secret}"
        ).status_code
        == 200
    )
    assert (
        client.get(f"/api/deposits/{body['id']}", HTTP_AUTHORIZATION="Bearer faux").status_code
        == 401
    )
    assert client.get(f"/api/deposits/{body['id']}").status_code == 401
    other = factories.organisation("Autre")
    _, other_secret = create_api_token(organisation=other, name="x", by=manager)
    assert (
        client.get(
            f"/api/deposits/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {other_secret}"
        ).status_code
        == 404
    )
    client.force_login(manager)
    client.post(f"/espace/organismes/{demo['university'].pk}/api/{token.pk}/revoquer/")
    assert (
        client.get(f"/api/deposits/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
        == 401
    )


def test_api_tokens_are_shown_once_and_stored_hashed(client, demo, manager):
    client.force_login(manager)
    html = page(client.post(f"/espace/organismes/{demo['university'].pk}/api/", {"name": "ERP"}))
    secret = html.split('id="jeton">')[1].split("<")[0]
    assert secret.startswith("oc_")
    token = demo["university"].api_tokens.get()
    assert secret not in token.key_hash and token.prefix == secret[:10]
    assert secret not in page(client.get(f"/espace/organismes/{demo['university'].pk}/api/"))


def test_cli_deposit_and_check_only(demo, manager, tmp_path, capsys):
    b.person()
    path = tmp_path / "cli.xml"
    path.write_bytes(
        b.deposit_file(
            [b.passage("CLI1"), b.passage("CLI2", identity=b.holder(birth_name="Inconnu"))]
        )
    )
    call_command("deposit", str(path), "--check-only")
    assert "conforme au format (2 passage(s)" in capsys.readouterr().out
    report = tmp_path / "accuse.xml"
    call_command("deposit", str(path), "--user", manager.identifier, "--report-out", str(report))
    out = capsys.readouterr().out
    assert "Traité : 2 passage(s) – 1 OK" in out and "1 KO" in out
    assert b"<idTechnique>CLI2</idTechnique>" in report.read_bytes()
    assert Passage.objects.filter(status="ok").count() == 1


def test_cli_check_only_exits_1_with_the_errors(tmp_path, capsys, db):
    passage = b.passage("X")
    passage["identity"]["sex"] = "H"
    path = tmp_path / "bad.xml"
    path.write_bytes(b.deposit_file([passage]))
    with pytest.raises(SystemExit) as exited:
        call_command("deposit", str(path), "--check-only")
    assert exited.value.code == 1
    assert "valeur « H » non admise" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        call_command("deposit", str(path), "--check-only", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["valid"] is False and result["errors"][0]["line"] > 0


def test_cli_refuses_an_unknown_user(demo, tmp_path):
    path = tmp_path / "x.xml"
    path.write_bytes(b"<a/>")
    with pytest.raises(CommandError, match="Aucun compte actif"):
        call_command("deposit", str(path), "--user", "personne@nulle-part.fr")


def test_sample_needs_activated_rights(demo):
    from opencertif.deposits.samples import NoSample

    with pytest.raises(NoSample, match="Activez"):
        sample_file(factories.organisation("Sans droits"))


def test_a_full_disk_answers_service_unavailable_everywhere(
    client, demo, manager, monkeypatch, tmp_path, capsys
):
    import errno
    import gzip

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gzip, "open", full)
    data = b.deposit_file([b.passage("P1")])
    client.force_login(manager)
    response = client.post(
        "/espace/depots/nouveau/",
        {"organisation": demo["university"].pk, "file": SimpleUploadedFile("a.xml", data)},
    )
    assert response.status_code == 503
    html = page(response)
    assert "momentanément indisponible" in html and "gzip" not in html.lower()
    client.logout()
    token, secret = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    api = client.post(
        "/api/deposits",
        {"file": SimpleUploadedFile("a.xml", data)},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert api.status_code == 503 and "momentanément indisponible" in api.json()["detail"]
    path = tmp_path / "a.xml"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="momentanément indisponible"):
        call_command("deposit", str(path), "--user", manager.identifier)
    assert not Deposit.objects.exists()


def test_an_upload_past_the_limit_is_cut_before_it_is_written(client, demo, manager, settings):
    settings.DEPOSIT_MAX_BYTES = 10_000
    client.force_login(manager)
    upload = SimpleUploadedFile("gros.xml", b"<a>" + b" " * 50_000 + b"</a>")
    html = page(
        client.post(
            "/espace/depots/nouveau/", {"organisation": demo["university"].pk, "file": upload}
        )
    )
    assert "taille maximale d'un dépôt (0 Mo)" in html or "taille maximale" in html
    assert not Deposit.objects.exists()
    token, secret = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    api = client.post(
        "/api/deposits",
        {"file": SimpleUploadedFile("gros.xml", b"<a>" + b" " * 50_000 + b"</a>")},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert api.status_code == 413 and "taille maximale" in api.json()["detail"]
    assert not Deposit.objects.exists()
