"""The gate's last step fails unless every requested group job succeeded."""

from __future__ import annotations

import os

import actions_files as af
import actions_runner as runner
import pytest
import yaml

GROUPS = ("unit", "integration", "e2e")


@pytest.fixture
def gate_step_action(tmp_path):
    """The gate's result step from the reusable workflow, wrapped as a one-step action."""
    step = af.load_yaml(af.REUSABLE)["jobs"]["gate"]["steps"][-1]
    env = {
        key: str(value).replace("needs.", "inputs.result-").replace(".result }}", " }}")
        for key, value in step["env"].items()
    }
    action = {
        "name": "gate results",
        "description": "the gate's last step",
        "inputs": {
            name: {"description": name} for name in ["groups", *(f"result-{g}" for g in GROUPS)]
        },
        "runs": {"using": "composite", "steps": [{**step, "env": env, "if": "always()"}]},
    }
    directory = tmp_path / "gate-step"
    directory.mkdir()
    (directory / "action.yml").write_text(yaml.safe_dump(action), encoding="utf-8")
    return directory


def judge(directory, tmp_path, groups, **results):
    """Run the step with these job results; return the step."""
    inputs = {"groups": groups, **{f"result-{g}": results.get(g, "success") for g in GROUPS}}
    (tmp_path / "ws").mkdir(exist_ok=True)
    outcome = runner.run_action(
        directory,
        inputs,
        workspace=tmp_path / "ws",
        runner_temp=tmp_path / "temp",
        stubs={},
        base_env={"PATH": os.environ["PATH"]},
    )
    return outcome.steps[0]


def test_all_groups_succeeded_passes(gate_step_action, tmp_path):
    """Three successful group jobs pass."""
    assert judge(gate_step_action, tmp_path, "unit integration e2e").outcome == "success"


@pytest.mark.parametrize("result", ["failure", "cancelled", "skipped", ""])
def test_a_requested_group_that_did_not_succeed_fails(gate_step_action, tmp_path, result):
    """failure, cancelled, skipped (and a missing result) of a requested group fail the gate."""
    step = judge(gate_step_action, tmp_path, "unit integration e2e", integration=result)
    assert step.outcome == "failure"
    assert [c.properties.get("title") for c in step.commands] == ["mmpgate gate"]
    assert "job integration" in step.commands[0].message


def test_a_group_left_out_on_purpose_must_be_skipped(gate_step_action, tmp_path):
    """A group not requested passes when skipped, and fails if it ran anyway."""
    assert judge(gate_step_action, tmp_path, "unit e2e", integration="skipped").outcome == "success"
    assert judge(gate_step_action, tmp_path, "unit e2e", integration="success").outcome == "failure"
