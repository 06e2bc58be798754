"""Reading a passport: the holder's guaranteed certifications, competences and future,
from the holder's own rows only, in a bounded number of queries."""

import datetime

import pytest

from opencertif.deposits.enums import PassageStatus
from opencertif.passports import passport
from opencertif.registry.enums import LinkKind
from opencertif.registry.models import CertificationLink, RomeCode
from tests.passports import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    organisation, account = pf.certifier("Université de Lille")
    accounting = pf.certification(
        "RNCP81001",
        organisation=organisation,
        blocks=[
            ("RNCP81001BC01", "Tenir la comptabilité", "- Saisir les écritures\n- Lettrer"),
            ("RNCP81001BC02", "Gérer la paie", "Établir les bulletins"),
        ],
    )
    camille = pf.person()
    holder = pf.holder(camille)
    other = pf.person("DURAND", "Léa")
    return {
        "organisation": organisation,
        "account": account,
        "accounting": accounting,
        "camille": camille,
        "holder": holder,
        "other": other,
    }


def test_guaranteed_lists_the_holders_ok_passages_with_what_the_card_shows(world):
    passage = pf.passage(world["account"], world["camille"], world["accounting"])
    [entry] = passport.guaranteed(world["holder"])
    assert entry.passage_id == passage.pk
    assert entry.number == "RNCP81001" and entry.title == "Titre RNCP81001"
    assert entry.level_label.startswith("Niveau 6")
    assert entry.valid_from == datetime.date(2025, 6, 30)
    assert entry.mention == "Mention bien"
    assert entry.certifier == "Université de Lille"


def test_guaranteed_leaves_out_ko_and_deleted_passages_and_other_people(world):
    pf.passage(world["account"], world["camille"], world["accounting"], status=PassageStatus.KO)
    pf.passage(
        world["account"], world["camille"], world["accounting"], status=PassageStatus.DELETED
    )
    pf.passage(world["account"], world["other"], world["accounting"])
    assert passport.guaranteed(world["holder"]) == []


def test_an_unmatched_holder_has_no_guaranteed_certification(world):
    pf.passage(world["account"], world["camille"], world["accounting"])
    assert passport.guaranteed(pf.holder(None)) == []


def test_guaranteed_reads_in_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(15):
        certification = pf.certification(organisation=world["organisation"])
        pf.passage(world["account"], world["camille"], certification)
    with django_assert_max_num_queries(1):
        entries = passport.guaranteed(world["holder"])
    assert len(entries) == 15


def test_competences_group_the_blocks_of_held_rncp_certifications(world):
    pf.passage(world["account"], world["camille"], world["accounting"])
    rs = pf.certification("RS81002", organisation=world["organisation"])
    pf.passage(world["account"], world["camille"], rs)
    [group] = passport.competences(world["holder"])
    assert group.number == "RNCP81001"
    assert [b.label for b in group.blocks] == ["Tenir la comptabilité", "Gérer la paie"]
    assert group.blocks[0].competences == ["Saisir les écritures", "Lettrer"]


def test_future_lists_rome_jobs_and_bridges_by_identical_folded_block_labels(
    world, django_assert_max_num_queries
):
    rome = RomeCode.objects.create(code="M1203", label="Comptabilité")
    world["accounting"].rome_codes.add(rome)
    pf.passage(world["account"], world["camille"], world["accounting"])
    bridge = pf.certification(
        "RNCP81010", blocks=[("B1", "TENIR LA COMPTABILITE", ""), ("B2", "Autre chose", "")]
    )
    inactive = pf.certification("RNCP81011", blocks=[("B1", "Tenir la comptabilité", "")])
    inactive.is_active = False
    inactive.save()
    pf.certification("RNCP81012", blocks=[("B1", "Tenir la comptabilité analytique", "")])
    with django_assert_max_num_queries(5):
        future = passport.future(world["holder"])
    assert [(j.code, j.label, j.through) for j in future.jobs] == [
        ("M1203", "Comptabilité", ["RNCP81001"])
    ]
    assert [(b.number, b.shared_blocks) for b in future.bridges] == [
        (bridge.number, ["Tenir la comptabilité"])
    ]


def test_future_puts_the_exports_official_versions_of_a_held_fiche_first(world):
    pf.passage(world["account"], world["camille"], world["accounting"])
    newer = pf.certification("RNCP81020", blocks=[("B1", "Autre chose", "")])
    withdrawn = pf.certification("RNCP81021")
    withdrawn.is_active = False
    withdrawn.save()
    CertificationLink.objects.create(
        certification=world["accounting"], kind=LinkKind.NEW, other_number=newer.number
    )
    CertificationLink.objects.create(
        certification=world["accounting"], kind=LinkKind.NEW, other_number=withdrawn.number
    )
    CertificationLink.objects.create(
        certification=world["accounting"], kind=LinkKind.OLD, other_number="RNCP00001"
    )
    by_label = pf.certification("RNCP81022", blocks=[("B1", "Gérer la paie", "")])
    bridges = passport.future(world["holder"]).bridges
    assert [(b.number, b.official) for b in bridges] == [
        (newer.number, "Nouvelle version de RNCP81001"),
        (by_label.number, ""),
    ]


def test_split_competences_drops_bullets_and_blank_lines():
    assert passport.split_competences("• Un\n\n2) Deux\n - Trois ") == ["Un", "Deux", "Trois"]
