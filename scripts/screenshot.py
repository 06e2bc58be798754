"""Screenshots for the README, taken with Debian's headless chromium through Playwright.

Start the site with its demo data first (`make run`), then:

    .venv/bin/python scripts/screenshot.py [http://127.0.0.1:8000]

Public pages first, then pages of the certifier space (as the demo certifier) and of the
back office (as the demo staff member).
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SHOTS = {
    "search.png": "/repertoire/?q=comptabilit%C3%A9&niveau=6",
    "fiche.png": "/repertoire/RNCP90001/",
}
SIGNED_IN = (
    (
        ("gestion@univ-demo.test", "demo-certif-2026"),
        {
            "passages.png": "/espace/passages/",
            "passage.png": "/espace/passages/?q=DEMO-KO-NAISSANCE",
            "declaration.png": "/espace/passages/declarer/",
            "compliance.png": "/espace/conformite/",
        },
    ),
    (
        ("admin@opencertif.test", "demo-admin-2026"),
        {"statistics.png": "/instruction/statistiques/"},
    ),
)


def shoot(page, base: str, shots: dict) -> None:
    for name, path in shots.items():
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / name))
        sys.stdout.write(f"{OUT / name}\n")


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Debian's chromium is needed: sudo apt-get install chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1100}, locale="fr-FR")
        shoot(page, base, SHOTS)
        for (login, password), shots in SIGNED_IN:
            context = browser.new_context(viewport={"width": 1280, "height": 1100}, locale="fr-FR")
            page = context.new_page()
            page.goto(base + "/connexion/")
            page.get_by_label("Adresse électronique ou identifiant").fill(login)
            page.get_by_label("Mot de passe").fill(password)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_load_state("networkidle")
            shoot(page, base, shots)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
