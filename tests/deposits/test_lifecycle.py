"""The functions that change a passage's status: delete, restore, purge (a SUPPRESSION
file's deletions too)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from opencertif.core.models import AuditEntry
from opencertif.deposits import lifecycle
from opencertif.deposits.models import Passage
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


def test_delete_then_restore_brings_the_passage_back_as_it_was(deposit, manager):
    camille = b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    with pytest.raises(lifecycle.PassageError):
        lifecycle.delete(passage, by=manager, reason="  ")
    lifecycle.delete(passage, by=manager, reason="Jury annulé")
    assert passage.status == "deleted" and passage.deletion_reason == "Jury annulé"
    assert not Passage.objects.filter(person=camille, status="ok").exists()
    lifecycle.restore(passage, by=manager)
    assert (passage.status, passage.person, passage.deleted_at) == ("ok", camille, None)
    kinds = list(passage.events.values_list("kind", flat=True))
    assert kinds == ["deleted", "restored"]
    assert (
        AuditEntry.objects.filter(action__in=["passage.deleted", "passage.restored"]).count() == 2
    )


def test_restoring_is_refused_after_30_days_and_the_content_is_purged(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    lifecycle.delete(passage, by=manager, reason="Erreur")
    later = timezone.now() + datetime.timedelta(days=31)
    assert lifecycle.purge_deleted(now=timezone.now()) == 0
    with time_machine.travel(later):
        with pytest.raises(lifecycle.PassageError, match="plus de 30 jours"):
            lifecycle.restore(passage, by=manager)
        assert lifecycle.purge_deleted() == 1
        assert lifecycle.purge_deleted() == 0  # twice: nothing more
    passage.refresh_from_db()
    assert passage.fields == {} and passage.identity == {} and passage.person is None
    assert passage.id_technique == "P1" and passage.purged_at is not None


def test_a_suppression_deposit_can_be_restored_too(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    removal = [
        {"id_technique": "P1", "fields": {}, "identity_kind": "holder", "identity": b.holder()}
    ]
    deposit(b.deposit_file(removal, action="SUPPRESSION"), name="suppr.xml")
    passage = Passage.objects.get()
    assert lifecycle.can_restore(passage)
    lifecycle.restore(passage, by=manager)
    assert passage.status == "ok" and passage.fields["honours"] == "MENTION_BIEN"
