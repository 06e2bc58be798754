"""Background tasks of the passages app: thin, they take ids and call the services.

The periodic jobs of statistics and reminders are defined beside their services
(`statistics.refresh_statistics`, `compliance.send_deposit_reminders`)."""

from django_tasks import task

from opencertif.passages import bulk_deletions


@task()
def run_bulk_deletion(bulk_id: int) -> None:
    """Delete (or restore) the passages of a mass deletion; resumable, safe twice."""
    bulk_deletions.run(bulk_id)
