import io

import pytest
from django.core.management import call_command

from opencertif.deposits import engine
from opencertif.organisations.models import Organisation


@pytest.fixture
def demo(db):
    """The demo university (DEMO0001, certifier of RNCP90001…) and the third party (DEMO0002)."""
    call_command("demo", fiches=0)
    return {
        "university": Organisation.objects.get(siret="13000000000013"),
        "third_party": Organisation.objects.get(siret="13000000000021"),
    }


@pytest.fixture
def deposit(demo):
    """Receive and process a file as the university; returns the processed Deposit."""

    def run(data: bytes, *, organisation=None, name="depot.xml"):
        received = engine.receive(
            organisation=organisation or demo["university"],
            user=None,
            channel="cli",
            name=name,
            stream=io.BytesIO(data),
        )
        if not received.is_final:
            engine.process(received.pk)
        received.refresh_from_db()
        return received

    return run
