"""`mmpgate init` on three real project layouts; `mmpgate ci` accepts what it wrote, unedited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mmpgate.init.render import Limits, Measured
from mmpgate.metrics.results import load_metrics_dir

LAYOUTS: dict[str, dict[str, str]] = {
    "src-layout": {
        "pyproject.toml": '[project]\nname = "calc"\nversion = "0"\n[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        "src/calc/__init__.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
        "tests/unit/test_add.py": "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
        "tests/integration/test_sub.py": "from calc import sub\n\ndef test_sub():\n    assert sub(3, 2) == 1\n",
    },
    "flat-tests-with-markers": {
        "pytest.ini": "[pytest]\nmarkers =\n    integration: needs a database\n    e2e: the whole service\n",
        "calc/__init__.py": "def mul(a, b):\n    return a * b\n",
        "tests/test_all.py": (
            "import pytest\nfrom calc import mul\n\ndef test_fast():\n    assert mul(2, 3) == 6\n\n"
            "@pytest.mark.integration\ndef test_db():\n    assert mul(0, 1) == 0\n\n"
            "@pytest.mark.e2e\ndef test_service():\n    assert mul(1, 1) == 1\n"
        ),
        ".github/workflows/ci.yml": "on: push\njobs: {}\n",
    },
    "no-package": {
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = ['-ra']\n",
        "tests/test_checks.py": (
            "import pytest\n\ndef test_one():\n    assert 1\n\ndef test_two():\n    assert 2\n\n"
            "@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n\n"
            "@pytest.mark.parametrize('n', range(20))\ndef test_many(n):\n    assert n >= 0\n"
        ),
    },
}


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _mmpgate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    return subprocess.run(
        [sys.executable, "-m", "mmpgate", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_init_then_ci_passes_without_edits(tmp_path: Path, layout: str) -> None:
    """init writes the config and thresholds, says the next two commands; ci then passes."""
    root = _project(tmp_path, LAYOUTS[layout])
    init = _mmpgate(root, "init")
    assert init.returncode == 0, init.stderr
    assert init.stdout.rstrip().splitlines()[-3:] == [
        "next:", "  mmpgate ci", "  mmpgate report --output mmpgate-results/report.html",
    ]  # fmt: skip
    assert (root / "thresholds.yml").is_file()
    assert yaml.safe_load((root / "thresholds.yml").read_text())["version"] == 1
    ci = _mmpgate(root, "ci")
    assert ci.returncode == 0, ci.stdout + ci.stderr
    assert "mmpgate gate: PASS" in ci.stdout


def test_layouts_get_the_groups_and_coverage_they_show(tmp_path: Path) -> None:
    """Directories become groups, markers become groups with -m, no package turns coverage off."""
    roots = {name: _project(tmp_path / name, files) for name, files in LAYOUTS.items()}
    for root in roots.values():
        assert _mmpgate(root, "init").returncode == 0
    src = (roots["src-layout"] / "pyproject.toml").read_text()
    assert '[tool.mmpgate.groups.unit]\npaths = ["tests/unit"]' in src
    assert 'coverage_source = ["calc"]' in src
    flat = yaml.safe_load((roots["flat-tests-with-markers"] / "mmpgate.yml").read_text())
    assert {name: group["args"] for name, group in flat["groups"].items()} == {
        "unit": ["-m", "not integration and not e2e"],
        "integration": ["-m", "integration"],
        "e2e": ["-m", "e2e"],
    }
    assert flat["coverage_source"] == ["calc"]
    nopkg = (roots["no-package"] / "pyproject.toml").read_text()
    assert "coverage = false" in nopkg
    workflows = _mmpgate(roots["flat-tests-with-markers"], "init").stdout
    assert "CI: .github/workflows has ci.yml" in workflows


def test_init_never_overwrites(tmp_path: Path) -> None:
    """A second init, or one over hand-written files, keeps every byte and says so."""
    root = _project(tmp_path, LAYOUTS["no-package"])
    (root / "thresholds.yml").write_text("version: 1\n# mine\n")
    assert _mmpgate(root, "init").returncode == 0
    pyproject = (root / "pyproject.toml").read_bytes()
    again = _mmpgate(root, "init")
    assert again.returncode == 0
    assert (root / "thresholds.yml").read_text() == "version: 1\n# mine\n"
    assert (root / "pyproject.toml").read_bytes() == pyproject
    assert "kept thresholds.yml as it is" in again.stdout
    assert "kept pyproject.toml as it is" in again.stdout


def test_from_run_sets_limits_from_the_measured_run(tmp_path: Path) -> None:
    """--from-run writes each group's limits as the stated margins over its measured figures."""
    root = _project(tmp_path, LAYOUTS["src-layout"])
    result = _mmpgate(root, "init", "--from-run")
    assert result.returncode == 0, result.stdout + result.stderr
    written = yaml.safe_load((root / "thresholds.yml").read_text())
    metrics = load_metrics_dir(root / "mmpgate-results")
    for name, group in metrics.groups.items():
        limits = Limits.from_run(
            Measured(group.total, group.counts["skipped"], group.wall, group.coverage)
        )
        assert written["groups"][name] == {
            "min_tests": limits.min_tests,
            "max_skip_rate": f"{limits.max_skip_rate}%",
            "max_duration": f"{limits.max_duration}s",
            "min_coverage": limits.min_coverage,
        }
    assert "Margins over the measured run" in (root / "thresholds.yml").read_text()
    assert _mmpgate(root, "ci").returncode in (0, 1), "ci accepts the file (no configuration error)"
