"""`pgready report` renders a saved inventory without scanning; `pgready scan --format X` writes the
same bytes; the GitHub Action and the example workflow wire the right commands."""
from __future__ import annotations

import io
import json
from importlib import import_module
from pathlib import Path

import pytest
import yaml

from auditor.cli import FORMATS, main
from auditor.report import json as report_json

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "django-shop"


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "inventory.json"
    assert main(["scan", str(FIXTURE), "--format", "json", "-o", str(path), "--fail-on", "never",
                 "--no-progress"]) == 0
    return path


def test_every_format_is_registered():
    assert set(FORMATS) == {"terminal", "json", "html", "sarif", "rdjson", "github", "markdown", "csv"}
    for fmt in FORMATS:
        assert callable(import_module(f"auditor.report.{fmt}").render)


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_renders_the_saved_inventory_like_scan_does(fmt, saved, tmp_path, monkeypatch):
    import auditor.pipeline

    def no_scan(*args, **kwargs):
        raise AssertionError("report must not scan")

    direct = tmp_path / f"scan.{fmt}"
    assert main(["scan", str(FIXTURE), "--format", fmt, "-o", str(direct), "--fail-on", "never", "--no-progress"]) == 0
    monkeypatch.setattr(auditor.pipeline, "scan", no_scan)
    rendered = tmp_path / f"report.{fmt}"
    assert main(["report", str(saved), "--format", fmt, "-o", str(rendered)]) == 0
    out = io.StringIO(newline="")
    import_module(f"auditor.report.{fmt}").render(report_json.load(saved), out, {"path_prefix": ""})
    assert rendered.read_bytes() == out.getvalue().encode("utf-8")
    if fmt != "json":  # the JSON inventory records the root as given on the command line
        assert rendered.read_bytes() == direct.read_bytes()


def test_report_to_standard_output(saved, capsys):
    assert main(["report", str(saved), "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("::") and out.rstrip().splitlines()[-1].startswith("::notice title=pgready::")


@pytest.mark.parametrize("content, reason", [
    (None, "no such inventory"),
    ("not json", "is not JSON"),
    ('{"schema_version": "0.9"}', "inventory schema version"),
    ('{"schema_version": "1.0"}', "does not match the pgready inventory schema"),
])
def test_missing_or_invalid_inventory_is_one_line_and_exit_2(content, reason, tmp_path, capsys):
    path = tmp_path / "inventory.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["report", str(path), "--format", "sarif"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("pgready: error: ") and reason in captured.err
    assert captured.err.count("\n") == 1


def test_directory_and_bad_baseline(saved, tmp_path, capsys):
    assert main(["report", str(tmp_path), "--format", "csv"]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["report", str(saved), "--format", "markdown", "--baseline", str(tmp_path / "nope.json")]) == 2
    assert "no such baseline inventory" in capsys.readouterr().err


def test_fail_on(saved):
    assert main(["report", str(saved), "--format", "csv", "-o", "/dev/null"]) == 0
    assert main(["report", str(saved), "--format", "csv", "-o", "/dev/null", "--fail-on", "error"]) == 1


def test_baseline_tells_new_from_existing(saved, tmp_path, capsys):
    doc = json.loads(saved.read_text(encoding="utf-8"))
    old = dict(doc, findings=doc["findings"][:5])
    base = tmp_path / "base.json"
    base.write_text(json.dumps(old), encoding="utf-8")
    assert main(["report", str(saved), "--format", "markdown", "--baseline", str(base)]) == 0
    text = capsys.readouterr().out
    rows = {line.split("|")[1].strip(): line.split("|")[-2].strip() for line in text.splitlines()
            if line.startswith(("| new |", "| existing |"))}
    assert rows == {"new": str(len(doc["findings"]) - 5), "existing": "5"}


def test_path_prefix_moves_every_path(saved, capsys):
    assert main(["report", str(saved), "--format", "sarif", "--path-prefix", "services/shop/"]) == 0
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert results and all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                           .startswith("services/shop/") for r in results)


def test_help_lists_formats(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = capsys.readouterr().out
    for word in ("INVENTORY.json", "--format", "--baseline", "--path-prefix", "sarif", "rdjson", "markdown"):
        assert word in text


# -- the GitHub Action ------------------------------------------------------------------------------

def _runs(steps) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps)


def test_action_is_a_composite_that_scans_uploads_and_reviews():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    assert all("shell" in step for step in steps if "run" in step)
    script = _runs(steps)
    assert "pip install" in script and "pgready scan" in script and "--format json" in script
    assert "--format sarif -o pgready.sarif" in script
    assert "--format rdjson" in script and "reviewdog -f=rdjson" in script
    assert "-reporter=github-pr-review" in script and '--fail-on "$FAIL_ON"' in script
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("reviewdog/action-setup@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "pgready.sarif"
    # inputs reach scripts through the environment, never pasted into the script text
    assert "${{" not in script
    # every format the action asks for exists
    for fmt in ("json", "sarif", "rdjson", "markdown"):
        assert fmt in FORMATS


def test_example_workflow_runs_the_action_on_pull_requests():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pgready-example.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"]["security-events"] == "write"
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["pgready"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    action = next(s for s in steps if s.get("uses") == "./")
    assert (ROOT / action["with"]["path"]).is_dir() and action["with"]["fail-on"] in ("error", "warning", "info", "never")
