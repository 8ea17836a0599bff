"""Shared by every `pgready verify` test: where the real servers are, and what to do when they
do not answer. In CI (env CI set) a silent server is a failure, never a skip, so a broken CI
machine cannot pass by testing nothing; on a developer machine the tests skip with the reason."""
from __future__ import annotations

import os

import pytest

from auditor.verify.engines import DEFAULT_MYSQL_URL, DEFAULT_PG_URL, VerifyError, scratch_databases


def mysql_url() -> str:
    return os.environ.get("PGREADY_MYSQL_URL") or DEFAULT_MYSQL_URL


def pg_url() -> str:
    return os.environ.get("PGREADY_PG_URL") or DEFAULT_PG_URL


def servers_up() -> str | None:
    """None when both servers answer a real connection (and a catalog query), else the reason,
    with any password masked."""
    try:
        scratch_databases(mysql_url(), pg_url(), connect_timeout=3)
    except VerifyError as exc:
        return str(exc)
    return None


def require_servers() -> None:
    """Call at the start of a test (or fixture) that needs both servers."""
    reason = servers_up()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"verify tests need both servers: {reason}", pytrace=False)
    pytest.skip(f"verify tests need both servers: {reason}")
