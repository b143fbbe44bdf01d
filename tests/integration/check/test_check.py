"""`mmpgate check` on metrics written by real pytest runs: verdicts, formats, GitHub files."""

from __future__ import annotations

import json

import pytest

from mmpgate.cli import main
from mmpgate.gate.check import run_check

PASSING = """
import pytest

def test_one():
    assert True

def test_two():
    assert 1 + 1 == 2

@pytest.mark.skip(reason="not here")
def test_skipped():
    pass
"""

FAILING = """
def test_one():
    assert True

def test_two():
    assert 1 + 1 == 3
"""

THRESHOLDS = """
version: 1
require_groups: [unit, integration]
defaults:
  max_skip_rate: 50%
  min_tests: 2
total:
  max_failure_rate: 0
"""


def test_passing_run_exits_zero(pytester, record, capsys):
    """Two complete passing groups within the rules: exit 0 and a PASS table."""
    record("unit", PASSING)
    record("integration", PASSING)
    pytester.makefile(".yml", thresholds=THRESHOLDS)
    code = main(
        [
            "check",
            str(pytester.path / "thresholds.yml"),
            "--metrics",
            str(pytester.path / "results"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("mmpgate gate: PASS")
    assert "33.33% (1/3)" in out


def test_failing_test_fails_the_gate_and_fills_github_files(pytester, record, capsys, monkeypatch):
    """A failing test: exit 1, outputs, summary table and an annotation pointing at its file."""
    record("unit", FAILING)
    record("integration", PASSING)
    pytester.makefile(".yml", thresholds=THRESHOLDS)
    outputs, summary = pytester.path / "gh_output", pytester.path / "gh_summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code = main(
        [
            "check",
            str(pytester.path / "thresholds.yml"),
            "--metrics",
            str(pytester.path / "results"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert values["verdict"] == "fail"
    assert values["unit-failure-rate"] == "0.5"
    assert values["failure-rate"] == "0.2"
    assert values["integration-skip-rate"] == "0.333333"
    assert values["coverage"] == ""
    assert float(values["duration"]) > 0
    assert (
        "| rule | group | measured | threshold | baseline | delta | result |" in summary.read_text()
    )
    source = (pytester.path / "test_unit.py").read_text().splitlines()
    line = source.index("def test_two():") + 1
    assert (
        f"::error file=test_unit.py,line={line},title=failed%3A test_unit.py%3A%3Atest_two::" in out
    )


def test_required_group_that_did_not_run_fails(pytester, record, capsys):
    """Only one of the two required groups ran: the gate fails naming the missing one."""
    record("unit", PASSING)
    pytester.makefile(".yml", thresholds=THRESHOLDS)
    assert run_check(pytester.path / "thresholds.yml", pytester.path / "results") == 1
    out = capsys.readouterr().out
    assert any(line.split()[:3] == ["present", "integration", "fail"] for line in out.splitlines())


def test_stopped_run_is_incomplete_and_fails(pytester, capsys):
    """A run stopped by -x leaves an incomplete file; the gate refuses to compute from it."""
    pytester.makepyfile(
        test_unit=FAILING.replace("def test_one", "def test_0(): assert 0\n\ndef test_one")
    )
    pytester.runpytest("-x", "--mmpgate-metrics=results/metrics.unit.json", "--mmpgate-group=unit")
    pytester.makefile(
        ".yml",
        thresholds="version: 1\nrequire_groups: [unit]\ndefaults: {max_failure_rate: 100%}\n",
    )
    capsys.readouterr()
    assert run_check(pytester.path / "thresholds.yml", pytester.path / "results") == 1
    out = capsys.readouterr().out
    assert "complete" in out
    assert "stopped early" in out


def test_baseline_regressions(pytester, record, capsys):
    """Against a baseline run: a newly failing test and a removed test are found and fail."""
    record("unit", PASSING + "\ndef test_gone():\n    pass\n", directory="baseline")
    record("unit", FAILING)
    pytester.makefile(
        ".yml",
        thresholds="version: 1\ndefaults: {max_failure_rate: 100%}\n"
        "regression: {max_new_failures: 0, max_removed_tests: 0, on_missing_baseline: fail}\n",
    )
    verdict_file = pytester.path / "verdict.json"
    code = run_check(
        pytester.path / "thresholds.yml",
        pytester.path / "results",
        baseline=pytester.path / "baseline",
        fmt="json",
        output=verdict_file,
    )
    assert code == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(verdict_file.read_text())
    results = {(row["rule"], row["group"]): row for row in printed["rows"]}
    assert results["max_new_failures", "unit"]["measured"]["value"] == 1
    assert results["max_removed_tests", "unit"]["measured"]["value"] == 2  # test_skipped, test_gone
    assert [t["nodeid"] for t in printed["tests"]["new_failures"]] == ["test_unit.py::test_two"]
    _assert_valid_verdict(printed)


def _assert_valid_verdict(document):
    """The written verdict matches the shipped schema (and a broken one does not)."""
    import jsonschema

    from mmpgate.config.schemas import VERDICT, load_schema

    validator = jsonschema.Draft202012Validator(load_schema(VERDICT))
    assert list(validator.iter_errors(document)) == []
    broken = {**document, "rows": [{**document["rows"][0], "result": "maybe"}]}
    assert not validator.is_valid(broken)


@pytest.mark.parametrize(("policy", "code"), [("pass", 0), ("warn", 0), ("fail", 1)])
def test_baseline_path_that_does_not_exist_is_a_missing_baseline(
    pytester, record, capsys, policy, code
):
    """A baseline path that does not exist is decided by on_missing_baseline, not an input error."""
    record("unit", PASSING)
    pytester.makefile(
        ".yml",
        thresholds=f"version: 1\nregression: {{baseline: nowhere, on_missing_baseline: {policy}, max_new_failures: 0}}\n",
    )
    assert (
        main(
            [
                "check",
                str(pytester.path / "thresholds.yml"),
                "--metrics",
                str(pytester.path / "results"),
            ]
        )
        == code
    )
    assert "no baseline at nowhere" in capsys.readouterr().out


def test_markdown_format(pytester, record, capsys):
    """--format markdown prints the job-summary markdown."""
    record("unit", PASSING)
    pytester.makefile(".yml", thresholds="version: 1\n")
    assert (
        main(
            [
                "check",
                str(pytester.path / "thresholds.yml"),
                "--metrics",
                str(pytester.path / "results"),
                "--format",
                "markdown",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith("### mmpgate gate: PASS")


def test_metrics_dir_from_thresholds_relative_to_cwd(pytester, record, capsys, monkeypatch):
    """`metrics:` in the thresholds file is used when --metrics is not given."""
    record("unit", PASSING, directory="custom-results")
    pytester.makefile(".yml", thresholds="version: 1\nmetrics: custom-results\n")
    monkeypatch.chdir(pytester.path)
    assert main(["check"]) == 0
    assert "metrics: custom-results" in capsys.readouterr().out
