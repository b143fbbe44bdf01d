"""Injection canaries: they fire on a deliberately vulnerable action and never on the real one."""

from __future__ import annotations

import os
import sys

import actions_files as af
import actions_runner as runner
import pytest

VULNERABLE = af.FIXTURES / "vulnerable"


def base_env(tmp_path):
    """A minimal environment, as a runner gives a step."""
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}


def run(action_dir, inputs, tmp_path, stubs=None):
    """Run an action in a fresh workspace under tmp_path."""
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
    return runner.run_action(
        action_dir,
        inputs,
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        stubs=stubs or {},
        base_env=base_env(tmp_path),
    )


@pytest.mark.parametrize("name", sorted(runner.CANARIES))
def test_each_canary_fires_on_the_vulnerable_action(tmp_path, name):
    """The vulnerable fixture runs every canary: proof that the canaries can detect injection."""
    run(VULNERABLE, {"value": runner.CANARIES[name]}, tmp_path)
    assert f"workspace/canary-{name}" in runner.fired_canaries(tmp_path)


def test_a_harmless_value_fires_nothing_on_the_vulnerable_action(tmp_path):
    """Without a canary nothing is touched: the detection has no false positive."""
    result = run(VULNERABLE, {"value": "plain words"}, tmp_path)
    assert result.outcome == "success"
    assert runner.fired_canaries(tmp_path) == []


CHECKED_INPUTS = [
    "command",
    "groups",
    "artifact-name",
    "upload",
    "install",
    "shard",
    "retention-days",
]


@pytest.mark.parametrize("name", CHECKED_INPUTS)
def test_canaries_in_a_checked_input_are_refused_and_never_run(tmp_path, name):
    """An input with a fixed vocabulary refuses canaries with an error, and none fires."""
    result = run(af.ROOT, {name: runner.all_canaries()}, tmp_path)
    assert result.outcome == "failure"
    prepare = result.step("prepare")
    assert prepare.exit_code == 2
    assert [c.name for c in prepare.commands] == ["error"]
    assert name.split("-")[0] in prepare.commands[0].message
    assert all(
        step.outcome == "skipped" for step in result.steps[result.steps.index(prepare) + 1 :]
    )
    assert runner.fired_canaries(tmp_path) == []


def test_the_real_action_has_no_other_unvalidated_string_inputs():
    """Every input is covered: either refused above or carried through the end-to-end canary run."""
    carried = {"thresholds", "metrics-dir", "baseline", "pytest-args", "working-directory",
               "python-version", "durations-from", *MMPGATE_CHECKED}  # fmt: skip
    declared = set(af.load_yaml(af.ACTION)["inputs"])
    assert declared == carried | set(CHECKED_INPUTS)


#: Inputs mmpgate itself parses (JSON, stage order): carried as data, refused by mmpgate.
MMPGATE_CHECKED = {"shards": "plan", "stages": "plan", "expect": "combine"}


@pytest.mark.parametrize("name", sorted(MMPGATE_CHECKED))
def test_canaries_in_inputs_mmpgate_parses_reach_it_as_data(tmp_path, name):
    """The canaries reach mmpgate verbatim, which refuses them (exit 2); none fires."""
    env = base_env(tmp_path)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env["PATH"]])
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    result = runner.run_action(
        af.ROOT,
        {
            "command": MMPGATE_CHECKED[name],
            name: runner.all_canaries(),
            "groups": "unit",
            "install": "false",
            "upload": "false",
        },
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        stubs={},
        base_env=env,
    )
    assert result.outcome == "failure"
    assert result.outputs["exit-code"] == "2"
    assert f"{name}:" in result.step("mmpgate").stderr
    assert runner.fired_canaries(tmp_path) == []
