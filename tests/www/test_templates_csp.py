"""No template carries what the Content-Security-Policy refuses.

The browser tests fail on any violation of the pages they visit; this test also covers the
pages they do not visit: no inline script, no event-handler attribute, no style attribute
or <style> element, no javascript: URL.
"""

import re
from pathlib import Path

import pytest

import opencertif

PACKAGE = Path(opencertif.__file__).parent
TEMPLATES = sorted(
    path for path in PACKAGE.glob("**/templates/**/*.html") if "/mails/" not in path.as_posix()
)
REFUSED = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")"),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "htmx inline handler": re.compile(r"\bhx-on\b|hx-on:|hx-vals=[\"']js:", re.IGNORECASE),
}


def test_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_template_has_nothing_the_csp_refuses(path):
    text = path.read_text()
    found = [
        f"{what}: line {text.count(chr(10), 0, match.start()) + 1}"
        for what, pattern in REFUSED.items()
        for match in pattern.finditer(text)
    ]
    assert found == [], f"{path}: {found}"
