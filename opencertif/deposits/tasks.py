"""Background tasks of the deposits: thin, they take ids and call the engine or the services."""

from django_tasks import task

from opencertif.deposits import engine, lifecycle
from opencertif.deposits.sheets import imports as sheet_imports


@task()
def process_deposit(deposit_id: int) -> None:
    """Process (or resume) a deposit; running it twice does no harm."""
    engine.process(deposit_id)


@task()
def purge_deleted_passages() -> None:
    """Daily: erase what remains of passages deleted more than 30 days ago."""
    lifecycle.purge_deleted()


@task()
def purge_deposit_files() -> None:
    """Daily: erase the stored files of deposits past DEPOSIT_FILE_RETENTION_DAYS."""
    engine.purge_stored_files()


@task()
def convert_sheet(import_id: int) -> None:
    """Convert an uploaded spreadsheet (deposit or XML file); resumable, safe twice."""
    sheet_imports.run(import_id)
