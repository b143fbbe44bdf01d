"""Completeness, mismatches, coverage and flat memory of `collect` on hand-written artifacts."""

from __future__ import annotations

import tracemalloc

from mmpgate.collect.build import Inputs, collect
from mmpgate.collect.junit import Suites, read_cases
from mmpgate.config.schemas import METRICS, validate
from mmpgate.metrics.io import check_arithmetic

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">
<testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="2.5"
 timestamp="2025-01-01T10:00:00+00:00">
<testcase classname="tests.test_a" name="test_pass" time="0.5"/>
<testcase classname="tests.test_a" name="test_fail" time="1.0"><failure message="assert 0">x</failure></testcase>
<testcase classname="tests.test_a" name="test_td" time="0.25"><error message="failed on teardown with &quot;E&quot;">x</error></testcase>
<testcase classname="tests.test_a.TestK" name="test_skip" time="0"><skipped type="pytest.skip" message="no">x</skipped></testcase>
</testsuite></testsuites>
"""
SUMMARY = "==== 1 failed, 2 passed, 1 skipped, 1 error in 2.50s ====\n"
COVERAGE = '<?xml version="1.0" ?><coverage lines-valid="10" lines-covered="8" line-rate="0.8"/>'


def build(tmp_path, console: str | None = None, coverage: bool = False):
    """collect() on the JUnit above and, when given, this console log text."""
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT, encoding="utf-8")
    log = None
    if console is not None:
        log = tmp_path / "console.log"
        log.write_text(console, encoding="utf-8")
    cov = None
    if coverage:
        cov = tmp_path / "coverage.xml"
        cov.write_text(COVERAGE, encoding="utf-8")
    result = collect(Inputs(junit=junit, group="unit", console_log=log, coverage_xml=cov))
    validate(result.document, METRICS, file="collected")
    check_arithmetic(result.document, "collected")
    return result


def test_junit_alone_is_incomplete_and_infers_the_pass_before_a_teardown_error(tmp_path):
    """JUnit alone: counts as pytest would (1 passed + 1 error for test_td), complete false."""
    document = build(tmp_path).document
    counts = document["counts"]
    assert (counts["passed"], counts["failed"], counts["errors"], counts["skipped"]) == (2, 1, 1, 1)
    assert document["complete"] is False
    assert document["interrupted"] is False
    assert document["duration"] == {"wall": 2.5, "tests_sum": 1.75}
    assert document["environment"]["started"] == "2025-01-01T10:00:00+00:00"
    assert document["environment"]["finished"] == "2025-01-01T10:00:02+00:00"
    assert document["environment"]["producer"].startswith("collect mmpgate ")
    assert document["source"]["producer"] == "collect"
    assert {t["nodeid"] for t in document["tests"]} == {
        "tests/test_a.py::test_pass",
        "tests/test_a.py::test_fail",
        "tests/test_a.py::test_td",
        "tests/test_a.py::TestK::test_skip",
    }
    assert document["slowest"][0] == {"nodeid": "tests/test_a.py::test_fail", "duration": 1.0}


def test_consistent_console_summary_makes_it_complete(tmp_path):
    """A matching summary line, with no banner before it, makes the file complete."""
    result = build(tmp_path, SUMMARY)
    assert result.document["complete"] is True
    assert result.document["reason"] is None
    assert result.notes == ()


def test_summary_without_the_final_line_is_incomplete(tmp_path):
    """A log cut before pytest's summary line leaves the file incomplete."""
    document = build(tmp_path, "test_a.py ..F\n").document
    assert document["complete"] is False
    assert "no pytest summary line" in document["reason"]


def test_mismatch_is_reported_and_the_summary_wins(tmp_path):
    """A summary that disagrees with JUnit wins, is named in the notes, and makes the file incomplete."""
    result = build(tmp_path, "==== 2 failed, 2 passed, 1 skipped, 1 error in 2.50s ====\n")
    assert result.document["counts"]["failed"] == 2
    assert result.document["complete"] is False
    assert result.notes == ("counts.failed: JUnit has 1, the console summary line has 2",)


def test_passed_and_xpassed_are_compared_as_a_sum(tmp_path):
    """JUnit cannot tell an xpass from a pass: a summary splitting them differently is no mismatch."""
    result = build(
        tmp_path, "==== 1 failed, 1 passed, 1 xpassed, 1 skipped, 1 error in 2.50s ====\n"
    )
    assert result.notes == ()
    assert result.document["counts"]["xpassed"] == 1
    assert result.document["complete"] is True


def test_coverage_xml_is_read(tmp_path):
    """--coverage-xml fills the coverage totals."""
    coverage = build(tmp_path, SUMMARY, coverage=True).document["coverage"]
    assert (coverage["percent"], coverage["lines_valid"], coverage["lines_covered"]) == (
        80.0,
        10,
        8,
    )


def _peak_bytes_reading(path) -> int:
    tracemalloc.start()
    try:
        for _case in read_cases(path, Suites()):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_is_streamed(tmp_path):
    """Peak memory of reading 20,000 cases stays near that of 2,000: cases are dropped once read."""
    case = '<testcase classname="tests.test_a" name="test_{}" time="0.1"><system-out>{}</system-out></testcase>\n'
    sizes = {}
    for count in (2_000, 20_000):
        path = tmp_path / f"junit-{count}.xml"
        body = "".join(case.format(i, "output " * 20) for i in range(count))
        path.write_text(
            f'<testsuites><testsuite name="p">{body}</testsuite></testsuites>', encoding="utf-8"
        )
        sizes[count] = _peak_bytes_reading(path)
    # A tree kept whole would grow tenfold; a streamed read is bounded by the parser's buffer.
    assert sizes[20_000] < 2 * sizes[2_000], sizes
