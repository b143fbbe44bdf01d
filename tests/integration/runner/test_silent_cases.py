"""Cases that used to give a silently wrong result: each now says so (real `mmpgate` runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics
from mmpgate.run.project import detect_sources, load_project

FAILING_UNIT = "def test_broken():\n    assert False\n"


def test_fail_fast_marks_later_groups_not_run(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """After --fail-fast stops, an older run's later-group file is not left to pass as this run's."""
    assert main(["run"]) == 0
    out = sample.path / "mmpgate-results"
    assert load_metrics(out / "metrics.integration.json")["complete"] is True
    (sample.path / "tests" / "unit" / "test_broken.py").write_text(FAILING_UNIT)
    assert main(["run", "--fail-fast"]) == 1
    later = load_metrics(out / "metrics.integration.json")
    assert later["complete"] is False
    assert "not run: --fail-fast stopped after group 'unit' failed" in later["reason"]
    assert not (out / ".coverage.integration").exists()
    (sample.path / "thresholds.yml").write_text("version: 1\n")
    capsys.readouterr()
    assert main(["check", "--metrics", str(out)]) == 1
    assert "not run: --fail-fast" in capsys.readouterr().out


def test_group_coverage_source_is_honoured(sample: pytest.Pytester) -> None:
    """A per-group `coverage_source` reaches that group's `--cov` (it was accepted and ignored)."""
    (sample.path / "tests" / "unit" / "helper_mod.py").write_text("X = 1\n")
    sample.makepyprojecttoml(
        '[project]\nname = "calc"\nversion = "0"\n'
        '[tool.mmpgate.groups.unit]\npath = "tests/unit"\ncoverage_source = ["calc", "tests/unit"]\n'
        '[tool.mmpgate.groups.integration]\npath = "tests/integration"\n'
    )
    assert main(["run"]) == 0
    out = sample.path / "mmpgate-results"
    unit = (out / "coverage.unit.xml").read_text()
    integration = (out / "coverage.integration.xml").read_text()
    assert "test_add.py" in unit
    assert "test_sub.py" not in integration
    assert "__init__.py" in integration


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ({"calc.py": "X = 1\n", "conftest.py": "", "setup.py": ""}, ("calc",)),
        ({"src/ns/inner/mod.py": "X = 1\n"}, ("ns",)),
        ({"nspkg/mod.py": "X = 1\n", "tests/test_a.py": ""}, ("nspkg",)),
    ],
    ids=["single module", "src namespace package", "top-level namespace package"],
)
def test_projects_without_a_regular_package_are_measured(
    tmp_path: Path, layout: dict[str, str], expected: tuple[str, ...]
) -> None:
    """A single module or a namespace package is found (before: no `--cov` at all)."""
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert detect_sources(tmp_path) == expected
    assert load_project(tmp_path).coverage_source == expected


def test_single_module_project_gets_its_coverage(pytester: pytest.Pytester) -> None:
    """A project that is one module, run through `mmpgate run`, reports that module's coverage."""
    pytester.makepyprojecttoml('[project]\nname = "calc"\nversion = "0"\n')
    pytester.makepyfile(
        calc="def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    )
    (pytester.path / "tests" / "unit").mkdir(parents=True)
    (pytester.path / "conftest.py").write_text(
        "import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n"
    )
    (pytester.path / "tests" / "unit" / "test_calc.py").write_text(
        "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    assert main(["run"]) == 0
    coverage = load_metrics(pytester.path / "mmpgate-results" / "metrics.unit.json")["coverage"]
    assert coverage is not None
    assert coverage["lines_valid"] == 4
    assert coverage["lines_covered"] == 3


def test_stale_coverage_source_is_an_error_at_the_end_of_the_run(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .coveragerc naming a source that measured nothing fails the group's run, not later."""
    (sample.path / ".coveragerc").write_text("[run]\nsource = nowhere\n")
    code = main(["run", "unit"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "unit: error: coverage measured nothing" in err, err
    doc = load_metrics(sample.path / "mmpgate-results" / "metrics.unit.json")
    assert doc["complete"] is False
    assert "coverage measured nothing" in doc["reason"]


def test_configured_output_is_read_by_combine_and_check(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """`[tool.mmpgate] output` is where plain `combine` and `check` look (the README says so)."""
    sample.makepyprojecttoml(
        '[project]\nname = "calc"\nversion = "0"\n[tool.mmpgate]\noutput = "out/results"\n'
    )
    assert main(["run"]) == 0
    assert main(["combine"]) == 0
    assert (sample.path / "out" / "results" / "metrics.total.json").is_file()
    (sample.path / "thresholds.yml").write_text("version: 1\ntotal: {min_tests: 3}\n")
    capsys.readouterr()
    assert main(["check"]) == 0, capsys.readouterr().err
    assert "out/results" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "hint"),
    [("integraton", "did you mean 'integration'?"), ("smoke", "groups with metrics: integration, unit")],
)  # fmt: skip
def test_thresholds_group_without_metrics_is_an_error(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str], name: str, hint: str
) -> None:
    """Rules for a group no metrics file has (a typo, a group never run) are exit 2, not a skip."""
    assert main(["run"]) == 0
    (sample.path / "thresholds.yml").write_text(
        f"version: 1\ngroups:\n  {name}: {{max_failure_rate: 0}}\n"
    )
    capsys.readouterr()
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"thresholds.yml: $.groups.{name}: no metrics file" in err, err
    assert hint in err, err


def test_check_after_a_partial_run_explains_and_groups_gates_it(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """After `run unit`, the old total is refused with the two ways out; --groups gates unit."""
    assert main(["run"]) == 0
    assert main(["combine"]) == 0
    (sample.path / "tests" / "unit" / "test_more.py").write_text("def test_more():\n    pass\n")
    assert main(["run", "unit"]) == 0
    (sample.path / "thresholds.yml").write_text("version: 1\ntotal: {min_tests: 1}\n")
    capsys.readouterr()
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "run `mmpgate combine` again, or gate only the groups that ran" in err, err
    assert main(["check", "--groups", "unit", "--format", "json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert {row["group"] for row in verdict["rows"]} == {"unit"}


def test_ci_validates_thresholds_before_the_first_group(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in thresholds.yml is exit 2 before any group runs (it cost the whole suite before)."""
    (sample.path / "thresholds.yml").write_text("version: 1\ndefaults: {max_failure_rat: 0}\n")
    assert main(["ci"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'max_failure_rate'?" in err, err
    assert not (sample.path / "mmpgate-results").exists()


@pytest.mark.parametrize("name", ["MMPGATE_STOP_GRACE", "MMPGATE_PROGRESS_EVERY"])
@pytest.mark.parametrize("value", ["soon", "-1", "inf", "nan"])
def test_a_bad_seconds_setting_is_refused_before_any_group_runs(
    sample: pytest.Pytester,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
) -> None:
    """One line and exit 2 before the first group starts (it was a traceback after a group ran)."""
    monkeypatch.setenv(name, value)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"mmpgate run: error: {name}={value!r}: expected a number of seconds >= 0"
    assert not (sample.path / "mmpgate-results" / "metrics.unit.json").exists()
