"""Credentials in scanned code never reach any output."""
from __future__ import annotations

import io
import json

from auditor.pipeline import scan_text
from auditor.redact import redact
from auditor.report import json as json_report
from auditor.report import terminal

CODE = """const mysql = require('mysql2/promise');
const pool = mysql.createPool({ uri: 'mysql://admin:hunter2@db.internal:3306/slimy', multipleStatements: true });
const other = mysql.createPool({ host: 'db', password: 's3cr3t-pw', namedPlaceholders: true });
pool.query("SELECT * FROM users WHERE token = 'mysql://u:pw9@x/y'");
"""


def test_no_output_format_contains_a_credential():
    inventory = scan_text(CODE, "db.js")
    assert {f.rule_id for f in inventory.findings} >= {"DRV006", "DRV007", "SEM001"}
    for reporter in (json_report, terminal):
        out = io.StringIO()
        reporter.render(inventory, out, {})
        text = out.getvalue()
        for secret in ("hunter2", "s3cr3t-pw", "pw9"):
            assert secret not in text, (reporter.__name__, secret)
    document = json.loads(_render_json(inventory))
    assert "admin:***@db.internal" in json.dumps(document)


def _render_json(inventory) -> str:
    out = io.StringIO()
    json_report.render(inventory, out, {})
    return out.getvalue()


def test_redact_keeps_everything_but_the_secret():
    assert redact("DB_URL=mysql://user:password@127.0.0.1:3306/slimy") == "DB_URL=mysql://user:***@127.0.0.1:3306/slimy"
    assert redact("{ password: 'x y z', user: 'root' }") == "{ password: '***', user: 'root' }"
    assert redact("MYSQL_ROOT_PASSWORD=changeme rest") == "MYSQL_ROOT_PASSWORD=*** rest"
    assert redact("SELECT * FROM users WHERE id = ?") == "SELECT * FROM users WHERE id = ?"
    assert redact("mysql://host-only/db") == "mysql://host-only/db"
