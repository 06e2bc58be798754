"""The dependency rule between apps (docs/architecture.md), enforced on every module.

A module depends on an app when it imports it in any form (`import opencertif.x`,
`from opencertif.x import y`, `from opencertif import x`) or names it in a dotted string
(`"opencertif.x.tasks.run"`, `import_module("opencertif.x")`): a dotted string is how a
task, a setting or a URL include reaches code, and it breaks the rule as surely as an
import. The mutation tests below prove that the checker catches each form.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "opencertif"

# The chain, left to right: an app may use the apps to its left, never one to its right.
CHAIN = ("core", "accounts", "organisations", "registry", "people", "deposits", "passages")
DOMAIN = (*CHAIN, "passports", "dossiers", "vae")
_REGISTRY_AND_BELOW = {"core", "accounts", "organisations", "registry"}

ALLOWED = {app: set(CHAIN[:index]) for index, app in enumerate(CHAIN)}
ALLOWED |= {
    "passports": set(CHAIN),
    # Registration requests and the VAE extranet read the registry and what lies below it;
    # never each other, never the deposits, the passages or the passports.
    "dossiers": set(_REGISTRY_AND_BELOW),
    "vae": set(_REGISTRY_AND_BELOW),
    # The demo data generators (for `opencertif demo` and bench/) use the whole domain.
    "demo": set(DOMAIN),
    # The web and the API use the domain, never each other; the web's `demo` command
    # uses the generators.
    "www": {*DOMAIN, "demo"},
    "api": set(DOMAIN),
}

_DOTTED = re.compile(r"^opencertif\.([a-z_]+)(?:\.|$)")


def imported_apps(source: str) -> set[str]:
    """The opencertif apps a module depends on: imports of every form, and dotted strings."""
    apps = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError("relative import")
            module = node.module or ""
            if module == "opencertif":
                names = [f"opencertif.{alias.name}" for alias in node.names]
            else:
                names = [module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value.strip()]
        for name in names:
            found = _DOTTED.match(name)
            # A dotted text names code only when it starts with an app (a salt such as
            # "opencertif.unlock" names none).
            if found and (found.group(1) in ALLOWED or (PACKAGE / found.group(1)).is_dir()):
                apps.add(found.group(1))
    return apps


def modules() -> dict[str, str]:
    """Every module of every app under the rule: relative path → source."""
    return {
        str(module.relative_to(PACKAGE)): module.read_text()
        for app_dir in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and p.name in ALLOWED)
        for module in sorted(app_dir.rglob("*.py"))
    }


def violations(sources: dict[str, str]) -> list[str]:
    found = []
    for path, source in sources.items():
        app = path.split("/", 1)[0]
        for other in sorted(imported_apps(source) - {app}):
            if other in ALLOWED and other not in ALLOWED[app]:
                found.append(f"{path} uses opencertif.{other}")
            elif other not in ALLOWED:
                found.append(f"{path} uses opencertif.{other}, an app the rule does not know")
    return found


def test_every_app_is_covered_by_the_rule():
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "apps.py").exists()}
    assert apps <= set(ALLOWED), apps - set(ALLOWED)


def test_apps_respect_the_dependency_rule():
    assert violations(modules()) == []


def test_the_rule_is_the_documented_chain():
    # Each app's rights, as docs/architecture.md draws them: checked against the table
    # above so that an edit of one without the other fails.
    documented = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    assert " ← ".join(CHAIN) in documented
    assert "passages" not in ALLOWED["deposits"] and "deposits" in ALLOWED["passages"]
    assert "people" in ALLOWED["deposits"] and "deposits" not in ALLOWED["people"]
    assert not {"deposits", "passages", "passports", "people"} & ALLOWED["dossiers"]
    assert "vae" not in ALLOWED["dossiers"] and "dossiers" not in ALLOWED["vae"]
    assert not {"www", "api", "demo"} & set().union(*(ALLOWED[app] for app in DOMAIN))
    assert "api" not in ALLOWED["www"] and "www" not in ALLOWED["api"]


FORBIDDEN_FORMS = [
    "from opencertif.www.views import home",
    "import opencertif.www.views",
    "import opencertif.www",
    "from opencertif import www",
    "from opencertif import api as web_api",
    "TASK = 'opencertif.www.tasks.send'",
    "import importlib\nimportlib.import_module('opencertif.api.urls')",
    "def f():\n    from opencertif.passports import models\n    return models",
    "urlpatterns = [include('opencertif.www.urls')]",
]


@pytest.mark.parametrize("forbidden", FORBIDDEN_FORMS)
def test_a_forbidden_dependency_in_any_form_is_caught(forbidden):
    """Mutation test: the real tree plus one module of the registry with a forbidden use."""
    mutated = {**modules(), "registry/mutant.py": forbidden}
    assert [v for v in violations(mutated) if v.startswith("registry/mutant.py")], forbidden


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [
        ("deposits", "from opencertif.passages import services"),
        ("people", "from opencertif.deposits.models import Passage"),
        ("dossiers", "from opencertif.deposits import engine"),
        ("vae", "from opencertif.dossiers.models import Dossier"),
        ("www", "from opencertif.api.urls import api"),
        ("core", "x = 'opencertif.accounts.models.User'"),
    ],
)
def test_a_dependency_to_the_right_is_caught_for_each_app(app, forbidden):
    mutated = {**modules(), f"{app}/mutant.py": forbidden}
    assert [v for v in violations(mutated) if v.startswith(f"{app}/mutant.py")], forbidden


@pytest.mark.parametrize(
    "allowed",
    [
        "from opencertif.registry import models",
        "x = 'opencertif.core.tasks.run'",
        "text = 'opencertif est une plateforme'",
    ],
)
def test_a_use_to_the_left_or_a_plain_sentence_is_not_a_violation(allowed):
    mutated = {**modules(), "deposits/harmless.py": allowed}
    assert not [v for v in violations(mutated) if v.startswith("deposits/harmless.py")]
