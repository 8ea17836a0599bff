"""Facts cross process boundaries (the --jobs worker pool) and go into the cache as pickles: every
record must come back equal, with its class, whatever fields it was built with."""
import pickle
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

import auditor.facts as facts_module
from auditor.discover import discover
from auditor.fileparse import parse_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RECORDS = sorted((v for v in vars(facts_module).values()
                  if isinstance(v, type) and is_dataclass(v) and v.__module__ == facts_module.__name__),
                 key=lambda c: c.__name__)


def test_every_record_class_pickles_as_a_call_of_itself():
    assert len(RECORDS) > 30
    for cls in RECORDS:
        reduced = cls.__reduce__
        assert reduced is not object.__reduce__, f"{cls.__name__} pickles through dataclasses' slow state"


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_the_facts_of_every_fixture_file_come_back_equal(fixture):
    sources, _ = discover(FIXTURES / fixture, None)
    parsed = [parse_source(s) for s in sources]
    assert any(p.facts is not None for p in parsed)
    for p in parsed:
        again = pickle.loads(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == p and type(again.facts) is type(p.facts)


def test_a_record_keeps_fields_left_at_their_defaults_and_given_ones():
    piece = facts_module.Piece("hole", "x", 3, 4, False, True, 3, 5, "lib/db.js")
    assert pickle.loads(pickle.dumps(piece)) == piece
    ref = facts_module.Ref((0,), "pool")
    back = pickle.loads(pickle.dumps(ref))
    assert back == ref and [getattr(back, f.name) for f in fields(back)] == [(0,), "pool", 0, 0, 0, 0]
    member = facts_module.Member(ref, "query")  # nested records
    assert pickle.loads(pickle.dumps(member)) == member
