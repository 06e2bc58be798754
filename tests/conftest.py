import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

REFERENCE = Path(__file__).resolve().parent.parent.parent / "shared" / "reference"


@pytest.fixture
def reference_dir() -> Path:
    """The real files of ../shared/reference; tests using it skip when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference folder {REFERENCE} absent: conformance test skipped")
    return REFERENCE


def pytest_collection_modifyitems(config, items):
    if os.environ.get("OPENCERTIF_SKIP_BROWSER"):
        skip = pytest.mark.skip(reason="browser tests already ran once (OPENCERTIF_SKIP_BROWSER)")
        for item in items:
            if "browser" in item.keywords or "once" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def demo(db):
    """The demo university (DEMO0001, certifier of RNCP90001…) and the third party (DEMO0002)."""
    from opencertif.organisations.models import Organisation

    call_command("demo", fiches=0, passages=False)
    return {
        "university": Organisation.objects.get(siret="00000001800010"),
        "third_party": Organisation.objects.get(siret="00000002600013"),
    }


@pytest.fixture
def deposit(demo):
    """Receive and process a file as the university; returns the processed Deposit."""

    from opencertif.deposits import engine

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
