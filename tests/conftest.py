import os
from pathlib import Path

import pytest

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
            if "browser" in item.keywords:
                item.add_marker(skip)
