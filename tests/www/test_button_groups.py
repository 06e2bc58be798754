"""In the DSFR, a button with an icon inside a button group shows its text only when the
group says where the icon goes (`fr-btns-group--icon-left` or `--icon-right`): without it
the button is drawn as an icon alone, and a sighted user cannot read what it does."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "opencertif"
GROUP = re.compile(r'<(ul|div) class="(fr-btns-group[^"]*)"[^>]*>(.*?)</\1>', re.S)
ICON_BUTTON = re.compile(r'class="fr-btn\b[^"]*fr-icon-[^"]*"|class="[^"]*fr-icon-[^"]*fr-btn\b')


def test_every_button_group_with_icons_says_where_they_go():
    wrong = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for found in GROUP.finditer(text):
            _tag, classes, body = found.groups()
            # The header's tool links are their own component: text beside the icon.
            if "fr-header__tools-links" in text[max(0, found.start() - 300) : found.start()]:
                continue
            if ICON_BUTTON.search(body) and not re.search(r"--icon-(left|right)", classes):
                line = text.count("\n", 0, found.start()) + 1
                wrong.append(f"{template.relative_to(TEMPLATES)}:{line}: {classes}")
    assert wrong == []
