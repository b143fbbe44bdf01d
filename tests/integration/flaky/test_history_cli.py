"""`mmpgate history add|show` and `check --history` through `main()`, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.flaky.retries import Attempt, merge
from mmpgate.metrics.writing import write_json
from mmpgate.record import Recorder, RunFacts

PASS, FAIL = Attempt("passed", 0.1, None), Attempt("failed", 0.1, "boom")


def write_run(directory: Path, outcomes: dict[str, str], commit: str) -> None:
    """A unit metrics file; outcome 'flaky' is a failure that passed its retries."""
    recorder = Recorder()
    for name, outcome in outcomes.items():
        category = "passed" if outcome == "passed" else "failed"
        recorder.add_test_report(
            nodeid=f"t.py::{name}", when="call", category=category, duration=0.2,
            counts=True, message=None if category == "passed" else "boom", line=1,
        )  # fmt: skip
    environment = {
        "python": None, "platform": None, "pytest": None, "xdist": None, "workers": 2,
        "git_commit": commit, "command": [], "started": None, "finished": None, "producer": "t",
    }  # fmt: skip
    document = recorder.build(
        RunFacts(
            group="unit",
            exit_status=0,
            interrupted=False,
            stopped_early=False,
            collected=len(outcomes),
            wall=1.0,
            environment=environment,
            coverage=None,
            source={},
        )
    )
    retried = {
        f"t.py::{name}": [PASS, PASS] if outcome == "flaky" else [FAIL, FAIL]
        for name, outcome in outcomes.items()
        if outcome != "passed"
    }
    write_json(
        directory / "metrics.unit.json", merge(document, retried, max_attempts=2, processes=2)
    )


def test_add_then_show(
    store_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three recorded runs; show lists only the red tests with their rates and definitions."""
    results = tmp_path / "results"
    for number, outcomes in enumerate(
        [
            {"ok": "passed", "wobbly": "passed", "broken": "failed"},
            {"ok": "passed", "wobbly": "flaky", "broken": "failed"},
            {"ok": "passed", "wobbly": "passed", "broken": "failed"},
        ]
    ):
        write_run(results, outcomes, commit=f"c{number}")
        add = ["history", "add", str(results), "--store", store_target]
        assert main([*add, "--run-id", f"run-{number}", "--branch", "main"]) == 0
    out = capsys.readouterr().out
    assert "recorded run run-2 (3 tests, commit c2, branch main)" in out
    assert (
        main(["history", "show", "--store", store_target, "--format", "json", "--min-runs", "2"])
        == 0
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown["runs"] == 3
    assert [(t["nodeid"], t["failure_rate"], t["flaky_rate"], t["flip_rate"], t["flaky_by"])
            for t in shown["tests"]] == [
        ("t.py::broken", 1.0, 0.0, 0.0, []),
        ("t.py::wobbly", 0.0, 1 / 3, 1.0, ["same_commit", "flip_rate"]),
    ]  # fmt: skip
    assert main(["history", "show", "--store", store_target, "--min-runs", "2"]) == 0
    text = capsys.readouterr().out
    assert "unit            3 100.0%   0.0%   0.0%  -          t.py::broken" in text
    assert "unit            3   0.0%  33.3% 100.0%  same_commit,flip_rate t.py::wobbly" in text
    assert main(["history", "add", str(results), "--store", store_target, "--run-id", "run-2"]) == 2
    assert "run 'run-2' is already recorded" in capsys.readouterr().err


def test_keep_runs_bounds_the_store(store_target: str, tmp_path: Path, capsys) -> None:
    """--keep-runs 2 after four adds leaves the two newest runs."""
    for number in range(4):
        write_run(tmp_path, {"ok": "passed"}, commit="c")
        args = ["history", "add", str(tmp_path), "--store", store_target, "--run-id", f"r{number}"]
        assert main([*args, "--keep-runs", "2"]) == 0
    assert "1 old runs pruned" in capsys.readouterr().out
    assert main(["history", "show", "--store", store_target, "--all", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"] == 2


def test_check_fails_a_new_flaky_test_by_name(
    store_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Flaky now and never before: max_new_flaky (0 with a history) fails; known flaky passes."""
    history_run = tmp_path / "before"
    write_run(history_run, {"old": "flaky", "new": "passed"}, commit="c0")
    assert main(["history", "add", str(history_run), "--store", store_target, "--run-id", "1"]) == 0
    now = tmp_path / "now"
    write_run(now, {"old": "flaky", "new": "flaky"}, commit="c1")
    (tmp_path / "thresholds.yml").write_text("version: 1\n")
    thresholds = str(tmp_path / "thresholds.yml")
    capsys.readouterr()
    code = main(["check", thresholds, "--metrics", str(now), "--history", store_target])
    out = capsys.readouterr().out
    assert code == 1
    assert "max_new_flaky     unit   1            0                           fail" in out
    assert "not flaky in 1 recorded runs: t.py::new" in out
    assert "New flaky tests (not flaky in the history, not quarantined): 1" in out
    write_run(now, {"old": "flaky", "new": "passed"}, commit="c1")
    assert main(["check", thresholds, "--metrics", str(now), "--history", store_target]) == 0
