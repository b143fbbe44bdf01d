"""Recorded durations match this run's node ids wherever either run started from."""

from __future__ import annotations

from mmpgate.shard.durations import Durations, describe, match

RECORDED = {
    "tests/unit/test_a.py::test_one": 1.0,
    "tests/unit/test_a.py::TestX::test_two[1]": 2.0,
    "other/unit/test_b.py::test_same": 3.0,
    "more/unit/test_b.py::test_same": 4.0,
}


def test_exact_node_ids_match():
    """A node id written the same way takes its recorded seconds."""
    assert match(["tests/unit/test_a.py::test_one"], RECORDED) == {
        "tests/unit/test_a.py::test_one": 1.0
    }


def test_a_run_from_a_sub_directory_matches_by_path_suffix():
    """`unit/test_a.py::...` (rootdir one level down) matches `tests/unit/test_a.py::...`."""
    found = match(["unit/test_a.py::TestX::test_two[1]", "test_a.py::test_one"], RECORDED)
    assert found == {"unit/test_a.py::TestX::test_two[1]": 2.0, "test_a.py::test_one": 1.0}


def test_a_run_from_a_parent_directory_matches_too():
    """A longer path (rootdir one level up) matches the shorter recorded one."""
    found = match(["repo/tests/unit/test_a.py::test_one"], RECORDED)
    assert found == {"repo/tests/unit/test_a.py::test_one": 1.0}


def test_an_ambiguous_suffix_matches_nothing():
    """`unit/test_b.py::test_same` could be either recorded test: it gets none (the median)."""
    assert match(["unit/test_b.py::test_same"], RECORDED) == {}
    assert match(["other/unit/test_b.py::test_same"], RECORDED) == {
        "other/unit/test_b.py::test_same": 3.0
    }


def test_a_suffix_must_end_at_a_directory_boundary():
    """`nit/test_a.py` is not a path suffix of `tests/unit/test_a.py`."""
    assert match(["nit/test_a.py::test_one"], RECORDED) == {}


def test_the_line_names_the_source_and_the_match_count():
    """The printed line says where durations came from, how many matched, and the median."""
    source = Durations("res/metrics.unit.json", RECORDED)
    assert describe(source, 3, 5, 2.5) == (
        "durations from res/metrics.unit.json: 3 of 5 tests matched, 2 given the median 2.500s"
    )
    assert describe(None, 0, 5, None) == "no recorded durations: split by count (5 tests)"
    assert Durations("a", {"x": 1.0}).digest == Durations("b", {"x": 1.0}).digest
