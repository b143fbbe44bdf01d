"""`mmpgate run --all`: each group's place and elapsed time, a heartbeat for long groups, one table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mmpgate.metrics.io import load_metrics
from mmpgate.run.summary import clock

PYPROJECT = """\
[tool.mmpgate]
coverage = false
[tool.mmpgate.groups.unit]
path = "tests/unit"
[tool.mmpgate.groups.e2e]
path = "tests/e2e"
"""


def _project(root: Path, e2e: str) -> None:
    (root / "tests" / "unit").mkdir(parents=True)
    (root / "tests" / "e2e").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "tests" / "unit" / "test_u.py").write_text(
        "import pytest\n\ndef test_a():\n    pass\n\ndef test_b():\n    assert 0\n\n"
        "@pytest.mark.skip(reason='x')\ndef test_c():\n    pass\n"
    )
    (root / "tests" / "e2e" / "test_e.py").write_text(e2e)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    return {**env, **extra}


def test_run_all_shows_places_and_ends_with_one_table(tmp_path: Path) -> None:
    """Every group says [i/n] when it starts and ends; the table has a row per group and a total."""
    _project(tmp_path, "def test_e():\n    pass\n")
    result = subprocess.run(
        [sys.executable, "-m", "mmpgate", "run", "--all"], cwd=tmp_path, env=_env(),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 1
    assert "mmpgate: [1/2] unit: starting after" in out
    assert "mmpgate: [2/2] e2e: starting after" in out
    assert "mmpgate: [1/2] unit: 1 passed, 1 failed, 1 skipped in" in out
    table = out[out.index("mmpgate: 2 group(s) in") :].splitlines()
    assert table[1].split()[:6] == ["group", "tests", "passed", "failed", "errors", "skipped"]
    rows = {line.split()[0]: line.split() for line in table[2:]}
    unit = load_metrics(tmp_path / "mmpgate-results" / "metrics.unit.json")
    assert rows["unit"][1:8] == ["3", "1", "1", "0", "1", "33.33%", "33.33%"]
    assert rows["unit"][9] == clock(unit["duration"]["wall"])
    assert rows["e2e"][1:3] == ["1", "1"]
    assert rows["total"][1:5] == ["4", "2", "1", "0"]


def test_a_long_group_reports_that_it_is_still_running(tmp_path: Path) -> None:
    """While a group runs, a 'still running' line names its place; the test waits for that line."""
    release = tmp_path / "release"
    _project(
        tmp_path,
        "import pathlib, time\n\ndef test_waits():\n"
        f"    while not pathlib.Path({str(release)!r}).exists():\n        time.sleep(0.05)\n",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "mmpgate", "run", "e2e"], cwd=tmp_path,
        env=_env(MMPGATE_PROGRESS_EVERY="0.2"), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    seen = []
    with process.stdout:
        for line in process.stdout:
            seen.append(line)
            if "still running" in line:
                release.touch()
                break
        rest = process.stdout.read()
    assert process.wait() == 0
    assert any(line.startswith("mmpgate: [1/1] e2e: still running, ") for line in seen)
    assert "in this group" in seen[-1]
    assert "mmpgate: [1/1] e2e: 1 passed in" in rest
