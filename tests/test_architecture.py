"""The dependency rule between apps (docs/architecture.md), enforced on every import."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "opencertif"
DOMAIN = (
    "core",
    "accounts",
    "organisations",
    "registry",
    "dossiers",
    "deposits",
    "passports",
    "vae",
)

ALLOWED = {
    "core": set(),
    "accounts": {"core"},
    "organisations": {"core", "accounts"},
    "registry": {"core", "accounts", "organisations"},
    "dossiers": {"core", "accounts", "organisations", "registry"},
    "deposits": {"core", "accounts", "organisations", "registry"},
    "passports": {"core", "accounts", "organisations", "registry", "dossiers", "deposits"},
    "vae": {"core", "accounts", "organisations", "registry"},
    "www": set(DOMAIN),
    "api": set(DOMAIN),
}


def imported_apps(source: str) -> set[str]:
    """The opencertif apps a module imports (absolute imports only; relative ones are banned)."""
    apps = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError("relative import")
            names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "opencertif" and len(parts) > 1:
                apps.add(parts[1])
    return apps


def violations() -> list[str]:
    found = []
    for app_dir in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and p.name in ALLOWED):
        app = app_dir.name
        for module in sorted(app_dir.rglob("*.py")):
            for other in imported_apps(module.read_text()) - {app}:
                if other not in ALLOWED[app]:
                    found.append(f"{module.relative_to(PACKAGE)} imports opencertif.{other}")
    return found


def test_every_app_is_covered_by_the_rule():
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "apps.py").exists()}
    assert apps <= set(ALLOWED), apps - set(ALLOWED)


def test_apps_respect_the_dependency_rule():
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "apps"),
    [
        ("from opencertif.www.views import home", {"www"}),
        ("import opencertif.api.urls", {"api"}),
        ("from opencertif.registry import models\nimport os", {"registry"}),
    ],
)
def test_the_checker_sees_imports(source, apps):
    assert imported_apps(source) == apps


def test_a_domain_app_importing_the_web_layer_would_be_caught():
    assert "www" not in ALLOWED["registry"] and "api" not in ALLOWED["core"]
    assert "passports" not in ALLOWED["deposits"]  # no sibling to the right
