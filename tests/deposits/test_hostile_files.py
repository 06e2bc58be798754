"""Hostile deposit files: every one is refused with a French message, by the engine, the
web, the API and the command line, and none crashes or stalls the process reading it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from opencertif.deposits.models import Deposit, Passage, PassageResult
from opencertif.organisations.services import create_api_token
from tests.deposits import hostile

CORPUS = hostile.corpus()
ROOT = Path(__file__).resolve().parent.parent.parent

FRENCH = re.compile(r"\b(le|la|les|un|une|du|des|est|fichier|élément|entité|caractère)\b", re.I)
ENGLISH = re.compile(
    r"\b(not|expected|found|invalid|error|failed|line|entity|char|tag|document)\b", re.I
)


def assert_french_refusal(message: str) -> None:
    assert FRENCH.search(message), message
    assert not ENGLISH.search(message.split("(détail")[0]), message
    assert "root:" not in message  # nothing of /etc/passwd leaks into the answer


FAMILIES = sorted({name.split("+")[0] if "+" in name else "others" for name in CORPUS})


@pytest.mark.django_db
@pytest.mark.parametrize("family", FAMILIES)
def test_every_hostile_file_is_refused_in_french_and_nothing_is_stored(deposit, family):
    names = [n for n in CORPUS if (n.split("+")[0] if "+" in n else "others") == family]
    assert names
    for name in names:
        done = deposit(CORPUS[name], name=f"{name}.xml")
        assert done.state == "rejected", (name, done.state, done.failure)
        assert done.errors and all(error["type"] in ("XML", "XSD") for error in done.errors)
        assert_french_refusal(done.errors[0]["message"])
    assert not Passage.objects.exists() and not PassageResult.objects.exists()


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


@pytest.mark.django_db(transaction=True)
def test_the_web_refuses_each_family_and_says_why(client, demo, manager):
    client.force_login(manager)
    for name in hostile.REPRESENTATIVE:
        upload = SimpleUploadedFile(f"{name}.xml", CORPUS[name], content_type="application/xml")
        response = client.post(
            "/espace/depots/nouveau/", {"organisation": demo["university"].pk, "file": upload}
        )
        assert response.status_code == 302, name
        deposit = Deposit.objects.order_by("-pk").first()
        assert deposit.state == "rejected", name
        html = client.get(response["Location"]).content.decode()
        assert "Rejeté" in html or "rejeté" in html, name
        assert deposit.errors[0]["message"].split(" :")[0].replace("'", "&#x27;") in html, name


@pytest.mark.django_db(transaction=True)
def test_the_api_refuses_each_family_and_says_why(client, demo, manager):
    secret = create_api_token(organisation=demo["university"], name="logiciel", by=manager)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for name in hostile.REPRESENTATIVE:
        upload = SimpleUploadedFile(f"{name}.xml", CORPUS[name])
        response = client.post("/api/deposits", {"file": upload}, **auth)
        assert response.status_code == 202, (name, response.content)
        state = client.get(f"/api/deposits/{response.json()['id']}", **auth).json()
        assert state["state"] == "rejected", name
        assert_french_refusal(state["errors"][0]["message"])


def _cli(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "opencertif", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
    )


# A process of its own for the files that killed `deposit --check-only` (code 139).
CRASHED_THE_CLI = (
    "internal-entity+plain+utf-16",
    "internal-entity+long-pi+utf-32",
    "billion-laughs+megabyte-comment",
)


@pytest.mark.parametrize("name", CRASHED_THE_CLI)
def test_the_command_line_refuses_them_without_crashing(tmp_path, name):
    path = tmp_path / "depot.xml"
    path.write_bytes(CORPUS[name])
    done = _cli("deposit", "--check-only", str(path))
    # 139 was the segmentation fault of libxml2 on an entity hidden by UTF-16.
    assert done.returncode == 1, (name, done.returncode, done.stderr[-500:])
    assert "fichier non conforme" in done.stderr
    assert_french_refusal(done.stderr.split("–", 1)[1])


@pytest.mark.django_db
def test_the_command_line_refuses_each_family_and_exits_1(tmp_path, capsys, demo, manager):
    for name in hostile.REPRESENTATIVE:
        path = tmp_path / f"{name}.xml"
        path.write_bytes(CORPUS[name])
        with pytest.raises(SystemExit) as checked:
            call_command("deposit", str(path), "--check-only")
        assert checked.value.code == 1
        with pytest.raises(SystemExit) as deposited:
            call_command("deposit", str(path), "--user", manager.identifier)
        assert deposited.value.code == 1
        errors = capsys.readouterr().err
        assert "Fichier rejeté" in errors, name
        assert_french_refusal(errors.split("–", 1)[1])
    assert set(Deposit.objects.values_list("state", flat=True)) == {"rejected"}
