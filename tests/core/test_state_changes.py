"""The generic transition log (`core.StateChange`) moves into one log per workflow with a
foreign key (issue 10): rows written before the migration are found after it, on their
object, in their order, with their time, actor and note; migrated backwards, the rows of
the new logs go back into StateChange. On SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from opencertif.deposits.models import Deposit, DepositTransition, SheetImport
from opencertif.organisations.models import AccountRequest, JoinRequest
from opencertif.passages.models import BulkDeletion
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_LOGS = [
    ("core", "0004_worker_beat"),
    ("deposits", "0012_bulk_deletions_leave"),
    ("organisations", "0005_reader_role"),
    ("passages", "0001_initial"),
]


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return state.apps


def fill(apps) -> dict:
    """One object of each workflow, and StateChange rows about them as the generic log
    wrote them (type and id as strings)."""
    user = apps.get_model("accounts", "User").objects.create(
        email="agent@exemple.fr", identifier="AGENTAAAA", password="!"
    )
    organisation = apps.get_model("organisations", "Organisation").objects.create(
        name="Organisme d'avant", name_key="ORGANISME D AVANT"
    )
    objects = {
        "deposits.deposit": apps.get_model("deposits", "Deposit").objects.create(
            organisation=organisation,
            channel="web",
            file_name="avant.xml",
            size=10,
            sha256="0" * 64,
            state="done",
        ),
        "deposits.sheetimport": apps.get_model("deposits", "SheetImport").objects.create(
            organisation=organisation, action="deposit", file_name="avant.xlsx", size=10
        ),
        "passages.bulkdeletion": apps.get_model("passages", "BulkDeletion").objects.create(
            organisation=organisation, kind="deposit", description="d", reason="r", state="done"
        ),
        "organisations.accountrequest": apps.get_model(
            "organisations", "AccountRequest"
        ).objects.create(state="accepted"),
        "organisations.joinrequest": apps.get_model("organisations", "JoinRequest").objects.create(
            user=user, organisation=organisation, state="refused"
        ),
    }
    changes = apps.get_model("core", "StateChange").objects
    start = timezone.now() - datetime.timedelta(days=400)
    for position, (object_type, obj) in enumerate(objects.items()):
        for step, (name, source, target) in enumerate([("first", "a", "b"), ("second", "b", "c")]):
            changes.create(
                object_type=object_type,
                object_id=str(obj.pk),
                transition=name,
                from_state=source,
                to_state=target,
                actor=user if step else None,
                note=f"note {position}-{step}",
            )
    # The generic log stamped its rows at insert: give them their past times.
    for number, change in enumerate(changes.order_by("id")):
        changes.filter(pk=change.pk).update(at=start + datetime.timedelta(hours=number))
    # A row about an object deleted since: nothing to point at, left out.
    changes.create(object_type="deposits.deposit", object_id="999999", transition="x")
    return {
        "user": user.pk,
        "start": start,
        **{object_type: obj.pk for object_type, obj in objects.items()},
    }


def test_state_changes_are_found_in_each_workflows_log_after_the_migration():
    try:
        old = migrate(BEFORE_THE_LOGS)
        ids = fill(old)
    finally:
        migrate()

    hour = datetime.timedelta(hours=1)
    for position, (model, object_type) in enumerate(
        [
            (Deposit, "deposits.deposit"),
            (SheetImport, "deposits.sheetimport"),
            (BulkDeletion, "passages.bulkdeletion"),
            (AccountRequest, "organisations.accountrequest"),
            (JoinRequest, "organisations.joinrequest"),
        ]
    ):
        obj = model.objects.get(pk=ids[object_type])
        logged = list(obj.transitions.all())
        assert [(t.name, t.source, t.target, t.actor_id, t.note) for t in logged] == [
            ("first", "a", "b", None, f"note {position}-0"),
            ("second", "b", "c", ids["user"], f"note {position}-1"),
        ], object_type
        assert [t.at for t in logged] == [
            ids["start"] + 2 * position * hour,
            ids["start"] + (2 * position + 1) * hour,
        ]
    # The row about a deposit deleted since was left out.
    assert DepositTransition.objects.count() == 2


def test_migrated_backwards_the_logs_go_back_into_state_changes():
    organisation = factories.organisation()
    request = JoinRequest.objects.create(user=factories.user(), organisation=organisation)
    try:
        request.confirm_email(by=request.user)
        old = migrate(BEFORE_THE_LOGS)
        rows = list(
            old.get_model("core", "StateChange")
            .objects.filter(object_type="organisations.joinrequest")
            .values_list("object_id", "transition", "from_state", "to_state", "actor_id")
        )
        assert rows == [
            (str(request.pk), "confirm_email", "awaiting_activation", "pending", request.user_id)
        ]
    finally:
        migrate()
    # And forward again: the row comes back to its log, once.
    assert [t.name for t in JoinRequest.objects.get(pk=request.pk).transitions.all()] == [
        "confirm_email"
    ]
