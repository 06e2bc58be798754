"""Links in mails are built by `{% url %}` in the mail templates, prefixed by the site's
address; domain code passes ids and tokens, never a web path (docs/architecture.md)."""

import ast
import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import Resolver404, get_resolver, resolve

PACKAGE = Path(__file__).resolve().parents[2] / "opencertif"
MAIL_TEMPLATES = sorted(PACKAGE.glob("*/templates/mails/*.txt"))

# Templates that still write a path by hand: none. A name goes here only with the issue
# that takes it off again.
PENDING: set[str] = set()

WEB_PATH = re.compile(r"^/(espace|connexion|compte|instruction|repertoire|api|passeport|vae)/")
WEB_LAYERS = {"www", "api"}


def hand_written_links(text: str) -> list[str]:
    """What follows `{{ site_url }}` when it is not a `{% url %}` tag."""
    return [
        text[m.end() : m.end() + 40]
        for m in re.finditer(r"\{\{\s*site_url\s*\}\}", text)
        if not re.match(r"\{%\s*url\s", text[m.end() :])
    ]


def test_there_are_mail_templates_to_check():
    names = {path.name for path in MAIL_TEMPLATES}
    assert {"invitation.txt", "activation.txt", "unlock.txt", "email_change_confirm.txt"} <= names


@pytest.mark.parametrize("template", MAIL_TEMPLATES, ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_mail_templates_build_their_links_with_the_url_tag(template):
    found = hand_written_links(template.read_text())
    if template.name in PENDING:
        assert found, f"{template.name} follows the rule now: take it off PENDING"
    else:
        assert found == [], f"{template}: write {{% url '…' … %}} after {{{{ site_url }}}}"


def test_a_hand_written_link_is_caught():
    assert hand_written_links("Ouvrez {{ site_url }}/espace/organismes/{{ pk }}/")
    assert hand_written_links("Ouvrez {{ site_url }}{{ link }}")
    assert not hand_written_links("Ouvrez {{ site_url }}{% url 'espace:organisation' pk %}")


def _domain_modules():
    for app in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and p.name not in WEB_LAYERS):
        yield from sorted(app.rglob("*.py"))


def web_paths(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if WEB_PATH.match(node.value):
                found.append(node.value)
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and WEB_PATH.match(str(first.value)):
                found.append(str(first.value))
    return found


def test_domain_code_writes_no_web_path():
    found = {
        str(path.relative_to(PACKAGE)): paths
        for path in _domain_modules()
        if (paths := web_paths(path.read_text()))
    }
    assert found == {}


def test_a_web_path_in_domain_code_is_caught():
    assert web_paths('link = f"/espace/invitation/{token}/"')
    assert web_paths('LOGIN = "/connexion/"')
    assert not web_paths('name = "espace:invitation"')


def test_every_url_tag_of_a_mail_names_a_route():
    """A `{% url %}` naming no route would fail only when that mail is sent."""
    names = set()
    for template in MAIL_TEMPLATES:
        names |= set(re.findall(r"\{%\s*url\s+'([^']+)'", template.read_text()))
    assert names
    routes = {
        f"{namespace}:{name}"
        for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items()
        for name in resolver.reverse_dict
        if isinstance(name, str)
    }
    assert names <= routes, names - routes


@pytest.mark.django_db
def test_a_mail_link_rendered_without_a_request_resolves(settings):
    settings.SITE_URL = "https://certif.example.fr"
    text = (
        engines["django"]
        .from_string("{{ site_url }}{% url 'espace:invitation' token %}")
        .render({"site_url": settings.SITE_URL, "token": "abc"})
    )
    assert text == "https://certif.example.fr/espace/invitation/abc/"
    try:
        resolve(text.removeprefix(settings.SITE_URL))
    except Resolver404:  # pragma: no cover - the assertion says it
        pytest.fail(text)
