"""The self-contained HTML inventory (auditor/report/html.py), read as text and parsed HTML.

The browser half (real headless Chromium) is tests/test_browser_html.py."""
from __future__ import annotations

import dataclasses
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.model import Diagnostic, Item, Location, Verdict
from auditor.pipeline import scan
from auditor.report import html as html_report
from auditor.report import json as json_report
from auditor.report.html_base import esc
from auditor.report.html_files import diff

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "slimy-admin-api"
XSS = "</script><img src=x onerror=alert(1)>"


def render(inventory, **options) -> str:
    out = io.StringIO()
    html_report.render(inventory, out, options or None)
    return out.getvalue()


class Tags(HTMLParser):
    """Every start tag and its attributes, and the page's visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


def parse(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


def xss_inventory(inv):
    """The inventory with the attack string in every kind of scanned text a report shows."""
    first = next(f for f in inv.findings if f.rewrite and f.site_id)
    loc = dataclasses.replace(first.location, path=f"routes/{XSS}.js")
    bad = dataclasses.replace(first, message=f"message {XSS}", evidence=XSS, code=f"db.query('{XSS}')",
                              location=loc, function=XSS, suggestion=f"suggest {XSS}", rewrite=f"SELECT '{XSS}'",
                              fix_reasons=(XSS,))
    route = dataclasses.replace(inv.routes[0], path=f"/api/{XSS}", handler=XSS)
    rules = tuple(dict(r, title=f"title {XSS}") if r["id"] == first.rule_id else r for r in inv.rules)
    return dataclasses.replace(
        inv, findings=(bad,) + tuple(f for f in inv.findings if f is not first), routes=(route,) + inv.routes[1:], rules=rules,
        tables=inv.tables + ({"name": XSS, "reads": [first.site_id], "writes": [], "routes": [route.id]},),
        items=inv.items + (Item("table", XSS, "schema", loc, 3, XSS),),
        diagnostics=(Diagnostic(loc.path, "syntax-error", XSS, 1),),
        verdicts=(Verdict(first.site_id, "differs", XSS, mysql_sql=XSS, pg_sql=XSS, only_mysql=((XSS,),)),),
    )


@pytest.fixture(scope="module")
def inventory():
    return scan(FIXTURE)


@pytest.fixture(scope="module")
def page(inventory):
    return render(inventory)


def test_deterministic_and_same_from_saved_json(inventory, page, tmp_path):
    assert render(inventory) == page
    saved = tmp_path / "inventory.json"
    with saved.open("w", encoding="utf-8") as out:
        json_report.render(inventory, out)
    loaded = json_report.load(saved)
    assert render(loaded) == page  # `pgready report INVENTORY.json --format html` needs no re-scan
    shuffled = dataclasses.replace(inventory, findings=inventory.findings[::-1], sites=inventory.sites[::-1],
                                   routes=inventory.routes[::-1], items=inventory.items[::-1],
                                   tables=inventory.tables[::-1], rules=inventory.rules[::-1])
    assert render(shuffled) == page


def test_self_contained(page):
    tags = parse(page)
    assert not [t for t, a in tags.tags if t in ("link", "img", "iframe", "object", "embed")]
    assert not [a for t, a in tags.tags if "src" in a]  # inline script and style only
    assert [t for t, _ in tags.tags].count("script") == 1
    assert [t for t, _ in tags.tags].count("style") == 1
    style = page[page.index("<style>"): page.index("</style>")]
    assert "url(" not in style and "@import" not in style
    # the only external addresses are links in the rule reference, never loaded
    for tag, attrs in tags.tags:
        href = attrs.get("href")
        if href is not None and not href.startswith("#"):
            assert tag == "a" and href.startswith(("https://", "http://")), (tag, attrs)
    assert "default-src 'none'" in page
    assert page.isascii()  # any stream encoding will do; non-ASCII text is written as &#N;


def test_non_ascii_text_survives(inventory):
    first = inventory.findings[0]
    odd = dataclasses.replace(first, message="Überprüfung — 表 ✓ \U0001f600")
    page = render(dataclasses.replace(inventory, findings=(odd,)))
    assert page.isascii()
    assert "Überprüfung — 表 ✓ \U0001f600" in "".join(parse(page).text)


def test_first_screen_numbers(inventory, page):
    counts = json_report.summarize(inventory)
    project = inventory.effort["project"]
    text = " ".join(parse(page).text)
    assert "Estimated effort" in text
    assert f"{project['low_hours']:.1f}" in text  # 98.6-276 h
    assert str(counts["findings"]) in text
    safe = counts["by_fix_safety"]["safe"]
    assert f"{round(100 * safe / counts['findings'])}%" in text
    assert "not verified" in text
    for category in counts["by_category"]:
        assert f'<span class="cat">{category}</span>' in page
    first_screen = page[page.index('id="overview"'): page.index('id="table-usage"')]
    top_file = inventory.effort["by_file"][0]["path"]
    assert top_file in first_screen
    assert "Route impact" in first_screen and 'id="route-table"' in first_screen
    top_route = inventory.effort["by_route"][0]
    assert f'id="route-{top_route["route"]}"' in first_screen


def test_sections_and_drilldown(inventory, page):
    for section_id in ("overview", "hot-spots", "route-impact", "table-usage", "findings", "files",
                       "verification", "items", "graph", "rules"):
        assert f'<section id="{section_id}"' in page or f'id="{section_id}"' in page, section_id
    rows = re.findall(r'<tr data-severity="', page)
    assert len(rows) == len(inventory.findings)
    for finding in inventory.findings[:50]:
        assert f'id="f-{finding.id}"' in page
    fired = {f.rule_id for f in inventory.findings}
    assert {r["id"] for r in inventory.rules} >= fired
    for rule_id in fired:
        assert f'id="rule-{rule_id}"' in page
    assert '<pre class="diff">' in page and '<span class="add">+' in page
    assert page.count('<details class="file"') == len({f.location.path for f in inventory.findings})
    assert "<svg" in page and 'class="edge"' in page
    for table in inventory.tables:
        assert f">{esc(table['name'])}<" in page


def test_every_scanned_string_is_escaped(inventory):
    page = render(xss_inventory(inventory))
    tags = parse(page)
    assert not [t for t, _ in tags.tags if t == "img"]
    assert [t for t, _ in tags.tags].count("script") == 1
    assert "<img" not in page and "</script><img" not in page
    assert "onerror=alert(1)" in page  # there, as text
    assert esc(XSS) in page
    text = "".join(tags.text)
    assert text.count(XSS) >= 8  # message, evidence, path, route, table, item, rule, diagnostic, verdict...
    for tag, attrs in tags.tags:
        assert "onerror" not in attrs, (tag, attrs)


def test_verdicts_give_the_verified_share(inventory):
    sites = sorted({f.site_id for f in inventory.findings if f.site_id})[:4]
    verdicts = tuple(Verdict(s, "equivalent" if i < 3 else "differs", "same rows" if i < 3 else "1 row differs",
                             only_mysql=(("1", "a"),) if i == 3 else ()) for i, s in enumerate(sites))
    page = render(dataclasses.replace(inventory, verdicts=verdicts))
    card = page[page.index('id="card-verified"'): page.index('id="card-categories"')]
    assert "75%" in card and "3 of 4 replayed sites" in card
    assert 'class="badge verdict-equivalent"' in page and 'class="badge verdict-differs"' in page
    assert "Verified:" in page  # in the drill-down, next to the finding


def test_empty_inventory_renders():
    from auditor.model import Inventory

    page = render(Inventory("1.0", "0.0.0", "empty", (), (), (), (), (), ()))
    assert "No findings" in page and "not verified" in page and page.rstrip().endswith("</html>")
    assert "<svg" not in page


def test_source_context_only_under_root(inventory):
    with_root = render(inventory, root=str(FIXTURE))
    without = render(inventory)
    assert with_root != without
    finding = next(f for f in inventory.findings if f.location.line > 3 and f.location.path.endswith(".js"))
    source = (FIXTURE / finding.location.path).read_text(encoding="utf-8").splitlines()
    before = source[finding.location.line - 2]
    if before.strip():
        assert esc(before) in with_root
    outside = dataclasses.replace(inventory.findings[0], location=Location("../../../../etc/passwd", 1, 1, 1, 2),
                                  code="x")
    page = render(dataclasses.replace(inventory, findings=(outside,)), root=str(FIXTURE))
    assert "root:" not in page


def test_diff_marks_changes_and_escapes():
    out = diff("SELECT `a` FROM t WHERE x = ?", "SELECT a FROM t WHERE x = $1")
    assert out.count('class="del"') == 1 and out.count('class="add"') == 1
    assert "<del>`</del>a<del>`</del>" in out and "<ins>$1</ins>" in out
    multi = diff("A\nB <x>\nC", "A\nC\nD")
    assert '<span class="ctx"> A</span>' in multi and "&lt;x&gt;" in multi and "<x>" not in multi
