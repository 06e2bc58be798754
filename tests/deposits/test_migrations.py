"""The split of the deposits app (issue 10) moves tables without losing a row.

A database is migrated back to the last migration before the split (deposits 0010, no
people nor passages app), filled with rows written by the historical models — people,
passages, a deposit, a mass deletion and its history, a reminder, a statistics snapshot,
audit entries and transition logs naming those objects — then migrated forward. Every row
must still be there, with its relations, read through today's models; the schema must be
the one a database built from empty gets (the test database itself, built by the same
migrations): both paths are covered, on SQLite and PostgreSQL.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from opencertif.core import audit
from opencertif.deposits.models import Deposit, Passage, PassageEvent, PassageResult
from opencertif.passages.models import BulkDeletion, ReminderSent, StatisticsSnapshot
from opencertif.people.models import Person, TrainingDossier

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_SPLIT = [("deposits", "0010_mask_history_nir"), ("people", None), ("passages", None)]
MOVED_TABLES = {
    "deposits_person": "people_person",
    "deposits_trainingdossier": "people_trainingdossier",
    "deposits_bulkdeletion": "passages_bulkdeletion",
    "deposits_remindersent": "passages_remindersent",
    "deposits_statisticssnapshot": "passages_statisticssnapshot",
}


def migrate(targets=None):
    """Migrate the test database to `targets` (all the leaves by default); the state's
    historical apps afterwards."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    state = executor.migrate(targets)
    return state.apps


def schema() -> dict[str, tuple]:
    """The tables of the three apps as the database describes them: columns, and every
    constraint and index with its columns, kind, target and name."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if not table.startswith(("deposits_", "people_", "passages_")):
                continue
            columns = sorted(
                (column.name, column.type_code, column.null_ok)
                for column in connection.introspection.get_table_description(cursor, table)
            )
            constraints = sorted(
                (
                    name,
                    tuple(details["columns"]),
                    bool(details["primary_key"]),
                    bool(details["unique"]),
                    bool(details["index"]),
                    bool(details["check"]),
                    tuple(details["foreign_key"] or ()),
                )
                for name, details in connection.introspection.get_constraints(cursor, table).items()
            )
            tables[table] = (columns, constraints)
    return tables


def fill(apps) -> dict:
    """Rows as a database at the last commit before the split holds them."""
    now = timezone.now()
    user = apps.get_model("accounts", "User").objects.create(
        email="gestion@exemple.fr", identifier="ABCDEFGHJ", password="!"
    )
    organisation = apps.get_model("organisations", "Organisation").objects.create(
        name="Université d'avant", name_key="UNIVERSITE D AVANT"
    )
    account = apps.get_model("deposits", "DepositAccount").objects.create(
        organisation=organisation,
        role="certifier",
        id_client="AVANT001",
        id_contract="MCFCER000009",
        activated_at=now,
    )
    person_model = apps.get_model("deposits", "Person")
    camille = person_model.objects.create(
        nir="2900575056123",
        birth_name="Martin",
        first_name1="Camille",
        sex="F",
        birth_year=1990,
        birth_month=5,
        birth_day=12,
        birth_name_key="MARTIN",
        first_name_key="CAMILLE",
        row_digest="d1",
    )
    dossier = apps.get_model("deposits", "TrainingDossier").objects.create(
        dossier_id="D123", person=camille
    )
    deposit = apps.get_model("deposits", "Deposit").objects.create(
        organisation=organisation,
        uploaded_by=user,
        channel="web",
        file_name="avant.xml",
        size=10,
        sha256="0" * 64,
        state="done",
        certifier_account=account,
    )
    bulk = apps.get_model("deposits", "BulkDeletion").objects.create(
        organisation=organisation,
        kind="deposit",
        description="Passages du dépôt",
        reason="Fichier erroné",
        passage_ids=[],
        total=1,
        state="done",
        created_by=user,
    )
    passage_model = apps.get_model("deposits", "Passage")
    common = {
        "certifier": account,
        "certification_type": "RNCP",
        "certification_code": "RNCP90001",
        "content_hash": "h",
        "last_deposit": deposit,
    }
    kept = passage_model.objects.create(id_technique="P1", status="ok", person=camille, **common)
    deleted = passage_model.objects.create(
        id_technique="P2",
        status="deleted",
        status_before_deletion="ok",
        deleted_at=now,
        deleted_by=user,
        deletion_reason="Fichier erroné",
        bulk_deletion=bulk,
        person=camille,
        **common,
    )
    bulk.passage_ids = [deleted.pk]
    bulk.save()
    event = apps.get_model("deposits", "PassageEvent").objects.create(
        passage=deleted, kind="deleted", actor=user, bulk_deletion=bulk, reason="masse"
    )
    result = apps.get_model("deposits", "PassageResult").objects.create(
        deposit=deposit, seq=0, id_technique="P1", ok=True
    )
    reminder = apps.get_model("deposits", "ReminderSent").objects.create(
        organisation=organisation, deadline=datetime.date(2027, 3, 31), days_before=30
    )
    snapshot = apps.get_model("deposits", "StatisticsSnapshot").objects.create(
        data={"version": 2, "passages": 2}, compliance=[{"organisation": organisation.pk}]
    )
    entry = apps.get_model("core", "AuditEntry").objects.create(
        action="passages.bulk_deleted",
        object_type="deposits.bulkdeletion",
        object_id=str(bulk.pk),
        actor=user,
    )
    person_entry = apps.get_model("core", "AuditEntry").objects.create(
        action="person.viewed", object_type="deposits.person", object_id=str(camille.pk)
    )
    change = apps.get_model("core", "StateChange").objects.create(
        object_type="deposits.bulkdeletion",
        object_id=str(bulk.pk),
        transition="finish",
        from_state="running",
        to_state="done",
    )
    content_types = apps.get_model("contenttypes", "ContentType").objects
    return {
        "user": user.pk,
        "organisation": organisation.pk,
        "account": account.pk,
        "person": camille.pk,
        "dossier": dossier.pk,
        "deposit": deposit.pk,
        "bulk": bulk.pk,
        "kept": kept.pk,
        "deleted": deleted.pk,
        "event": event.pk,
        "result": result.pk,
        "reminder": reminder.pk,
        "snapshot": snapshot.pk,
        "entry": entry.pk,
        "person_entry": person_entry.pk,
        "change": change.pk,
        "person_type": content_types.get(app_label="deposits", model="person").pk,
        "bulk_type": content_types.get(app_label="deposits", model="bulkdeletion").pk,
    }


def test_the_split_moves_every_row_with_its_relations():
    fresh = schema()
    try:
        old = migrate(BEFORE_THE_SPLIT)
        with connection.cursor() as cursor:
            tables = set(connection.introspection.table_names(cursor))
        assert set(MOVED_TABLES) <= tables and not set(MOVED_TABLES.values()) & tables
        ids = fill(old)
    finally:
        migrate()

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert set(MOVED_TABLES.values()) <= tables and not set(MOVED_TABLES) & tables
    assert schema() == fresh

    camille = Person.objects.get(pk=ids["person"])
    assert (camille.nir, camille.birth_name_key) == ("2900575056123", "MARTIN")
    assert TrainingDossier.objects.get(pk=ids["dossier"]).person == camille
    kept, deleted = Passage.objects.get(pk=ids["kept"]), Passage.objects.get(pk=ids["deleted"])
    assert kept.person == camille and deleted.person == camille
    assert set(camille.passages.values_list("pk", flat=True)) == {kept.pk, deleted.pk}
    assert kept.last_deposit == Deposit.objects.get(pk=ids["deposit"])
    assert kept.certifier.organisation_id == ids["organisation"]
    bulk = BulkDeletion.objects.get(pk=ids["bulk"])
    assert (bulk.state, bulk.passage_ids, bulk.created_by_id) == ("done", [deleted.pk], ids["user"])
    assert bulk.organisation.bulk_deletions.get() == bulk
    assert deleted.bulk_deletion_id == bulk.pk and deleted.deleted_by_id == ids["user"]
    event = PassageEvent.objects.get(pk=ids["event"])
    assert (event.passage, event.bulk_deletion_id, event.actor_id) == (
        deleted,
        bulk.pk,
        ids["user"],
    )
    assert PassageResult.objects.get(pk=ids["result"]).deposit_id == ids["deposit"]
    reminder = ReminderSent.objects.get(pk=ids["reminder"])
    assert (reminder.organisation_id, reminder.days_before) == (ids["organisation"], 30)
    assert StatisticsSnapshot.objects.get(pk=ids["snapshot"]).data["passages"] == 2
    # What names the models by label follows them: history, transition log, permissions.
    assert [entry.pk for entry in audit.entries_about(bulk)] == [ids["entry"]]
    assert [entry.pk for entry in audit.entries_about(camille)] == [ids["person_entry"]]
    assert [(t.name, t.source, t.target) for t in bulk.transitions.all()] == [
        ("finish", "running", "done")
    ]
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Person).pk == ids["person_type"]
    assert ContentType.objects.get_for_model(BulkDeletion).pk == ids["bulk_type"]
    assert (
        Permission.objects.get(codename="delete_bulkdeletion").content_type_id == ids["bulk_type"]
    )
    assert not ContentType.objects.filter(
        app_label="deposits", model__in=["person", "bulkdeletion", "statisticssnapshot"]
    ).exists()


def test_the_passages_point_at_the_renamed_population_table():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "deposits_passage")
    targets = {
        tuple(details["columns"]): details["foreign_key"]
        for details in constraints.values()
        if details["foreign_key"]
    }
    assert targets[("person_id",)] == ("people_person", "id")
    # A passage names the mass deletion that deleted it by number: the passages app sits
    # above the deposits app, which may not point at its models.
    assert ("bulk_deletion_id",) not in targets
