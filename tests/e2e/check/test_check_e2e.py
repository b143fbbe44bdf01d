"""End to end: pytest subprocesses record groups through the plugin, `python -m mmpgate check` gates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

UNIT = """
import pytest

def test_add():
    assert 1 + 1 == 2

@pytest.mark.skip(reason="later")
def test_later():
    pass
"""

E2E_OK = """
def test_flow():
    assert True

def test_other():
    assert True
"""

E2E_BROKEN = """  # test_flow is on line 2
def test_flow():
    assert False, "the flow broke"
"""

THRESHOLDS = """\
version: 1
require_groups: [unit, e2e]
defaults: {max_skip_rate: 50%}
total: {max_failure_rate: 0, max_duration: 10m}
regression:
  on_missing_baseline: fail
  max_new_failures: 0
  max_removed_tests: 0
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GITHUB_") and not k.startswith("PYTEST_")
    }
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_OUTPUT=str(tmp_path / "out"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
    )
    return env


def _record(project: Path, group: str, results: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests_{group}",
         f"--mmpgate-metrics={results}/metrics.{group}.json", f"--mmpgate-group={group}"],
        cwd=project, check=False, capture_output=True, env=_env(project), timeout=600,
    )  # fmt: skip
    assert (project / results / f"metrics.{group}.json").is_file()


def _check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (project / "out").unlink(missing_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "mmpgate", "check", *args],
        cwd=project, capture_output=True, text=True, env=_env(project), timeout=600, check=False,
    )  # fmt: skip


def test_gate_passes_then_catches_a_regression(tmp_path):
    """A clean run passes against itself as baseline; a broken e2e group then fails the gate."""
    (tmp_path / "tests_unit").mkdir()
    (tmp_path / "tests_unit" / "test_unit.py").write_text(UNIT)
    (tmp_path / "tests_e2e").mkdir()
    (tmp_path / "tests_e2e" / "test_e2e.py").write_text(E2E_OK)
    (tmp_path / "thresholds.yml").write_text(THRESHOLDS)
    for group in ("unit", "e2e"):
        _record(tmp_path, group, "baseline")
        _record(tmp_path, group, "mmpgate-results")

    ok = _check(tmp_path, "--baseline", "baseline")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("mmpgate gate: PASS")
    assert "verdict=pass" in (tmp_path / "out").read_text()

    (tmp_path / "tests_e2e" / "test_e2e.py").write_text(E2E_BROKEN)
    _record(tmp_path, "e2e", "mmpgate-results")
    bad = _check(tmp_path, "--baseline", "baseline", "--output", "verdict.json")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Traceback" not in bad.stderr
    rows = {
        line.split()[0] + " " + line.split()[1]: line
        for line in bad.stdout.splitlines()
        if line.count(" ") > 3
    }
    assert rows["max_new_failures e2e"].split()[2:5] == ["1", "0", "fail"]
    assert rows["max_removed_tests e2e"].split()[2:5] == ["1", "0", "fail"]
    assert (
        "::error file=tests_e2e/test_e2e.py,line=2,title=failed%3A tests_e2e/test_e2e.py%3A%3Atest_flow::"
        in bad.stdout
    )
    outputs = (tmp_path / "out").read_text()
    assert "verdict=fail" in outputs
    assert "e2e-failure-rate=1" in outputs
    assert "### mmpgate gate: FAIL" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / "verdict.json").is_file()


def test_missing_baseline_under_fail_policy(tmp_path):
    """With `on_missing_baseline: fail` and no baseline directory, the gate fails (not exit 2)."""
    (tmp_path / "tests_unit").mkdir()
    (tmp_path / "tests_unit" / "test_unit.py").write_text(UNIT)
    (tmp_path / "thresholds.yml").write_text(THRESHOLDS.replace("[unit, e2e]", "[unit]"))
    _record(tmp_path, "unit", "mmpgate-results")
    result = _check(tmp_path, "--baseline", "no-such-dir")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no baseline at no-such-dir (on_missing_baseline: fail)" in result.stdout
