"""A scan keeps the cyclic garbage collector out of the way (`pipeline.batch_gc`): the per-file pass
runs with the collector off, which is only safe if that pass leaves no reference cycles holding
trees or facts (they would stay in memory until the scan ends), and a scan must leave the
collector as it found it (library callers scan many times in one process)."""
import gc
from pathlib import Path

import pytest

from auditor.discover import discover
from auditor.fileparse import parse_source
from auditor.pipeline import batch_gc, scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _cyclic_garbage(sources) -> list:
    """What parsing `sources` leaves that only the cyclic collector could free."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        kept = [parse_source(s) for s in sources]
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        (gc.enable if enabled else gc.disable)()
    assert all(p is not None for p in kept)
    return found


def _ours(obj) -> bool:
    """A frontend's object, a fact, or a tree-sitter tree or node (what a leak would hold on to)."""
    module = getattr(type(obj), "__module__", "") or ""
    if module.startswith(("auditor", "tree_sitter")):
        return True
    owner = getattr(obj, "__self__", None)  # a bound method keeps its object
    return owner is not None and getattr(type(owner), "__module__", "").startswith("auditor")


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_the_per_file_pass_leaves_no_cycles_holding_facts_or_trees(fixture):
    sources, _ = discover(FIXTURES / fixture, None)
    _cyclic_garbage(sources)  # the first pass also imports modules (class creation makes cycles)
    leaked = [o for o in _cyclic_garbage(sources) if _ours(o)]
    assert not leaked, f"reference cycles of the per-file pass hold {sorted({type(o).__qualname__ for o in leaked})}"


def test_route_extraction_keeps_no_cycle(tmp_path):
    """The route extractor once kept a bound method in its helpers: every Express module's tree
    stayed alive until a full collection (180 MB on a 3,000-file codebase)."""
    (tmp_path / "app.js").write_text(
        "const express = require('express');\nconst router = express.Router();\n"
        "router.get('/users/:id', async (req, res) => { res.json(await db.query('SELECT 1')); });\n"
        "module.exports = router;\n", encoding="utf-8")
    sources, _ = discover(tmp_path, None)
    _cyclic_garbage(sources)
    assert [o for o in _cyclic_garbage(sources) if _ours(o)] == []


def test_a_scan_leaves_the_collector_as_it_found_it():
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    inventory = scan(FIXTURES / "slimy-admin-api")
    assert inventory.findings
    assert (gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()) == (threshold, enabled, 0)


def test_a_scan_inside_a_batch_keeps_its_objects_frozen_until_the_batch_ends():
    """The CLI opens a batch around scan + report: the facts stay out of the collector's sight
    while the report is written, and are handed back to it when the command is done."""
    threshold = gc.get_threshold()
    with batch_gc():
        scan(FIXTURES / "next-prisma-app")
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold


def test_a_failed_scan_restores_the_collector(tmp_path, monkeypatch):
    import auditor.fileparse as fileparse

    def boom(*args, **kwargs):
        raise RuntimeError("frontend exploded")

    monkeypatch.setattr(fileparse, "parse_sources", boom)
    (tmp_path / "a.js").write_text("db.query('SELECT 1')\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        scan(tmp_path)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_objects_a_caller_froze_stay_frozen():
    """A server that gc.freeze()s its start-up objects before forking keeps them frozen."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        scan(FIXTURES / "django-shop")
        after = gc.get_freeze_count()  # (a frozen object freed meanwhile leaves the count)
        assert 0 < after <= frozen and after > frozen * 0.9  # neither unfrozen nor the scan's frozen
    finally:
        gc.unfreeze()
