"""`collect` reads Surefire's rerun elements where a JUnit file has them (mmpgate export writes them)."""

from __future__ import annotations

from mmpgate.collect.build import Inputs, collect
from mmpgate.config.schemas import METRICS, validate
from mmpgate.metrics.entries import check_tests
from mmpgate.metrics.results import group_from_document

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites>
<testsuite name="unit" errors="0" failures="1" skipped="0" tests="3" time="2.0">
<testcase classname="tests.test_a" name="test_plain" time="0.5"/>
<testcase classname="tests.test_a" name="test_wobbly" time="0.5"><flakyFailure message="failed before a rerun passed"/><flakyFailure message="again"/></testcase>
<testcase classname="tests.test_a" name="test_broken" time="1.0"><failure message="assert 0">x</failure><rerunFailure message="assert 0 (retry 1)">x</rerunFailure><rerunFailure message="assert 0 (retry 2)">x</rerunFailure></testcase>
</testsuite></testsuites>
"""


def test_flaky_and_rerun_failures_become_reruns_and_attempts(tmp_path):
    """A pass after two <flakyFailure> is flaky; a failure with <rerunFailure>s is broken."""
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT, encoding="utf-8")
    document = collect(Inputs(junit=junit, group="unit")).document
    validate(document, METRICS, file="collected")
    check_tests(document["tests"], "collected")
    by_name = {e["nodeid"].split("::")[1]: e for e in document["tests"]}
    assert "reruns" not in by_name["test_plain"]  # pytest's JUnit: unknown, not 0
    assert by_name["test_wobbly"]["reruns"] == 2
    assert by_name["test_wobbly"]["outcome"] == "passed"
    assert by_name["test_broken"]["classification"] == "failed"
    assert [a["message"] for a in by_name["test_broken"]["attempts"]] == [
        "assert 0 (retry 1)",
        "assert 0 (retry 2)",
    ]
    assert document["counts"]["failed"] == 1
    assert document["counts"]["passed"] == 2
    group = group_from_document(document, "collected")
    assert list(group.flaky) == [by_name["test_wobbly"]["nodeid"]]
