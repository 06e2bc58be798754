"""Screenshots for the README, taken with Debian's headless chromium through Playwright.

Start the site first (`make run`), then:

    .venv/bin/python scripts/screenshot.py [http://127.0.0.1:8000]
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
        for name, path in SHOTS.items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name))
            sys.stdout.write(f"{OUT / name}\n")
        browser.close()


if __name__ == "__main__":
    main()
