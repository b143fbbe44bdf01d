"""The HTML report opened in headless Chromium: every chart laid out, no error, no request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser import Browser

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("MMPGATE_TEST_ARTIFACTS", ROOT / "test-artifacts"))

SAMPLE = {
    "pyproject.toml": """\
[project]
name = "sample"
version = "0"
[tool.coverage.run]
source = ["sample"]
[tool.mmpgate.groups.unit]
path = "tests/unit"
workers = 2
[tool.mmpgate.groups.integration]
path = "tests/integration"
""",
    "src/sample/__init__.py": "def add(a, b):\n    return a + b\n\n\ndef unused():\n    return 0\n",
    "tests/conftest.py": "import sys, pathlib\nsys.path.insert(0, str(pathlib.Path(__file__).parents[1] / 'src'))\n",
    "tests/unit/test_math.py": """\
import os, pathlib, time
import pytest
from sample import add

@pytest.mark.parametrize("n", range(12))
def test_add(n):
    assert add(n, 1) == n + 1

def test_slow_sum():
    time.sleep(0.3)
    assert add(2, 2) == 4

def test_broken_rounding():
    expected = 3 if os.environ.get("SAMPLE_BEFORE") else 4
    assert add(1, 2) == expected, "add(1, 2) is not <4> & not 'four'"

@pytest.mark.skip(reason="needs a GPU")
def test_gpu():
    pass

@pytest.mark.flaky(reruns=2)
def test_flaky_cache(tmp_path_factory):
    marker = pathlib.Path(os.environ["SAMPLE_STATE"]) / "flaky"
    if not marker.exists():
        marker.touch()
        raise AssertionError("cache was cold")
""",
    "tests/integration/test_api.py": """\
import time
from sample import add

def test_roundtrip():
    time.sleep(0.2)
    assert add(-1, 1) == 0

def test_other():
    assert add(0, 0) == 0
""",
}
THRESHOLDS = """\
version: 1
require_groups: [unit, integration]
defaults: {max_failure_rate: 5%, max_skip_rate: 10%, max_duration: 10m, min_coverage: 60}
total: {min_coverage: 60}
regression: {max_new_failures: 0, on_missing_baseline: warn}
"""


def _mmpgate(
    project: Path, *args: str, env: dict[str, str] | None = None, check: bool = False
) -> int:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    return subprocess.run(
        [sys.executable, "-m", "mmpgate", *args],
        cwd=project,
        env={**base, **(env or {})},
        check=check,
        stdout=subprocess.DEVNULL,
    ).returncode


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample project run twice for real: an earlier run (kept under past/) and the current one."""
    root = tmp_path_factory.mktemp("sample")
    for name, text in SAMPLE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "thresholds.yml").write_text(THRESHOLDS)
    for output, before in (("past/run-1", True), ("results", False)):
        state = tmp_path_factory.mktemp("state")
        env = {"SAMPLE_STATE": str(state), **({"SAMPLE_BEFORE": "1"} if before else {})}
        assert _mmpgate(root, "run", "--all", "--results-dir", output, env=env) in (0, 1)
        assert _mmpgate(root, "combine", output) == 0
    return root


def test_report_of_a_real_run_renders_every_chart(project: Path) -> None:
    """Every chart (outcomes, rates, coverage, wall time, slowest, trends) has size and marks."""
    _mmpgate(
        project, "report", "--metrics", "results", "--baseline", "past/run-1", "--runs", "past",
        "--output", "report.html", check=True,
    )  # fmt: skip
    page = project / "report.html"
    with Browser() as browser:
        opened = browser.check_page(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.png").write_bytes(opened.screenshot)
    assert opened.problems() == []
    names = {chart.name for chart in opened.charts}
    assert names >= {
        "outcomes", "failure-rate", "skip-rate", "flaky-rate", "coverage", "wall-time", "slowest",
        "trend-coverage", "trend-wall-time", "trend-failure-rate", "trend-flaky-rate",
    }  # fmt: skip
    assert opened.screenshot.startswith(b"\x89PNG")
    text = page.read_text()
    assert "add(1, 2) is not &lt;4&gt; &amp; not &#x27;four&#x27;" in text
    assert "test_flaky_cache" in text
    assert "Verdict:" in text


def test_the_browser_check_catches_a_broken_page(tmp_path: Path) -> None:
    """A zero-size chart, a chart without marks, a script error and a fetch are all reported."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><body>"
        '<svg class="chart" data-chart="flat" width="0" height="0"><rect class="mark" width="5" height="5"/></svg>'
        '<svg class="chart" data-chart="blank" width="50" height="50"></svg>'
        '<img src="http://127.0.0.1:9/missing.png">'
        "<script>throw new Error('boom')</script>"
        "</body></html>"
    )
    with Browser() as browser:
        problems = browser.check_page(page).problems()
    assert any("chart 'flat' has size 0x0" in p for p in problems)
    assert any("chart 'blank' drew 0 of 0 marks" in p for p in problems)
    assert any(p.startswith("console: ") and "boom" in p for p in problems)
    assert any(p == "network request: http://127.0.0.1:9/missing.png" for p in problems)
