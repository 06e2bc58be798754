"""Every action the audit trail records has a French label for the staff's log page: the
codes written by the code (literal or built from the lifecycle's verbs) are all known."""

import re
from pathlib import Path

import pytest

from opencertif.www.instruction.audit import ACTION_LABELS, action_label

PACKAGE = Path(__file__).resolve().parents[2] / "opencertif"
LITERAL = re.compile(r'action="([a-z_]+\.[a-z_]+)"')
# lifecycle writes "passage.<verb>" for one passage and "passages.<verb>" for a batch.
LIFECYCLE_VERBS = re.compile(r'action="([a-z_]+)",')


def written_actions() -> set[str]:
    found = set()
    for module in PACKAGE.rglob("*.py"):
        text = module.read_text()
        found |= set(LITERAL.findall(text))
        if module.name == "lifecycle.py":
            for verb in LIFECYCLE_VERBS.findall(text):
                found |= {f"passage.{verb}", f"passages.{verb}"}
    return found


def test_the_code_writes_actions_this_test_can_see():
    assert {"membership.created", "passage.deleted", "passages.purged"} <= written_actions()


@pytest.mark.parametrize("code", sorted(written_actions()))
def test_every_recorded_action_has_a_french_label(code):
    assert code in ACTION_LABELS, code
    assert action_label(code) != code


def test_an_unknown_action_is_shown_as_stored():
    assert action_label("inconnu.action") == "inconnu.action"
