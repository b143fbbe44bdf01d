"""`mmpgate run --retries N`: real group runs, then real retry processes, classified."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.results import group_from_document

pytestmark = pytest.mark.slow

CONFTEST = """
import os
import pathlib

def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        with open(pathlib.Path(__file__).parent / "processes.log", "a") as log:
            log.write(f"{os.getpid()}\\n")
"""
CALC = "def mul(a, b):\n    return a * b\n"
TESTS = """
import pathlib
import pytest
import calc  # imported in the first run: only mul's body is left for a retry

STATE = pathlib.Path(__file__).parent.parent / "state"

def _count(name):
    STATE.mkdir(exist_ok=True)
    path = STATE / name
    count = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(count))
    return count

def test_ok():
    pass

def test_first_run_fails():
    assert _count("first") > 1, "fails on its first run only"

def test_twice_then_passes():
    count = _count("twice")
    if count > 2:
        from calc import mul
        assert mul(2, 3) == 6
    assert count > 2, "fails on its first run and its rerun"

def test_broken():
    assert 1 == 2

@pytest.mark.server
def test_server_locked():
    assert _count("server") > 2, "fails on its first run and its rerun"
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project of one unit group (serial, pytest-rerunfailures' --reruns 1, coverage of calc)."""
    pytester.makepyprojecttoml(
        '[project]\nname = "calc"\nversion = "0"\n\n[tool.mmpgate]\ncoverage_source = ["calc"]\n'
        '[tool.mmpgate.groups.unit]\npath = "tests/unit"\nworkers = 0\nargs = ["--reruns", "1"]\n'
    )
    (pytester.path / "src" / "calc").mkdir(parents=True)
    (pytester.path / "src" / "calc" / "__init__.py").write_text(CALC)
    (pytester.path / "tests" / "unit").mkdir(parents=True)
    (pytester.path / "conftest.py").write_text(
        "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'src'))\n"
        + CONFTEST
    )
    (pytester.path / "tests" / "unit" / "test_mix.py").write_text(TESTS)
    return pytester


def _processes(root: Path) -> int:
    return len((root / "processes.log").read_text().split())


def test_retries_classify_and_keep_first_run_counts(
    project: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """flaky / failed per test, every attempt recorded, counts exactly pytest's first run."""
    assert main(["run", "unit", "--retries", "2"]) == 1
    path = project.path / "mmpgate-results" / "metrics.unit.json"
    document = load_metrics(path)
    # pytest's own summary: test_ok and test_first_run_fails (on its rerun) passed, 3 failed;
    # pytest-rerunfailures reran the 4 failing tests once each.
    assert document["counts"] == {
        "passed": 2, "failed": 3, "errors": 0, "skipped": 0, "xfailed": 0, "xpassed": 0,
        "deselected": 0, "reruns": 4, "total": 5,
    }  # fmt: skip
    by_id = {t["nodeid"].split("::")[1]: t for t in document["tests"]}
    assert {name: t.get("classification") for name, t in by_id.items()} == {
        "test_ok": None,
        "test_first_run_fails": None,  # passed on its rerun: not retried, flaky by its reruns
        "test_twice_then_passes": "flaky",
        "test_broken": "failed",
        "test_server_locked": "flaky",  # the server lock is taken in the retry process too
    }
    flaky = group_from_document(document, str(path)).flaky
    assert sorted(name.split("::")[1] for name in flaky) == [
        "test_first_run_fails", "test_server_locked", "test_twice_then_passes",
    ]  # fmt: skip
    assert [a["outcome"] for a in by_id["test_broken"]["attempts"]] == ["failed", "failed"]
    assert by_id["test_broken"]["attempts"][0]["message"] == "assert 1 == 2"
    assert [a["outcome"] for a in by_id["test_twice_then_passes"]["attempts"]] == [
        "passed",
        "passed",
    ]
    assert by_id["test_server_locked"]["evidence"] == "failed in the group's run, passed 2/2 alone"
    assert by_id["test_first_run_fails"]["reruns"] == 1
    assert document["retries"] == {
        "max_attempts": 2, "retried": 3, "flaky": 2, "failed": 1, "processes": 6,
        "coverage": "kept apart",
    }  # fmt: skip
    assert _processes(project.path) == 1 + 6
    out = capsys.readouterr().out
    assert "mmpgate: unit: retry 2/2 tests/unit/test_mix.py::test_broken: failed" in out
    assert "retried 3: 2 flaky, 1 broken" in out


def test_coverage_of_retries_is_kept_apart(project: pytest.Pytester) -> None:
    """`mul` runs only in a retry: the group's coverage XML shows its line not hit."""
    main(["run", "--retries", "1"])
    root = ElementTree.parse(project.path / "mmpgate-results" / "coverage.unit.xml").getroot()
    lines = {
        int(line.get("number", 0)): int(line.get("hits", 0))
        for cls in root.iter("class")
        if cls.get("filename", "").endswith("__init__.py")
        for line in cls.iter("line")
    }
    assert lines == {1: 1, 2: 0}  # the def ran at import, the body only in the retry


def test_no_failure_starts_no_second_process(project: pytest.Pytester) -> None:
    """A group with no failure runs exactly one pytest process and records no retries."""
    # It imports calc: a group whose coverage source measured nothing is an error of its own.
    (project.path / "tests" / "unit" / "test_mix.py").write_text(
        "import calc\n\n\ndef test_ok():\n    assert calc.mul(2, 3) == 6\n"
    )
    assert main(["run", "unit", "--retries", "3"]) == 0
    document = load_metrics(project.path / "mmpgate-results" / "metrics.unit.json")
    assert document["retries"]["processes"] == 0
    assert document["retries"]["retried"] == 0
    assert _processes(project.path) == 1


def test_retries_from_the_configuration(project: pytest.Pytester) -> None:
    """`retries` in [tool.mmpgate.groups.<g>] turns retries on; --retries 0 turns them off."""
    pyproject = project.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\nretries = 1\n")
    main(["run"])
    document = load_metrics(project.path / "mmpgate-results" / "metrics.unit.json")
    assert document["retries"]["max_attempts"] == 1
    assert document["retries"]["processes"] == 3
    main(["run", "--retries", "0"])
    assert "retries" not in load_metrics(project.path / "mmpgate-results" / "metrics.unit.json")


FIRST_FAILS = """
import pathlib

def test_fails_once(request):
    counter = pathlib.Path(__file__).parent / "runs"
    runs = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(runs))
    assert request.config.getoption("stage") == "ci", "needs the run's --stage=ci"
    assert runs > 2, "fails in the group's run and its rerun"
"""
STAGE_OPTION = """

def pytest_addoption(parser):
    parser.addoption("--stage", default="local")
"""


def test_a_retry_gets_the_runs_own_pytest_args(project: pytest.Pytester) -> None:
    """A retry runs with the run's `-- PYTEST_ARGS` too: a test that needs one of them passed
    alone; without them its retry failed and the test read as broken."""
    (project.path / "tests" / "unit" / "test_mix.py").write_text("import calc\n" + FIRST_FAILS)
    conftest = project.path / "conftest.py"
    conftest.write_text(conftest.read_text() + STAGE_OPTION)
    assert main(["run", "unit", "--retries", "1", "--", "--stage=ci"]) == 1
    document = load_metrics(project.path / "mmpgate-results" / "metrics.unit.json")
    (entry,) = document["tests"]
    assert entry["classification"] == "flaky"
    assert [a["outcome"] for a in entry["attempts"]] == ["passed"]
