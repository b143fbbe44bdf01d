"""The dogfood proof: a generated suite with every kind of red, run for real, asserted exactly.

One test fails only when two workers share a scratch directory, one fails on its first attempt
only, one always fails, one always fails but is quarantined, one passes under an expired entry.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CONFTEST = """
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).parent / "scratch"


def _me(config):
    info = getattr(config, "workerinput", None)
    if info is None:
        return ROOT / f"solo-{os.getpid()}", "main"
    return ROOT / info["testrunuid"], info["workerid"]


def pytest_configure(config):
    directory, name = _me(config)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).touch()


@pytest.fixture
def scratch(request):
    return _me(request.config)
"""
TESTS = """
import os
import pathlib
import time

STATE = pathlib.Path(__file__).parent / "state"


def _count(name):
    STATE.mkdir(exist_ok=True)
    path = STATE / name
    count = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(count))
    return count


def test_shared_scratch(scratch):
    directory, me = scratch
    # Readiness, not timing: wait until every worker of this run has registered.
    expected = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    deadline = time.monotonic() + 300
    while len(list(directory.iterdir())) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    users = sorted(p.name for p in directory.iterdir())
    assert users == [me], f"another worker shares the scratch directory: {users}"


def test_first_attempt():
    assert _count("first") > 1, "fails on its first attempt only"


def test_always_fails():
    assert 1 == 2


def test_quarantined():
    assert False, "relies on chmod, which root ignores"


def test_legacy():
    pass
"""
OK = "".join(f"\ndef test_ok_{i}():\n    pass\n" for i in range(5))
PYPROJECT = """
[project]
name = "dogfood"
version = "0"

[tool.mmpgate]
coverage = false
retries = 2

[tool.mmpgate.groups.unit]
path = "tests/unit"
workers = 2
"""
UNIT = "tests/unit/test_suite.py"
QUARANTINE = f"""version: 1
quarantine:
  - test: {UNIT}::test_quarantined
    reason: relies on chmod, which root ignores
    owner: "@ml-platform"
    issue: https://example.org/tracker/123
    expires: 2099-01-31
  - test: {UNIT}::test_legacy
    reason: was flaky once
    owner: "@ml-platform"
    issue: https://example.org/tracker/7
    expires: 2020-01-31
"""
THRESHOLDS = "version: 1\ndefaults:\n  max_flaky: 2\n"


def mmpgate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, in the project."""
    return subprocess.run(
        [sys.executable, "-m", "mmpgate", *args], cwd=root, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The generated suite, its thresholds and its quarantine file."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "conftest.py").write_text(CONFTEST)
    (tmp_path / UNIT).write_text(TESTS + OK)
    (tmp_path / "thresholds.yml").write_text(THRESHOLDS)
    (tmp_path / "quarantine.yml").write_text(QUARANTINE)
    return tmp_path


def metrics(root: Path) -> dict:
    """The unit group's metrics file."""
    return json.loads((root / "mmpgate-results" / "metrics.unit.json").read_text())


def fresh(root: Path) -> None:
    """Forget the counters and scratch of earlier runs: each run starts from the same state."""
    shutil.rmtree(root / "tests" / "unit" / "state", ignore_errors=True)
    shutil.rmtree(root / "tests" / "unit" / "scratch", ignore_errors=True)


def test_every_kind_of_red_comes_out_exactly(project: Path) -> None:
    """Classifications, counts, verdicts and history rates of three real runs."""
    run = mmpgate(project, "run")
    assert run.returncode == 1, run.stdout + run.stderr
    document = metrics(project)
    assert document["counts"] == {
        "passed": 6, "failed": 4, "errors": 0, "skipped": 0, "xfailed": 0, "xpassed": 0,
        "deselected": 0, "reruns": 0, "total": 10,
    }  # fmt: skip
    by_name = {t["nodeid"].split("::")[1]: t for t in document["tests"]}
    assert {n: (t.get("classification"), t.get("evidence")) for n, t in by_name.items()
            if "classification" in t} == {
        "test_shared_scratch": ("flaky", "failed with 2 workers, passed 2/2 alone"),
        "test_first_attempt": ("flaky", "failed with 2 workers, passed 2/2 alone"),
        "test_always_fails": ("failed", "failed with 2 workers, passed 0/2 alone"),
        "test_quarantined": ("failed", "failed with 2 workers, passed 0/2 alone"),
    }  # fmt: skip
    assert document["retries"] == {
        "max_attempts": 2, "retried": 4, "flaky": 2, "failed": 2, "processes": 8,
        "coverage": "kept apart",
    }  # fmt: skip
    first = by_name["test_shared_scratch"]
    assert first["message"].startswith("AssertionError: another worker shares the scratch")

    check = mmpgate(project, "check", "--format", "json")
    assert check.returncode == 1, check.stderr
    verdict = json.loads(check.stdout)
    failed = [(r["rule"], r["group"]) for r in verdict["rows"] if r["result"] == "fail"]
    assert failed == [("max_failure_rate", "unit"), ("quarantine_expired", "*")]
    rate = next(r for r in verdict["rows"] if r["rule"] == "max_failure_rate")
    assert rate["measured"]["counts"] == [1, 10]
    assert rate["detail"] == "not counted: 2 flaky, 1 quarantined"
    expired = next(r for r in verdict["rows"] if r["rule"] == "quarantine_expired")
    assert expired["detail"] == (
        f"{UNIT}::test_legacy expired 2020-01-31 (owner @ml-platform, https://example.org/tracker/7)"
    )
    tests = verdict["tests"]
    assert [t["nodeid"].split("::")[1] for t in tests["failing"]] == ["test_always_fails"]
    assert [t["nodeid"].split("::")[1] for t in tests["flaky"]] == [
        "test_first_attempt", "test_shared_scratch",
    ]  # fmt: skip
    assert [t["nodeid"].split("::")[1] for t in tests["quarantined"]] == ["test_quarantined"]
    assert [t["nodeid"].split("::")[1] for t in tests["release"]] == ["test_legacy"]
    store = str(project / "mmpgate-history.sqlite")
    added = mmpgate(project, "history", "add", "--run-id", "r1", "--commit", "c1", "--store", store)
    assert added.returncode == 0, added.stderr

    # Run 2: the same commit without the broken test and without the expired entry.
    fresh(project)
    (project / "quarantine.yml").write_text(
        QUARANTINE.split("  - test: " + UNIT + "::test_legacy")[0]
    )
    assert mmpgate(project, "run", "--", "-k", "not always").returncode == 1
    check = mmpgate(project, "check", "--history", store, "--format", "json")
    assert check.returncode == 0, check.stdout  # only red: quarantined, and flaky within limits
    rows = {(r["rule"], r["group"]): r for r in json.loads(check.stdout)["rows"]}
    assert rows[("max_new_flaky", "unit")]["measured"]["value"] == 0
    assert rows[("max_flaky", "unit")]["measured"]["value"] == 2
    assert (
        mmpgate(
            project, "history", "add", "--run-id", "r2", "--commit", "c1", "--store", store
        ).returncode
        == 0
    )

    # Run 3: a test that is flaky for the first time fails the gate by name.
    fresh(project)
    (project / UNIT).write_text(
        TESTS + OK + '\ndef test_new_flake():\n    assert _count("new") > 1\n'
    )
    assert mmpgate(project, "run", "--", "-k", "not always").returncode == 1
    check = mmpgate(project, "check", "--history", store, "--format", "json")
    assert check.returncode == 1
    verdict = json.loads(check.stdout)
    # Three flaky tests now (over max_flaky: 2); one of them never flaky before.
    assert [
        (r["rule"], r["measured"]["value"]) for r in verdict["rows"] if r["result"] == "fail"
    ] == [
        ("max_flaky", 3),
        ("max_new_flaky", 1),
    ]
    assert [t["nodeid"] for t in verdict["tests"]["new_flaky"]] == [f"{UNIT}::test_new_flake"]

    shown = mmpgate(project, "history", "show", "--store", store, "--format", "json", "--all")
    rates = {
        t["nodeid"].split("::")[1]: (t["runs"], t["failure_rate"], t["flaky_rate"], t["flaky_by"])
        for t in json.loads(shown.stdout)["tests"]
    }
    # Hand count over r1 and r2 (both on commit c1); test_always_fails was deselected in r2.
    assert rates["test_shared_scratch"] == (2, 0.0, 1.0, ["same_commit"])
    assert rates["test_first_attempt"] == (2, 0.0, 1.0, ["same_commit"])
    assert rates["test_always_fails"] == (1, 1.0, 0.0, [])
    assert rates["test_quarantined"] == (2, 1.0, 0.0, [])
    assert rates["test_legacy"] == (2, 0.0, 0.0, [])
    assert rates["test_ok_0"] == (2, 0.0, 0.0, [])
    assert len(rates) == 10
