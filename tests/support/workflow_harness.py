"""Evaluate the reusable workflow's jobs the way GitHub does, offline: typed inputs with defaults,
job `if:` conditions, matrices from the plan's outputs, the `with:` each matrix entry passes on, and
a job's `run:` step executed through the composite-action runner with its `env:` evaluated first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import actions_files as af
import actions_runner as runner
import yaml
from actions_expressions import evaluate, evaluate_template, to_text, truthy


def workflow_inputs(
    given: Mapping[str, Any], workflow: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The callee's `inputs` context: typed defaults, overridden by what the caller passes."""
    workflow = workflow or af.load_yaml(af.REUSABLE)
    declared = workflow["on"]["workflow_call"]["inputs"]
    unknown = set(given) - set(declared)
    if unknown:
        raise KeyError(f"inputs not declared by the workflow: {sorted(unknown)}")
    values = {name: spec.get("default", "") for name, spec in declared.items()}
    values.update(given)
    return values


def status_functions(*, cancelled: bool = False, failed: bool = False) -> dict[str, Any]:
    """`always()`, `success()`, `failure()`, `cancelled()` for a job condition."""
    return {
        "always": lambda: True,
        "success": lambda: not failed and not cancelled,
        "failure": lambda: failed,
        "cancelled": lambda: cancelled,
    }


def job_runs(
    job: Mapping[str, Any], contexts: Mapping[str, Any], *, cancelled: bool = False
) -> bool:
    """A job's `if:` (default `success()`), with `needs` results deciding success and failure."""
    needs = contexts.get("needs", {})
    failed = any(need.get("result") == "failure" for need in needs.values())
    skipped_or_failed = any(need.get("result") not in ("success", None) for need in needs.values())
    condition = str(job.get("if", "")).strip()
    if condition.startswith("${{") and condition.endswith("}}"):
        condition = condition[3:-2].strip()
    status = status_functions(cancelled=cancelled, failed=failed)
    status["success"] = lambda: not skipped_or_failed and not cancelled
    if not condition:
        condition = "success()"
    elif not any(f"{name}()" in condition for name in status):
        condition = f"success() && ({condition})"
    return truthy(evaluate(condition, contexts, status))


def matrix_entries(job: Mapping[str, Any], contexts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The job's `strategy.matrix.include`, evaluated."""
    include = job["strategy"]["matrix"]["include"]
    entries = evaluate_template(include, contexts)
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"matrix.include must be a non-empty list, got {entries!r}")
    return [dict(entry) for entry in entries]


def step_with(step: Mapping[str, Any], contexts: Mapping[str, Any]) -> dict[str, str]:
    """A `uses:` step's `with:` as the action receives it (strings)."""
    return {
        str(key): to_text(evaluate_template(value, contexts))
        for key, value in (step.get("with") or {}).items()
    }


@dataclass(frozen=True, slots=True)
class ShardCall:
    """One shard job's call of the action: its stage, matrix entry and the inputs it passes."""

    stage: str
    entry: dict[str, Any]
    inputs: dict[str, str]


def shard_calls(
    plan_outputs: Mapping[str, str], given: Mapping[str, Any], results: Mapping[str, str]
) -> list[ShardCall]:
    """Every shard job the workflow would start for these plan outputs and earlier job results."""
    workflow = af.load_yaml(af.REUSABLE)
    inputs = workflow_inputs(given, workflow)
    calls = []
    for job_id, job in workflow["jobs"].items():
        if not job_id.startswith("stage-"):
            continue
        needs = {
            name: {"result": results.get(name, "success"), "outputs": {}} for name in job["needs"]
        }
        needs["plan"] = {"result": "success", "outputs": dict(plan_outputs)}
        contexts = {"inputs": inputs, "needs": needs, "github": {"event_name": "push"}}
        if not job_runs(job, contexts):
            continue
        action_step = next(step for step in job["steps"] if step.get("uses") == "$/.")
        for entry in matrix_entries(job, contexts):
            matrix_contexts = {**contexts, "matrix": entry}
            calls.append(ShardCall(job_id, entry, step_with(action_step, matrix_contexts)))
    return calls


def run_step(
    step: Mapping[str, Any], contexts: Mapping[str, Any], tmp_path: Path, name: str = "step"
) -> runner.StepResult:
    """Run one workflow `run:` step through the runner harness, its `env:` evaluated first."""
    env = {key: to_text(evaluate_template(value, contexts)) for key, value in step["env"].items()}
    action = {
        "name": name,
        "description": "one step of the reusable workflow",
        "runs": {"using": "composite", "steps": [{**step, "env": env, "if": "always()"}]},
    }
    directory = tmp_path / name
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "action.yml").write_text(yaml.safe_dump(action), encoding="utf-8")
    workspace = tmp_path / f"{name}-workspace"
    workspace.mkdir(exist_ok=True)
    result = runner.run_action(
        directory,
        {},
        workspace=workspace,
        runner_temp=tmp_path / f"{name}-temp",
        stubs={},
        base_env=base_env(tmp_path),
    )
    return result.steps[0]


def base_env(tmp_path: Path) -> dict[str, str]:
    """A runner-like environment whose `python` is this interpreter (mmpgate installed)."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        "PATH": os.pathsep.join([bin_dir, os.environ["PATH"]]),
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
    }
