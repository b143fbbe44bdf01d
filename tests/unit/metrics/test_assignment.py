"""Group completeness, the pure part: the whole suite's IDs against the IDs each group ran."""

from __future__ import annotations

from mmpgate.gate.completeness import assignment_rows
from mmpgate.gate.verdict import Result
from mmpgate.metrics.assignment import assign, problems


def test_every_test_in_exactly_one_group_has_no_problem() -> None:
    found = assign(["a::x", "b::y"], {"unit": ["a::x"], "e2e": ["b::y"]}, "fail")
    assert found["unassigned"] == []
    assert found["multiple"] == []
    assert found["collected"] == 2
    assert found["groups"] == ["e2e", "unit"]
    assert problems(found) == []
    (row,) = assignment_rows(found)
    assert row.result is Result.PASS
    assert row.detail == "each of the 2 collected tests ran in exactly one group"


def test_a_test_in_no_group_and_one_in_two_are_named_sorted() -> None:
    found = assign(
        ["z::late", "a::early", "m::both", "m::one"],
        {"unit": ["m::both", "m::one"], "slow": ["m::both", "m::both"]},
        "fail",
    )
    assert found["unassigned"] == ["a::early", "z::late"]
    assert found["multiple"] == [{"nodeid": "m::both", "groups": ["slow", "unit"]}]
    assert problems(found) == [
        "2 of 4 collected tests ran in no group: a::early, z::late",
        "1 test ran in more than one group: m::both (slow, unit)",
    ]
    (row,) = assignment_rows(found)
    assert row.result is Result.FAIL
    assert row.detail is not None
    assert "a::early, z::late" in row.detail


def test_allow_keeps_the_finding_as_a_warning() -> None:
    (row,) = assignment_rows(assign(["a::x", "b::y"], {"unit": ["a::x"]}, "allow"))
    assert row.result is Result.WARN
    assert row.detail == '1 of 2 collected tests ran in no group: b::y (unassigned = "allow")'


def test_a_failed_collection_is_unknown_not_complete() -> None:
    found = assign([], {"unit": ["a::x"]}, "fail", error="the whole suite's collection exited 4")
    assert found["unassigned"] == []
    assert found["multiple"] == []
    (row,) = assignment_rows(found)
    assert row.result is Result.FAIL
    assert row.detail == "group completeness unknown: the whole suite's collection exited 4"


def test_long_lists_name_ten_and_count_the_rest() -> None:
    suite = [f"t::{index:02}" for index in range(25)]
    (line,) = problems(assign(suite, {"unit": []}, "fail"))
    assert line.endswith("t::09 and 15 more"), line
    assert line.startswith("25 of 25 collected tests ran in no group: t::00, t::01,")


def test_no_assignment_file_no_row() -> None:
    assert assignment_rows(None) == []
