"""`mmpgate export --format junit`: one XML of every group, each test case with file and line."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics

SUITE = """
import os, pathlib
import pytest

@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n

def test_fails():
    assert 1 == 2, "one <is> not & two\\x07"

@pytest.mark.skip(reason="later")
def test_skipped():
    pass

class TestBox:
    @pytest.mark.flaky(reruns=1)
    def test_flaky(self):
        marker = pathlib.Path(os.environ["STATE_DIR"]) / "seen"
        if not marker.exists():
            marker.touch()
            assert False
"""


@pytest.fixture
def results(pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two groups run for real into one results directory."""
    monkeypatch.setenv("STATE_DIR", str(tmp_path))
    for group in ("unit", "integration"):
        pytester.makepyfile(**{f"tests/{group}/test_{group}": SUITE})
        pytester.runpytest_subprocess(
            f"--mmpgate-metrics={pytester.path / 'results' / f'metrics.{group}.json'}",
            "-p", "no:cacheprovider", f"tests/{group}",
        )  # fmt: skip
        (tmp_path / "seen").unlink()
    return pytester.path / "results"


def test_merged_junit_has_every_group_file_and_line(results: Path, tmp_path: Path) -> None:
    """A testsuite per group with the metrics' counts; every testcase names its file and line."""
    out = tmp_path / "junit.xml"
    assert (
        main(["export", "--format", "junit", "--metrics", str(results), "--output", str(out)]) == 0
    )
    root = ET.parse(out).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"unit", "integration"}
    for name, suite in suites.items():
        counts = load_metrics(results / f"metrics.{name}.json")["counts"]
        assert int(suite.get("tests")) == counts["total"] == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == counts["failed"]
        assert int(suite.get("skipped")) == counts["skipped"]
        for case in suite.findall("testcase"):
            assert case.get("file") == f"tests/{name}/test_{name}.py"
            assert int(case.get("line")) > 0
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())
    flaky = suites["unit"].find("testcase[@name='test_flaky']")
    assert flaky.get("classname") == "tests.unit.test_unit.TestBox"
    assert len(flaky.findall("flakyFailure")) == 1
    failure = root.find(".//testcase[@name='test_fails']/failure")
    assert "one <is> not & two" in failure.get("message")


def test_merged_junit_reads_back_through_collect(results: Path, tmp_path: Path) -> None:
    """`mmpgate collect` reads the merged file and counts what the metrics counted."""
    out = tmp_path / "junit.xml"
    assert (
        main(["export", "--format", "junit", "--metrics", str(results), "--output", str(out)]) == 0
    )
    collected = tmp_path / "metrics.all.json"
    args = ["collect", "--junit", str(out), "--group", "all", "--output", str(collected)]
    assert main(args) == 0
    counts = load_metrics(collected)["counts"]
    groups = [
        load_metrics(results / f"metrics.{g}.json")["counts"] for g in ("unit", "integration")
    ]
    for key in ("passed", "failed", "skipped", "total"):
        assert counts[key] == sum(c[key] for c in groups), key
