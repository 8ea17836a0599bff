"""The HTML inventory in a real browser: Debian's headless Chromium driven by Playwright.

Needs /usr/bin/chromium (`apt-get install chromium`) and Playwright for Python (`pip install
playwright`; its own browser download is never used). Without them the tests skip, except in CI
(env CI set), where they fail. Screenshots go to reports/test-artifacts/.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from auditor.pipeline import scan
from auditor.report import html as html_report
from test_report_html import XSS, xss_inventory

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "reports" / "test-artifacts"
FIXTURES = ("slimy-admin-api", "python-bot-api", "django-shop", "next-prisma-app")
VIEWPORT = {"width": 1280, "height": 800}


def _missing() -> str:
    reasons = []
    if not CHROMIUM.exists():
        reasons.append(f"Debian's chromium is not at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reasons.append("Playwright for Python is not installed (pip install playwright)")
    return "; ".join(reasons)


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # root in containers: Chromium's sandbox needs user namespaces it may not have
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """fixture name -> (inventory, path of its HTML report); plus "xss"."""
    folder = tmp_path_factory.mktemp("html")
    made = {}
    for name in FIXTURES:
        inv = scan(ROOT / "fixtures" / name)
        made[name] = (inv, _write(folder / f"{name}.html", inv, root=ROOT / "fixtures" / name))
    inv = made["slimy-admin-api"][0]
    made["xss"] = (xss_inventory(inv), _write(folder / "xss.html", xss_inventory(inv)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return made


def _write(path: Path, inventory, **options) -> Path:
    out = io.StringIO()
    html_report.render(inventory, out, {k: str(v) for k, v in options.items()})
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


class Opened:
    """A page opened from disk, with every console error, page error and dialog it produced."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request {r.url}"))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def visible_rows(self, table: str = "#findings-table") -> int:
        return self.page.locator(f"{table} tbody tr:not([hidden])").count()

    def column(self, table: str, index: int) -> list[str]:
        return self.page.eval_on_selector_all(
            f"{table} tbody tr:not([hidden])",
            f"rows => rows.map(r => r.cells[{index}].getAttribute('data-v') ?? r.cells[{index}].textContent)")

    def close(self):
        self.context.close()


@pytest.fixture
def opened(browser):
    pages = []

    def open_(path):
        pages.append(Opened(browser, path))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def _in_viewport(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not displayed"
    assert 0 <= box["y"] and box["y"] + box["height"] <= VIEWPORT["height"], (selector, box)
    assert 0 <= box["x"] and box["x"] + box["width"] <= VIEWPORT["width"], (selector, box)


@pytest.mark.parametrize("name", FIXTURES)
def test_first_screen_shows_effort_hot_spots_and_route_impact(reports, opened, name):
    inv, path = reports[name]
    view = opened(path)
    page = view.page
    for selector in ("#card-effort", "#card-findings", "#card-fixable", "#card-verified", "#hot-spots h2",
                     "#hot-spots .mini tbody tr", "#route-impact h2", "#route-table thead",
                     "#route-table tbody tr"):
        _in_viewport(page, selector)
    low = inv.effort["project"]["low_hours"]
    assert f"{low:.1f}".rstrip("0").rstrip(".") in page.inner_text("#card-effort")
    assert inv.effort["by_file"][0]["path"] in page.inner_text("#hot-spots")
    top_route = inv.effort["by_route"][0]
    assert page.locator("#route-table tbody tr").first.get_attribute("id") == f"route-{top_route['route']}"
    page.screenshot(path=str(ARTIFACTS / f"html-{name}-first-screen.png"))
    assert view.errors == [] and view.dialogs == []


@pytest.mark.parametrize("name", FIXTURES)
def test_filter_findings_by_text_and_severity(reports, opened, name):
    inv, path = reports[name]
    view = opened(path)
    page = view.page
    total = len(inv.findings)
    assert view.visible_rows() == total
    target = inv.effort["by_file"][1]["path"]
    page.fill('input[data-filter-for="findings-table"]', target)
    expected = sum(1 for f in inv.findings if target in f"{f.location.path}:{f.location.line}:{f.location.col}"
                   or target in f.message)
    assert 0 < view.visible_rows() == expected < total
    assert page.inner_text('[data-count-for="findings-table"]') == f"{expected} of {total} shown"
    page.fill('input[data-filter-for="findings-table"]', "")
    assert view.visible_rows() == total
    page.select_option('select[data-filter-attr="severity"]', "warning")
    warnings = sum(1 for f in inv.findings if f.severity.value == "warning")
    assert 0 < view.visible_rows() == warnings < total
    assert set(page.eval_on_selector_all("#findings-table tbody tr:not([hidden])",
                                         "rows => rows.map(r => r.dataset.severity)")) == {"warning"}
    page.select_option('select[data-filter-attr="severity"]', "")
    page.fill('input[data-filter-for="route-table"]', "zzz-no-such-route")
    assert view.visible_rows("#route-table") == 0
    assert view.errors == []


def test_clicking_a_header_sorts(reports, opened):
    _, path = reports["slimy-admin-api"]
    view = opened(path)
    page = view.page
    effort = page.locator("#findings-table th", has_text="effort")
    effort.click()
    values = [float(v) for v in view.column("#findings-table", 6)]
    assert values == sorted(values) and values[0] < values[-1]
    assert effort.get_attribute("aria-sort") == "ascending"
    effort.click()
    values = [float(v) for v in view.column("#findings-table", 6)]
    assert values == sorted(values, reverse=True)
    page.locator("#findings-table th", has_text="rule").click()
    rules = view.column("#findings-table", 1)
    assert rules == sorted(rules, key=str.lower)
    page.locator("#route-table th", has_text="route").click()
    routes = [v.lower() for v in view.column("#route-table", 0)]
    assert routes == sorted(routes)
    assert view.errors == []


@pytest.mark.parametrize("name", FIXTURES)
def test_drilldown_opens_and_shows_the_rewrite_diff(reports, opened, name):
    inv, path = reports[name]
    view = opened(path)
    page = view.page
    finding = sorted((f for f in inv.findings if f.rewrite),
                     key=lambda f: (f.location.path, f.location.line, f.location.col, f.rule_id, f.id))[0]
    block = page.locator(f"#f-{finding.id}")
    assert not block.is_visible()  # files start closed
    page.locator(f'#findings-table a[href="#f-{finding.id}"]').click()
    assert block.is_visible()
    details = page.locator("details.file", has=block)
    assert details.evaluate("d => d.open")
    diff = block.locator(".rewrite pre.diff")
    assert diff.is_visible()
    assert diff.locator(".add").count() >= 1
    assert finding.rewrite.splitlines()[0].strip()[:20] in diff.inner_text()
    block.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"html-{name}-drilldown.png"))
    # and a summary click closes and reopens it, as any <details>
    details.locator("summary").first.click()
    assert not block.is_visible()
    details.locator("summary").first.click()
    assert block.is_visible()
    assert view.errors == []


def test_xss_string_renders_as_text(reports, opened):
    _, path = reports["xss"]
    view = opened(path)
    page = view.page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    body = page.inner_text("body")
    assert body.count(XSS) >= 5
    page.wait_for_timeout(200)
    assert view.dialogs == [] and view.errors == []
    bad = reports["xss"][0].findings[0]
    page.locator(f"#f-{bad.id}").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "html-xss.png"))


def test_graph_highlights_and_print_layout(reports, opened):
    _, path = reports["python-bot-api"]
    view = opened(path)
    page = view.page
    node = page.locator("svg.graph .node[data-key^='r']").first
    node.hover()
    assert page.locator("svg.graph.focus").count() == 1
    assert page.locator("svg.graph .edge.on").count() >= 1
    page.locator("#graph").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "html-python-bot-api-graph.png"))
    page.emulate_media(media="print")
    assert page.locator(".controls").first.is_hidden()
    assert page.locator("details.file .finding").first.is_visible()  # closed details print expanded
    assert view.errors == []
