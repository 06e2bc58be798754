"""Looking after passages: modify, declare, history, and the purge of what they wrote."""

import copy
import datetime

import pytest
import time_machine
from django.utils import timezone

from opencertif.core.models import AuditEntry
from opencertif.deposits import lifecycle
from opencertif.deposits.models import Deposit, DepositAccount, Passage
from opencertif.organisations.models import Organisation
from opencertif.passages import care, listing
from tests import factories
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


def as_data(passage: Passage) -> dict:
    """The passage in the writer's shape, as the form builds it."""
    return {
        "id_technique": passage.id_technique,
        "fields": copy.deepcopy(passage.fields),
        "identity_kind": passage.identity_kind,
        "identity": copy.deepcopy(passage.identity),
    }


def modify(passage: Passage, data: dict, by, *, code=None):
    record, errors = care.read(
        data,
        certification_type=passage.certification_type,
        code=code or passage.certification_code,
    )
    assert errors == []
    return care.modify(passage=passage, record=record, by=by, expected_hash=passage.content_hash)


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


def test_correcting_the_birth_year_turns_a_ko_passage_ok(deposit, manager):
    camille = b.person()
    deposit(b.deposit_file([b.passage("P1", identity=b.holder(year=1991))]))
    passage = Passage.objects.get()
    assert passage.status == "ko" and passage.ko_reason == "identity"
    data = as_data(passage)
    data["identity"]["birth_year"] = 1990
    outcome = modify(passage, data, manager)
    assert outcome.ok
    passage.refresh_from_db()
    assert (passage.status, passage.person, passage.ko_message) == ("ok", camille, "")
    assert passage.identity["birth_year"] == 1990
    event = passage.events.get()
    assert event.kind == "modified" and event.actor == manager
    assert event.changes["birth_year"] == [1991, 1990]
    assert event.changes["status"] == ["ko", "ok"]
    entry = AuditEntry.objects.get(action="passage.modified")
    # The audit says what changed, never the values.
    assert "1990" not in str(entry.changes) and "birth_year" in entry.changes


def test_a_modification_that_would_be_refused_writes_nothing(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    data = as_data(passage)
    data["identity"]["birth_name"] = "Inconnu"
    outcome = modify(passage, data, manager)
    assert not outcome.ok and "Aucun titulaire" in outcome.message
    passage.refresh_from_db()
    assert passage.status == "ok" and passage.identity["birth_name"] == "Martin"
    assert not passage.events.exists()


def test_a_modification_is_checked_against_the_schema(deposit):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    data = as_data(Passage.objects.get())
    data["fields"]["honours"] = "MENTION_EXCELLENTE"
    record, errors = care.read(data, certification_type="RNCP", code="RNCP90001")
    assert record is None and "mentionValidee" in errors[0]


def test_a_modification_can_move_a_passage_to_another_fiche(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    modify(passage, as_data(passage), manager, code="RNCP90002")
    passage.refresh_from_db()
    assert passage.certification.number == "RNCP90002"


def test_concurrent_modifications_the_second_is_refused(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    stale = Passage.objects.get()
    first = as_data(passage)
    first["fields"]["honours"] = "MENTION_TRES_BIEN"
    modify(passage, first, manager)
    second = as_data(stale)
    second["fields"]["honours"] = "SANS_MENTION"
    record, _ = care.read(second, certification_type="RNCP", code="RNCP90001")
    with pytest.raises(care.ConcurrentChange):
        care.modify(passage=stale, record=record, by=manager, expected_hash=stale.content_hash)
    assert Passage.objects.get().fields["honours"] == "MENTION_TRES_BIEN"


def test_declaring_a_passage_makes_a_one_passage_deposit(demo, manager):
    camille = b.person()
    [route] = care.routes_for(Organisation.objects.filter(pk=demo["university"].pk))
    data = b.passage("FORM-1")
    record, errors = care.read(data, certification_type="RNCP", code="RNCP90003")
    assert errors == []
    outcome, deposit = care.declare(route=route, record=record, data=data, by=manager)
    assert outcome.ok and deposit.state == "done" and deposit.channel == "form"
    assert deposit.ok_count == 1 and deposit.uploaded_by == manager
    passage = Passage.objects.get(id_technique="FORM-1")
    assert passage.person == camille and passage.last_deposit == deposit
    assert "Accepté par le dépôt" in care.history(passage)[0].title


def test_a_declaration_that_would_be_refused_stores_nothing(demo, manager):
    [route] = care.routes_for(Organisation.objects.filter(pk=demo["university"].pk))
    data = b.passage("FORM-2", identity=b.holder(birth_name="Zorglub"))
    record, _ = care.read(data, certification_type="RNCP", code="RNCP90003")
    outcome, deposit = care.declare(route=route, record=record, data=data, by=manager)
    assert deposit is None and not outcome.ok
    assert "Aucun titulaire ne correspond aux critères obligatoires" in outcome.message
    assert not Deposit.objects.exists() and not Passage.objects.exists()


def test_a_third_party_declares_for_the_certifier_that_delegated(demo):
    b.person()
    routes = care.routes_for(Organisation.objects.filter(pk=demo["third_party"].pk))
    assert [(r.emitter.id_client, r.certifier.id_client) for r in routes] == [
        ("DEMO0002", "DEMO0001")
    ]
    data = b.passage("TIERS-1")
    record, _ = care.read(data, certification_type="RNCP", code="RNCP90001")
    user = demo["third_party"].memberships.get().user
    outcome, deposit = care.declare(route=routes[0], record=record, data=data, by=user)
    assert outcome.ok and deposit.organisation == demo["third_party"]
    passage = Passage.objects.get()
    assert passage.certifier == DepositAccount.objects.get(id_client="DEMO0001")
    assert listing.of_organisation(demo["third_party"]).filter(pk=passage.pk).exists()
    assert listing.of_organisation(demo["university"]).filter(pk=passage.pk).exists()


def test_a_depositor_only_sees_what_it_deposited(deposit, demo):
    b.person()
    deposit(b.deposit_file([b.passage("BY-UNIV")]))
    deposit(
        b.deposit_file([b.passage("BY-THIRD")], emitter="DEMO0002"),
        organisation=demo["third_party"],
        name="tiers.xml",
    )
    seen = set(listing.of_organisation(demo["third_party"]).values_list("id_technique", flat=True))
    assert seen == {"BY-THIRD"}
    outsider = factories.organisation("Autre organisme")
    assert not listing.of_organisation(outsider).exists()


def test_history_lists_deposits_and_changes_in_order(deposit, manager):
    b.person()
    first = deposit(b.deposit_file([b.passage("P1", identity=b.holder(year=1991))]))
    passage = Passage.objects.get()
    data = as_data(passage)
    data["identity"]["birth_year"] = 1990
    modify(passage, data, manager)
    lifecycle.delete(passage, by=manager, reason="Doublon")
    steps = care.history(passage)
    assert [s.title for s in steps] == [
        f"Refusé par le dépôt n° {first.pk}",
        "Modifié",
        "Supprimé",
    ]
    assert [s.code for s in steps] == ["refused", "modified", "deleted"]
    shown = [(c.label, c.before_label, c.after_label) for c in steps[1].changes]
    assert ("Année de naissance", "1991", "1990") in shown
    # Stored as codes, shown in French.
    assert ("Statut", "Refusé", "Accepté") in shown
    assert steps[2].changes[0].before == "ok" and steps[2].changes[0].after_label == "Supprimé"
    assert steps[2].detail == "Doublon"


def test_identity_hints_name_the_field_never_the_person(deposit):
    b.person(birth_name="Lefebvre")
    deposit(b.deposit_file([b.passage("P1", identity=b.holder(birth_name="Lefevre"))]))
    passage = Passage.objects.get()
    hints = care.identity_hints(passage)
    assert hints and "orthographe du nom de naissance" in hints[0]
    assert "LEFEBVRE" not in " ".join(hints).upper()


def test_a_passage_is_described_in_the_order_of_the_official_form(deposit):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    groups = care.describe(Passage.objects.get())
    labels = [label for label, _ in groups["holder"]]
    assert labels[:3] == ["Nom de naissance", "Nom d'usage", "Prénom"]
    assert [label for label, _ in groups["passage"]][:2] == [
        "Obtention",
        "Résultat définitif (donnée certifiée)",
    ]


def test_the_history_keeps_a_corrected_nir_masked_never_in_clear(deposit, manager):
    b.person(nir="2900575056123")
    identity = {"nir": "2900575056124", "birth_name": "Martin"}
    deposit(b.deposit_file([b.passage("P1", kind="national_id", identity=identity)]))
    passage = Passage.objects.get()
    data = as_data(passage)
    data["identity"]["nir"] = "2900575056123"
    assert modify(passage, data, manager).ok
    event = passage.events.get(kind="modified")
    assert "2900575056124" not in str(event.changes)
    assert "2900575056123" not in str(event.changes)
    assert event.changes["nir"] == ["2 90 05 •• ••• •••", "2 90 05 •• ••• •••"]


def test_the_purge_erases_the_personal_data_of_the_history_too(deposit, manager):
    from opencertif.deposits.models import PassageEvent, PassageResult

    b.person()
    deposit(b.deposit_file([b.passage("P1", identity=b.holder(year=1991))]))
    passage = Passage.objects.get()
    data = as_data(passage)
    data["identity"]["birth_year"] = 1990
    assert modify(passage, data, manager).ok
    lifecycle.delete(passage, by=manager, reason="Erreur")
    result = PassageResult.objects.get()
    assert result.holder_label == "Martin Camille"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert lifecycle.purge_deleted() == 1
    modified = PassageEvent.objects.get(kind="modified")
    assert modified.changes["birth_year"] == ["effacé", "effacé"]
    assert modified.changes["status"] == ["ko", "ok"]
    result.refresh_from_db()
    assert result.holder_label == "" and result.near_misses == []
    assert "Martin" not in str(list(PassageEvent.objects.values_list("changes", flat=True)))
