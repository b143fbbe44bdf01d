"""mmpgate.record.Recorder fed report sequences as pytest produces them."""

from __future__ import annotations

import pytest

from mmpgate.metrics.io import check_arithmetic
from mmpgate.record import MESSAGE_LIMIT, Recorder, RunFacts, first_line


def facts(**changes):
    base = {
        "group": "unit",
        "exit_status": 0,
        "interrupted": False,
        "stopped_early": False,
        "collected": 0,
        "wall": 1.0,
        "environment": {},
        "coverage": None,
        "source": {},
    }
    base.update(changes)
    return RunFacts(**base)


def report(recorder, nodeid, when, category, duration=0.1, counts=True):
    recorder.add_test_report(
        nodeid=nodeid,
        when=when,
        category=category,
        duration=duration,
        counts=counts,
        message=None if category in ("", "passed") else f"{category} in {when}",
        line=3,
    )


def passing(recorder, nodeid, teardown=""):
    report(recorder, nodeid, "setup", "")
    report(recorder, nodeid, "call", "passed")
    report(recorder, nodeid, "teardown", teardown)


def test_failure_then_teardown_error_counts_both():
    """A call failure and a teardown error of one test count "1 failed, 1 error", as pytest does."""
    recorder = Recorder()
    report(recorder, "t.py::a", "setup", "")
    report(recorder, "t.py::a", "call", "failed")
    report(recorder, "t.py::a", "teardown", "error")
    doc = recorder.build(facts(exit_status=1, collected=1))
    assert (doc["counts"]["failed"], doc["counts"]["errors"], doc["counts"]["total"]) == (1, 1, 2)
    (entry,) = doc["tests"]
    assert (entry["outcome"], entry["message"]) == ("failed", "failed in call")


def test_pass_then_teardown_error_is_an_error_entry():
    """A passing call followed by a teardown error counts passed and error; the entry says error."""
    recorder = Recorder()
    passing(recorder, "t.py::a", teardown="error")
    doc = recorder.build(facts(exit_status=1, collected=1))
    assert (doc["counts"]["passed"], doc["counts"]["errors"]) == (1, 1)
    assert doc["tests"][0]["outcome"] == "error"


def test_reports_not_counting_towards_summary_are_ignored_in_counts():
    """A report with count_towards_summary False changes no count."""
    recorder = Recorder()
    report(recorder, "t.py::a", "call", "failed", counts=False)
    assert recorder.build(facts())["counts"]["failed"] == 0


def test_reruns_counted_beside_total_and_last_attempt_kept():
    """Each rerun report counts in reruns (not total); the entry keeps the last attempt's phases."""
    recorder = Recorder()
    report(recorder, "t.py::a", "setup", "", duration=0.5)
    report(recorder, "t.py::a", "call", "rerun", duration=0.5)
    passing(recorder, "t.py::a")
    doc = recorder.build(facts(collected=1))
    assert (doc["counts"]["reruns"], doc["counts"]["total"], doc["counts"]["passed"]) == (1, 1, 1)
    (entry,) = doc["tests"]
    assert entry["reruns"] == 1
    assert entry["duration"] == {"setup": 0.1, "call": 0.1, "teardown": 0.1}
    assert doc["duration"]["tests_sum"] == pytest.approx(1.3)


def test_collect_reports_are_outcomes_but_no_tests():
    """A skipped module and a broken module count as skipped and error, not as finished tests."""
    recorder = Recorder()
    recorder.add_collect_report(nodeid="t_skip.py", failed=False, counts=True, message="why")
    recorder.add_collect_report(nodeid="t_bad.py", failed=True, counts=True, message="boom")
    recorder.add_deselected(4)
    assert recorder.finished_tests == 0
    doc = recorder.build(facts(exit_status=2, interrupted=True))
    assert {k: doc["counts"][k] for k in ("skipped", "errors", "deselected", "total")} == {
        "skipped": 1,
        "errors": 1,
        "deselected": 4,
        "total": 2,
    }
    assert doc["slowest"] == []
    assert sorted(t["outcome"] for t in doc["tests"]) == ["error", "skipped"]


def test_test_interrupted_before_outcome_gets_no_entry():
    """A test whose call never reported (pytest.exit, Ctrl-C) is not listed as passed."""
    recorder = Recorder()
    passing(recorder, "t.py::a")
    report(recorder, "t.py::b", "setup", "", duration=0.2)
    assert recorder.finished_tests == 1
    doc = recorder.build(facts(exit_status=2, interrupted=True))
    assert [t["nodeid"] for t in doc["tests"]] == ["t.py::a"]
    assert doc["duration"]["tests_sum"] == pytest.approx(0.5)


def test_slowest_is_longest_first_cut_to_n():
    """slowest lists the N longest tests by setup + call + teardown, ties by node id."""
    recorder = Recorder(slowest=2)
    for nodeid, seconds in [("t.py::a", 0.1), ("t.py::b", 0.3), ("t.py::c", 0.2), ("t.py::d", 0.3)]:
        report(recorder, nodeid, "call", "passed", duration=seconds)
    slowest = recorder.build(facts())["slowest"]
    assert slowest == [
        {"nodeid": "t.py::b", "duration": 0.3},
        {"nodeid": "t.py::d", "duration": 0.3},
    ]


@pytest.mark.parametrize(
    ("changes", "complete", "reason"),
    [
        ({}, True, None),
        ({"exit_status": 1}, True, None),
        ({"interrupted": True, "exit_status": 2}, False, "the run was interrupted"),
        (
            {"stopped_early": True, "stop_asked": True, "exit_status": 1},
            False,
            "the run was stopped early by -x/--maxfail",
        ),
        ({"stop_asked": True, "exit_status": 2}, True, None),
        ({"exit_status": 2}, False, "pytest ended with exit status 2"),
        ({"exit_status": 3}, False, "pytest ended with exit status 3"),
    ],
    ids=[
        "ok",
        "failures",
        "interrupted",
        "stopped",
        "xdist-stop-after-last-test",
        "status-2",
        "internal-error",
    ],
)
def test_complete_and_reason(changes, complete, reason):
    """complete is true only for a whole run; the reason says why not."""
    recorder = Recorder()
    passing(recorder, "t.py::a")
    doc = recorder.build(facts(collected=1, **changes))
    assert (doc["complete"], doc["reason"]) == (complete, reason)


def test_empty_run_is_empty_with_null_rates():
    """No outcome: empty, null rates, reason "no test ran", arithmetic consistent."""
    doc = Recorder().build(facts(exit_status=5))
    assert (doc["empty"], doc["rates"], doc["reason"], doc["complete"]) == (
        True,
        {"failure": None, "skip": None},
        "no test ran",
        True,
    )
    check_arithmetic(doc, "<built>")


def test_first_line_trims_and_cuts():
    """Messages keep the first non-blank line, cut to the limit."""
    assert first_line("\n  \n  boom  \nmore") == "boom"
    assert first_line(None) is None
    assert first_line("x" * (MESSAGE_LIMIT + 5)) == "x" * MESSAGE_LIMIT
