"""Background tasks: thin, they take ids and call the engine."""

from django_tasks import task

from opencertif.deposits import engine


@task()
def process_deposit(deposit_id: int) -> None:
    """Process (or resume) a deposit; running it twice does no harm."""
    engine.process(deposit_id)
