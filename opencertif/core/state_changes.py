"""The move of the generic transition log (`core.StateChange`, object type and id as
strings) into one log per workflow with a foreign key (`DepositTransition`…), for the
data migrations of issue 10. They run on the historical models the migrations give, so
the code here names no model of today.

Rows about an object that no longer exists (the generic log had no foreign key, so it
kept them) have nothing to point at and are left out.
"""

BATCH = 2000


def copy_to_logs(apps, *, object_type: str, log: str, subject_field: str) -> None:
    """Copy the StateChange rows of `object_type` ("deposits.deposit") into the log
    model `log` ("deposits.DepositTransition"), in their order, times kept."""
    changes = apps.get_model("core", "StateChange").objects
    model = apps.get_model(log)
    subjects = model._meta.get_field(subject_field).related_model.objects
    rows = changes.filter(object_type=object_type).order_by("id")
    last = 0
    while True:
        # Keyset pages on the primary key. Inserted in the old order, the new ids keep
        # it: ordered by (at, id), the log reads as it did.
        batch = list(rows.filter(id__gt=last)[:BATCH])
        if not batch:
            break
        last = batch[-1].id
        ids = {int(change.object_id) for change in batch if change.object_id.isdigit()}
        existing = set(subjects.filter(pk__in=ids).values_list("pk", flat=True))
        model.objects.bulk_create(
            model(
                **{f"{subject_field}_id": int(change.object_id)},
                at=change.at,
                name=change.transition,
                source=change.from_state,
                target=change.to_state,
                actor_id=change.actor_id,
                note=change.note,
            )
            for change in batch
            if change.object_id.isdigit() and int(change.object_id) in existing
        )


def copy_back(apps, *, object_type: str, log: str, subject_field: str) -> None:
    """The reverse: the log's rows back into StateChange (for a migration backwards)."""
    state_change = apps.get_model("core", "StateChange")
    # The historical field stamps the time of the insert; the rows keep theirs.
    state_change._meta.get_field("at").auto_now_add = False
    model = apps.get_model(log)
    state_change.objects.bulk_create(
        (
            state_change(
                object_type=object_type,
                object_id=str(getattr(entry, f"{subject_field}_id")),
                at=entry.at,
                transition=entry.name,
                from_state=entry.source,
                to_state=entry.target,
                actor_id=entry.actor_id,
                note=entry.note,
            )
            for entry in model.objects.order_by("at", "id").iterator()
        ),
        batch_size=BATCH,
    )
