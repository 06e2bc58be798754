"""Our deposit schema gives the same verdict as the official one.

Every real sample of ../shared/reference/cpf, and single-change probes of a baseline file,
go through the project's XSD and (when the reference folder is present) the official XSD
1.1.5; the verdicts must agree. The expected verdicts of the probes are the official
schema's, as the reference's VALIDATION.md records them, so they hold without the folder.
"""

import re
from pathlib import Path

import pytest
from lxml import etree

from opencertif.deposits.format import reader
from tests.conftest import REFERENCE
from tests.deposits import builders as b

OFFICIAL = REFERENCE / "cpf" / "xsd" / "cdc-deposit-schema-v1.1.5-rebuilt.xsd"


def baseline() -> str:
    passage = b.passage(
        "P1",
        identity=b.holder(first_name2="Julien", birth_town="Paris", birth_country_label="France"),
        proof_url="https://preuve.example/1",
        option_label="Option A",
        exam_mode="EN_PRESENTIEL",
        exam_centre_postal_code="75009",
        score="12.5",
        verbatim="TOSA",
    )
    passage["fields"]["digital_level"] = {
        "overall_score": 500,
        "results": [{"level": 3, "domain": "1", "competence": "2"}],
    }
    passage["fields"]["has_digital_level"] = True
    return b.deposit_file([passage], action="CREATION").decode()


def sub(pattern: str, replacement: str, count: int = 1):
    return lambda text: re.sub(pattern, replacement, text, count=count, flags=re.S)


def drop(tag: str):
    return sub(rf"<cpf:{tag}( [^>]*)?(/>|>.*?</cpf:{tag}>)", "")


def value(tag: str, new: str):
    return sub(rf"(<cpf:{tag}>)[^<]*(</cpf:{tag}>)", rf"\g<1>{new}\g<2>")


def nil(tag: str):
    return sub(rf"<cpf:{tag}>[^<]*</cpf:{tag}>", f'<cpf:{tag} xsi:nil="true"/>')


PROBES = [
    ("baseline", lambda t: t, True),
    ("horodatage Z", value("horodatage", "2022-01-02T10:43:27Z"), False),
    ("horodatage millis", value("horodatage", "2022-01-02T10:43:27.123+01:00"), False),
    ("horodatage -05:00", value("horodatage", "2022-01-02T10:43:27-05:00"), True),
    ("idFlux 51 chars", value("idFlux", "x" * 51), False),
    ("idClient 7 chars", value("idClient", "ABCDEFG"), False),
    ("idContrat 21 chars", value("idContrat", "C" * 21), False),
    ("two certificateur", sub(r"(<cpf:certificateur>.*</cpf:certificateur>)", r"\1\1"), False),
    ("type free text", value("type", "FOO"), True),
    ("natureDeposant TIERS_DE_CONFIANCE", value("natureDeposant", "TIERS_DE_CONFIANCE"), False),
    ("natureDeposant omitted", drop("natureDeposant"), True),
    (
        "empty passageCertifications",
        sub(
            r"<cpf:passageCertifications>.*</cpf:passageCertifications>",
            "<cpf:passageCertifications></cpf:passageCertifications>",
        ),
        False,
    ),
    ("obtentionCertification omitted", drop("obtentionCertification"), True),
    ("donneeCertifiee 1", value("donneeCertifiee", "1"), True),
    ("dateDebutValidite omitted", drop("dateDebutValidite"), True),
    ("dateDebutValidite nil", nil("dateDebutValidite"), True),
    ("dateDebutValidite with tz", value("dateDebutValidite", "2022-01-02+01:00"), False),
    ("dateDebutValidite 2100", value("dateDebutValidite", "2100-01-02"), False),
    (
        "dateFinValidite empty not nil",
        sub(
            r'<cpf:dateFinValidite xsi:nil="true"/>', "<cpf:dateFinValidite></cpf:dateFinValidite>"
        ),
        False,
    ),
    ("scoring empty", value("scoring", ""), False),
    (
        "modalitesInscription nil",
        sub(
            r"<cpf:modalitesInscription>.*?</cpf:modalitesInscription>",
            '<cpf:modalitesInscription xsi:nil="true"/>',
        ),
        True,
    ),
    (
        "modaliteAcces omitted",
        sub(
            r"<cpf:modalitesInscription>.*?</cpf:modalitesInscription>",
            "<cpf:modalitesInscription></cpf:modalitesInscription>",
        ),
        False,
    ),
    (
        "modaliteAcces EQUIVALENCE_(DIPLOME_ETRANGER)",
        value("modaliteAcces", "EQUIVALENCE_(DIPLOME_ETRANGER)"),
        False,
    ),
    ("niveau 0", value("niveau", "0"), False),
    ("scoreGeneral 1001", value("scoreGeneral", "1001"), False),
    ("empty resultats", sub(r"<cpf:resultats>.*?</cpf:resultats>", "<cpf:resultats/>"), True),
    ("identificationTitulaire omitted", drop("identificationTitulaire"), False),
    (
        "titulaire + dossierFormation",
        sub(
            r"</cpf:titulaire>",
            "</cpf:titulaire><cpf:dossierFormation><cpf:idDossier>1"
            "</cpf:idDossier><cpf:nomTitulaire>A</cpf:nomTitulaire><cpf:prenom1Titulaire>B"
            "</cpf:prenom1Titulaire></cpf:dossierFormation>",
        ),
        False,
    ),
    (
        "identifiantNational 13",
        sub(
            r"<cpf:titulaire>.*</cpf:titulaire>",
            "<cpf:identifiantNational><cpf:nir>1900575056123"
            "</cpf:nir><cpf:nomNaissance>A</cpf:nomNaissance></cpf:identifiantNational>",
        ),
        True,
    ),
    (
        "identifiantNational 15 (with key)",
        sub(
            r"<cpf:titulaire>.*</cpf:titulaire>",
            "<cpf:identifiantNational><cpf:nir>190057505612345"
            "</cpf:nir><cpf:nomNaissance>A</cpf:nomNaissance></cpf:identifiantNational>",
        ),
        False,
    ),
    (
        "identifiantNational 2b lowercase",
        sub(
            r"<cpf:titulaire>.*</cpf:titulaire>",
            "<cpf:identifiantNational><cpf:nir>19005"
            "2b056123</cpf:nir><cpf:nomNaissance>A</cpf:nomNaissance></cpf:identifiantNational>",
        ),
        True,
    ),
    ("nomUsage omitted", drop("nomUsage"), False),
    ("moisNaissance omitted", drop("moisNaissance"), False),
    ("moisNaissance nil", nil("moisNaissance"), True),
    ("moisNaissance 13", value("moisNaissance", "13"), False),
    ("anneeNaissance 1899", value("anneeNaissance", "1899"), False),
    ("sexe H", value("sexe", "H"), False),
    ("codeCommuneNaissance omitted", drop("codeCommuneNaissance"), False),
    (
        "codeInsee + codePostal both",
        sub(
            r"</cpf:codeInseeNaissance>",
            "</cpf:codeInseeNaissance><cpf:codePostalNaissance>"
            "<cpf:codePostal>75001</cpf:codePostal></cpf:codePostalNaissance>",
        ),
        False,
    ),
    (
        "codePostal nil",
        sub(
            r"<cpf:codeInseeNaissance>.*?</cpf:codeInseeNaissance>",
            '<cpf:codePostalNaissance><cpf:codePostal xsi:nil="true"/></cpf:codePostalNaissance>',
        ),
        True,
    ),
    ("codeInsee nil", nil("codeInsee"), False),
    ("libelleCommuneNaissance empty", value("libelleCommuneNaissance", ""), False),
    ("libelleCommuneNaissance 60 chars", value("libelleCommuneNaissance", "L" * 60), True),
    (
        "codePaysNaissance 99109 (5)",
        sub(
            r"</cpf:libelleCommuneNaissance>",
            "</cpf:libelleCommuneNaissance><cpf:codePaysNaissance>99109</cpf:codePaysNaissance>",
        ),
        False,
    ),
    (
        "element order shuffled (sexe first)",
        sub(r"(<cpf:titulaire>)(.*?)(<cpf:sexe>[MF]</cpf:sexe>)", r"\1\3\2"),
        True,
    ),
    ("action MODIFICATION", value("action", "MODIFICATION"), False),
    (
        "unknown child element",
        sub(r"</cpf:idClient>", "</cpf:idClient><cpf:coucou>1</cpf:coucou>"),
        False,
    ),
    ("wrong namespace 1.1.5", sub(r"schema:1\.0\.0", "schema:1.1.5"), False),
]


def ours(text: str) -> bool:
    return reader.schema().validate(etree.fromstring(text.encode()))


@pytest.mark.parametrize(("name", "mutate", "expected"), PROBES, ids=[p[0] for p in PROBES])
def test_probe_verdict_matches_the_official_schema(name, mutate, expected):
    text = mutate(baseline())
    if name != "baseline":
        assert text != baseline(), "the probe changed nothing"
    assert ours(text) is expected
    if OFFICIAL.is_file():
        official = etree.XMLSchema(etree.parse(str(OFFICIAL)))
        assert official.validate(etree.fromstring(text.encode())) is expected


@pytest.mark.reference
def test_every_real_sample_gets_the_official_verdict(reference_dir):
    official = etree.XMLSchema(etree.parse(str(OFFICIAL)))
    samples = sorted((reference_dir / "cpf" / "samples").glob("*.xml"))
    assert len(samples) >= 4
    for sample in samples:
        document = etree.parse(str(sample))
        assert reader.schema().validate(document) == official.validate(document), sample.name
        with reader.open_file(sample) as stream:
            envelope, errors = reader.validate(stream)
        assert (errors == []) == official.validate(document), (sample.name, errors)
        with reader.open_file(sample) as stream:
            assert sum(1 for _ in reader.passages(stream, envelope)) == envelope.passage_count


@pytest.mark.reference
def test_the_2026_samples_are_refused_by_the_previous_official_schema(reference_dir):
    previous = etree.XMLSchema(
        etree.parse(str(reference_dir / "cpf" / "xsd" / "cdc-deposit-schema-v1.1.2.xsd"))
    )
    for name in ("certyChain-kit-2026-CREATION.xml", "certyChain-kit-2026-SUPPRESSION.xml"):
        document = etree.parse(str(reference_dir / "cpf" / "samples" / name))
        assert not previous.validate(document)
        assert reader.schema().validate(document)


@pytest.mark.reference
def test_real_processing_reports_fit_our_report_schema(reference_dir):
    schema = etree.XMLSchema(etree.parse(str(Path(reader.__file__).with_name("rapport.xsd"))))
    reports = sorted((reference_dir / "cpf" / "reports").glob("*.xml"))
    assert reports
    for report in reports:
        assert schema.validate(etree.parse(str(report))), (report.name, schema.error_log)
