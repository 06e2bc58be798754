"""Whole-file checks: the file is rejected and nothing is stored."""

import gzip
import io

import pytest

from opencertif.deposits import engine, reports
from opencertif.deposits.models import Deposit, Passage, PassageResult
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


def rejected(deposit, data: bytes, **kwargs):
    done = deposit(data, **kwargs)
    assert done.state == "rejected", done.errors
    assert not Passage.objects.exists() and not PassageResult.objects.exists()
    return done.errors


def test_not_xml(deposit):
    errors = rejected(deposit, b"id;nom\n1;Martin\n")
    assert errors[0]["type"] == "XML" and "XML" in errors[0]["message"]


def test_declared_utf8_but_not(deposit):
    data = b.deposit_file([b.passage("P1")]).replace(b"Camille", "Cam\xe9ille".encode("latin-1"))
    errors = rejected(deposit, data)
    assert "UTF-8" in errors[0]["message"]


def test_another_encoding_is_refused(deposit):
    data = b.deposit_file([b.passage("P1")]).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    assert "UTF-8" in rejected(deposit, data)[0]["message"]


def test_wrong_namespace_version(deposit):
    data = b.deposit_file([b.passage("P1")]).replace(b"schema:1.0.0", b"schema:0.0.7")
    error = rejected(deposit, data)[0]
    assert error["type"] == "XSD" and "espace de noms" in error["message"]


def test_schema_errors_come_with_line_column_and_french_advice(deposit):
    passage = b.passage("P1", exam_start="2025-6-2")
    passage["identity"]["sex"] = "H"
    errors = rejected(deposit, b.deposit_file([passage]))
    text = " ".join(e["message"] for e in errors)
    assert "format AAAA-MM-JJ" in text
    assert "valeur « H » non admise ; valeurs possibles : M, F" in text
    assert all(e["line"] > 0 for e in errors)


def test_the_report_of_a_rejected_file_lists_its_errors(deposit):
    from lxml import etree

    passage = b.passage("P1")
    passage["identity"]["sex"] = "H"
    done = deposit(b.deposit_file([passage]))
    xml = "".join(reports.xml_chunks(done)).encode()
    tree = etree.fromstring(xml)
    assert tree.find("erreurs/erreur/type").text == "XSD"
    assert int(tree.find("erreurs/erreur/ligne").text) > 0
    schema = etree.XMLSchema(etree.parse("opencertif/deposits/format/rapport.xsd"))
    assert schema.validate(tree)


def test_emitter_must_be_the_depositing_organisation(deposit, demo):
    errors = rejected(deposit, b.deposit_file([b.passage("P1")], emitter="DEMO0002"))
    assert errors[0]["type"] == "ACCROCHAGE" and "DEMO0002" in errors[0]["message"]


def test_unknown_certifier_or_contract(deposit):
    errors = rejected(deposit, b.deposit_file([b.passage("P1")], contract="MCFCER999999"))
    assert "idContrat MCFCER999999" in errors[0]["message"]


def test_a_depositor_without_delegation_is_refused(deposit, demo):
    from opencertif.deposits.models import Delegation

    Delegation.objects.update(revoked_at="2026-01-01T00:00:00Z")
    errors = rejected(
        deposit,
        b.deposit_file([b.passage("P1")], emitter="DEMO0002"),
        organisation=demo["third_party"],
    )
    assert "n'est pas autorisé à déposer" in errors[0]["message"]


def test_too_many_passages(deposit, settings):
    settings.DEPOSIT_MAX_PASSAGES = 2
    errors = rejected(deposit, b.deposit_file([b.passage(f"P{i}") for i in range(3)]))
    assert errors[0]["type"] == "LIMITE"


def test_a_file_over_the_size_limit_is_not_even_stored(demo, settings):
    settings.DEPOSIT_MAX_BYTES = 1000
    with pytest.raises(engine.DepositRefused, match="taille maximale"):
        engine.receive(
            organisation=demo["university"],
            user=None,
            channel="cli",
            name="gros.xml",
            stream=io.BytesIO(b"<" + b"x" * 5000),
        )
    assert not Deposit.objects.exists()


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE cpf:flux [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE cpf:flux [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_hostile_xml_is_refused_safely(deposit, prolog):
    data = b.deposit_file([b.passage("P1")]).replace(b"?>\n", b"?>\n" + prolog + b"\n", 1)
    error = rejected(deposit, data)[0]
    assert "DOCTYPE" in error["message"]


def test_the_stored_file_is_compressed_with_its_sha256(deposit):
    import hashlib

    from django.core.files.storage import default_storage

    data = b.deposit_file([b.passage("P1")])
    done = deposit(data)
    with gzip.open(default_storage.path(done.stored_path)) as stored:
        assert stored.read() == data
    assert done.sha256 == hashlib.sha256(data).hexdigest() and done.size == len(data)


def test_a_doctype_hidden_behind_a_long_comment_is_still_refused(deposit):
    comment = b"<!-- <x " + b"a" * 70_000 + b" -->"
    prolog = b'<!DOCTYPE cpf:flux [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = b.deposit_file([b.passage("P1")]).replace(b"?>\n", b"?>\n" + comment + prolog, 1)
    error = rejected(deposit, data)[0]
    assert "DOCTYPE" in error["message"] or "prologue" in error["message"]
