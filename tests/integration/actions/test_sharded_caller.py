"""A four-group sharded caller, through the real plan step, the workflow's matrices and the gate."""

from __future__ import annotations

import json

import actions_files as af
import actions_runner as runner
import pytest
import workflow_harness as wh

from mmpgate.metrics.names import GROUP_NAME_PATTERN, is_group_name

CALLER = {
    "groups": "unit,integration,e2e,smoke",
    "shards": '{"unit": 4, "integration": 2}',
}
PREFIX = "mmpgate-results"


def run_plan(tmp_path, **inputs):
    """The action's `plan` command, as the workflow's plan job calls it (mmpgate installed)."""
    workflow = af.load_yaml(af.REUSABLE)
    step = next(s for s in workflow["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    contexts = {"inputs": wh.workflow_inputs({**CALLER, **inputs}, workflow)}
    workspace = tmp_path / "plan-workspace"
    workspace.mkdir(exist_ok=True)
    with_ = wh.step_with(step, contexts)
    with_["install"] = "false"  # this interpreter already has mmpgate, the job installs it
    return runner.run_action(
        af.ROOT,
        with_,
        workspace=workspace,
        runner_temp=tmp_path / "plan-temp",
        stubs={},
        base_env=wh.base_env(tmp_path),
    )


@pytest.fixture
def plan_outputs(tmp_path):
    """The plan job's outputs for the four-group sharded caller."""
    result = run_plan(tmp_path)
    assert result.outcome == "success", [s.stderr for s in result.steps]
    return {
        name: result.outputs[name]
        for name in ("stage-1", "stage-2", "stage-3", "stage-4", "expected")
    }


def test_the_plan_fans_out_each_group_into_its_stage(plan_outputs):
    """unit x4, then integration x2, then e2e and smoke side by side; stage-4 unused."""
    names = {
        key: [e["name"] for e in json.loads(plan_outputs[key])]
        for key in ("stage-1", "stage-2", "stage-3")
    }
    assert names == {
        "stage-1": ["unit-1of4", "unit-2of4", "unit-3of4", "unit-4of4"],
        "stage-2": ["integration-1of2", "integration-2of2"],
        "stage-3": ["e2e-1of1", "smoke-1of1"],
    }
    assert plan_outputs["stage-4"] == "[]"
    assert json.loads(plan_outputs["expected"]) == {
        "unit": 4,
        "integration": 2,
        "e2e": 1,
        "smoke": 1,
    }


def test_every_shard_job_uploads_a_unique_artifact_and_runs_its_shard(plan_outputs):
    """The matrices start 8 jobs, each passing its group, `K/N` and `<prefix>-<group>-<k>of<n>`."""
    calls = wh.shard_calls(plan_outputs, CALLER, {})
    artifacts = [call.inputs["artifact-name"] for call in calls]
    assert len(artifacts) == len(set(artifacts)) == 8
    assert f"{PREFIX}-unit-3of4" in artifacts
    assert f"{PREFIX}-smoke-1of1" in artifacts
    by_name = {call.entry["name"]: call.inputs for call in calls}
    assert by_name["unit-3of4"]["groups"] == "unit"
    assert by_name["unit-3of4"]["shard"] == "3/4"
    assert by_name["e2e-1of1"]["shard"] == ""
    assert by_name["unit-3of4"]["durations-from"] == ".mmpgate-durations"
    assert {call.stage for call in calls} == {"stage-1", "stage-2", "stage-3"}


def test_each_shard_call_passes_the_actions_input_checks(plan_outputs, tmp_path):
    """The action's own input step accepts every shard call and names the artifact as planned."""
    action = af.load_yaml(af.ACTION)
    prepare = next(step for step in action["runs"]["steps"] if step.get("id") == "prepare")
    for call in wh.shard_calls(plan_outputs, CALLER, {}):
        inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
        inputs.update(call.inputs)
        step = wh.run_step(prepare, {"inputs": inputs}, tmp_path, name=call.entry["name"])
        assert step.outcome == "success", step.stdout + step.stderr
        assert step.outputs["artifact-name"] == f"{PREFIX}-{call.entry['name']}"


def test_fail_fast_skips_later_stages_and_off_runs_them(plan_outputs):
    """A failed stage-1 shard skips stages 2 and 3 by default, and not with fail-fast false."""
    failed = {"stage-1": "failure"}
    assert {c.stage for c in wh.shard_calls(plan_outputs, CALLER, failed)} == {"stage-1"}
    relaxed = wh.shard_calls(plan_outputs, {**CALLER, "fail-fast": False}, failed)
    assert {c.stage for c in relaxed} == {"stage-1", "stage-2", "stage-3"}


@pytest.mark.parametrize(
    ("inputs", "step_id", "message"),
    [
        ({"groups": "unit tot.al"}, "prepare", "input groups"),
        ({"shards": '{"Unit": 2}'}, "mmpgate", "expected a group name of"),
        ({"shards": '{"unti": 2}'}, "mmpgate", "shards: unti not in groups"),
        ({"shards": '{"unit": 0}'}, "mmpgate", "expected an integer from 1 to"),
        ({"stages": "unit > > e2e"}, "mmpgate", "expected group names between"),
    ],
)
def test_the_plan_step_refuses_bad_groups_shards_and_stages(tmp_path, inputs, step_id, message):
    """A bad name, count or stage fails the plan job with a one-line error and exit code 2."""
    result = run_plan(tmp_path, **inputs)
    assert result.outcome == "failure"
    step = result.step(step_id)
    assert step.exit_code == 2 or result.outputs["exit-code"] == "2"
    assert message in step.stderr + " ".join(c.message for c in step.commands)


NAMES = [
    "unit",
    "e2e",
    "api-v2",
    "slow_db",
    "total",
    "a.b",
    "ünit",
    "Unit",
    "-",
    "_x",
    "a" * 64,
    "a" * 65,
]


def test_the_actions_group_check_is_mmpgates_group_name_rule(tmp_path):
    """The action's input step uses mmpgate's pattern and accepts exactly the names it accepts."""
    action = af.load_yaml(af.ACTION)
    prepare = next(step for step in action["runs"]["steps"] if step.get("id") == "prepare")
    assert f"=~ {GROUP_NAME_PATTERN} ||" in prepare["run"]
    defaults = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    for number, name in enumerate(NAMES):
        inputs = {**defaults, "groups": name, "command": "run"}
        step = wh.run_step(prepare, {"inputs": inputs}, tmp_path, name=f"name-{number}")
        assert (step.outcome == "success") == is_group_name(name), name


def gate_contexts(plan_outputs, results, baseline="none", durations="none"):
    """The gate job's contexts for these job results."""
    jobs = af.load_yaml(af.REUSABLE)["jobs"]
    needs = {
        job: {"result": results.get(job, "success"), "outputs": {}} for job in jobs if job != "gate"
    }
    needs["plan"]["outputs"] = dict(plan_outputs)
    needs["baseline"]["result"] = results.get("baseline", "skipped")
    needs["stage-4"]["result"] = results.get("stage-4", "skipped")
    inputs = wh.workflow_inputs({**CALLER, "baseline": baseline, "durations": durations})
    return {"inputs": inputs, "needs": needs}


def judge(plan_outputs, tmp_path, results, baseline="none", durations="none"):
    """Run the gate's last step (the job-result check) for these results."""
    final = af.load_yaml(af.REUSABLE)["jobs"]["gate"]["steps"][-1]
    contexts = gate_contexts(plan_outputs, results, baseline, durations)
    return wh.run_step(final, contexts, tmp_path, "judge")


def test_the_gate_passes_when_every_planned_stage_succeeded(plan_outputs, tmp_path):
    """Stages 1-3 succeeded, stage-4 (unplanned) and baseline (not asked for) skipped: pass."""
    assert judge(plan_outputs, tmp_path, {}).outcome == "success"


@pytest.mark.parametrize(
    ("job", "result"),
    [
        ("stage-2", "cancelled"),
        ("stage-3", "skipped"),
        ("stage-1", "failure"),
        ("plan", "failure"),
        ("stage-4", "success"),
        ("baseline", "success"),
    ],
)
def test_the_gate_fails_on_any_other_result_naming_the_job(plan_outputs, tmp_path, job, result):
    """Any planned job not succeeding, or an unplanned one running, fails with the job's name."""
    step = judge(plan_outputs, tmp_path, {job: result})
    assert step.outcome == "failure"
    assert any(f"job {job} ended '{result}'" in c.message for c in step.commands)


def test_the_gate_requires_the_baseline_job_when_asked_for(plan_outputs, tmp_path):
    """With baseline (or durations) from the default branch, the baseline job must succeed."""
    asked = {"baseline": "success"}
    assert judge(plan_outputs, tmp_path, asked, durations="default-branch").outcome == "success"
    assert judge(plan_outputs, tmp_path, {}, durations="default-branch").outcome == "failure"
    assert (
        judge(plan_outputs, tmp_path, {"baseline": "skipped"}, "default-branch").outcome
        == "failure"
    )
    assert (
        judge(plan_outputs, tmp_path, {"baseline": "success"}, "default-branch").outcome
        == "success"
    )


def test_the_gate_job_does_not_run_in_a_cancelled_workflow(plan_outputs):
    """`!cancelled()`: it runs after failures but not once the run was cancelled."""
    gate = af.load_yaml(af.REUSABLE)["jobs"]["gate"]
    contexts = gate_contexts(plan_outputs, {"stage-1": "failure"})
    assert wh.job_runs(gate, contexts) is True
    assert wh.job_runs(gate, contexts, cancelled=True) is False
