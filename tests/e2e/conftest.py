"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser).

Every page a test visits is checked with axe-core: no serious or critical violation.
Every test using the `page` fixture fails if the browser reports a Content-Security-Policy
violation (an inline script or style, an external asset…) on any page it visited.
`assert_no_overlap(page)` checks that the main content is not drawn over the header or
the footer.
"""

import os
import shutil

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Debian's chromium is not installed: browser tests skipped. Enable them with "
            "`sudo apt-get install chromium` (or set CHROMIUM_PATH)."
        )
    # Playwright's sync API runs an event loop; the ORM calls of the test thread are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Runs in every page before its own scripts (Playwright injects it, so the policy does not
# apply to it): the browser's violation events also reach the console, with their details.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(
        "Content Security Policy violation: " + event.violatedDirective + " blocked " +
        (event.blockedURI || "inline") + " in " + event.sourceFile + ":" + event.lineNumber +
        (event.sample ? " (" + event.sample + ")" : "")
    );
});
"""


def csp_violations(page) -> list[str]:
    """Collect the CSP violations the browser reports for this page, from now on."""
    found: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.add_init_script(_REPORT_CSP_VIOLATIONS)
    page.on("console", on_console)
    return found


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = csp_violations(page)
    yield page
    context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


_OVERLAPS = r"""
([mainSelector, others]) => {
    const main = document.querySelector(mainSelector);
    if (!main) return ["no element " + mainSelector];
    const regions = others
        .map((selector) => [selector, document.querySelector(selector)])
        .filter(([, element]) => element && element.checkVisibility())
        .map(([selector, element]) => [selector, element.getBoundingClientRect()]);
    const clipCache = new Map();
    // The part of the viewport an element's ancestors let it paint into (overflow clips),
    // so that the content of a closed accordion does not count.
    function clipOf(element) {
        if (!element || element === document.documentElement) {
            return {left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity};
        }
        if (clipCache.has(element)) return clipCache.get(element);
        let clip = clipOf(element.parentElement);
        const style = getComputedStyle(element);
        if (style.overflowX !== "visible" || style.overflowY !== "visible") {
            const r = element.getBoundingClientRect();
            clip = {
                left: Math.max(clip.left, r.left), top: Math.max(clip.top, r.top),
                right: Math.min(clip.right, r.right), bottom: Math.min(clip.bottom, r.bottom),
            };
        }
        clipCache.set(element, clip);
        return clip;
    }
    function visibleBox(rect, clip) {
        const box = {
            left: Math.max(rect.left, clip.left), top: Math.max(rect.top, clip.top),
            right: Math.min(rect.right, clip.right), bottom: Math.min(rect.bottom, clip.bottom),
        };
        return box.right - box.left > 1 && box.bottom - box.top > 1 ? box : null;
    }
    function describe(element) {
        const text = (element.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
        return element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
            (element.className && typeof element.className === "string"
                ? "." + element.className.trim().split(/\s+/).join(".") : "") +
            (text ? " « " + text + " »" : "");
    }
    const problems = [];
    function check(box, what) {
        for (const [selector, region] of regions) {
            if (box.left < region.right - 1 && box.right > region.left + 1 &&
                box.top < region.bottom - 1 && box.bottom > region.top + 1) {
                problems.push(what + " overlaps " + selector);
            }
        }
    }
    for (const element of main.querySelectorAll("*")) {
        if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
        const box = visibleBox(element.getBoundingClientRect(), clipOf(element.parentElement));
        if (box) check(box, describe(element));
    }
    // Text can overflow a box that itself stays in place (a fixed height, say).
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim() || !node.parentElement.checkVisibility(
            {opacityProperty: true, visibilityProperty: true})) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const clip = clipOf(node.parentElement);
        for (const rect of range.getClientRects()) {
            const box = visibleBox(rect, clip);
            if (box) check(box, "text « " + node.textContent.trim().slice(0, 60) + " »");
        }
    }
    return problems;
}
"""


def assert_no_overlap(
    page, main: str = "main", others: tuple[str, ...] = ("header", "footer")
) -> None:
    """No visible element or text of the main content intersects the header or the footer.

    Measured with bounding boxes over the whole page (not only the part on screen), at the
    page's current viewport width; what an ancestor clips away (a closed accordion) and
    what is hidden is left out.
    """
    problems = page.evaluate(_OVERLAPS, [main, list(others)])
    width = page.viewport_size["width"] if page.viewport_size else "?"
    assert problems == [], f"{page.url} at {width} px: " + "; ".join(problems[:10])


@pytest.fixture
def check_accessibility():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"{page.url}: " + "; ".join(bad)

    return check
