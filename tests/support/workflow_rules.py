"""Contract rules for the reusable workflow, each returning its problems (empty: the rule holds).

They take the workflow as data so that each one can also be shown failing on a broken fixture.
"""

from __future__ import annotations

import re
from typing import Any

Workflow = dict[str, Any]

UPLOAD = "actions/upload-artifact"
DOWNLOAD = "actions/download-artifact"
SELF = "$/."
STAGE_JOB = re.compile(r"stage-(\d+)")


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def _uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", ""))


def stage_jobs(workflow: Workflow) -> list[str]:
    """The stage job ids, in stage order."""
    ids = [job for job in workflow["jobs"] if STAGE_JOB.fullmatch(job)]
    return sorted(ids, key=lambda job: int(job.split("-")[1]))


def artifact_problems(workflow: Workflow) -> list[str]:
    """Uploads replace (re-runs never 409); shard artifacts are named `<prefix>-<matrix.name>`."""
    problems = []
    for job_id, job in workflow["jobs"].items():
        for step in _steps(job):
            with_ = step.get("with") or {}
            if _uses(step).startswith(UPLOAD) and with_.get("overwrite") is not True:
                problems.append(f"{job_id}: upload {with_.get('name')!r} without overwrite: true")
            if _uses(step) == SELF and STAGE_JOB.fullmatch(job_id):
                expected = "${{ inputs.artifact-prefix }}-${{ matrix.name }}"
                if with_.get("artifact-name") != expected:
                    problems.append(f"{job_id}: artifact-name must be {expected}")
    return problems


def gate_problems(workflow: Workflow) -> list[str]:
    """The gate needs every job, skips cancelled runs, and judges every job's result."""
    jobs = workflow["jobs"]
    gate = jobs.get("gate")
    if gate is None:
        return ["no gate job"]
    problems = []
    if set(gate.get("needs") or []) != set(jobs) - {"gate"}:
        problems.append("gate: needs must list every other job")
    if str(gate.get("if", "")).replace("${{", "").replace("}}", "").strip() != "!cancelled()":
        problems.append(f"gate: if must be !cancelled(), not {gate.get('if')!r}")
    final = _steps(gate)[-1] if _steps(gate) else {}
    env_text = " ".join(str(v) for v in (final.get("env") or {}).values())
    if final.get("if") != "always()":
        problems.append("gate: the last step must run always()")
    for job_id in set(jobs) - {"gate"}:
        if f"needs.{job_id}.result" not in env_text:
            problems.append(f"gate: the last step does not judge needs.{job_id}.result")
    return problems


def _reads_other_runs(job: dict[str, Any]) -> bool:
    for step in _steps(job):
        if _uses(step).startswith(DOWNLOAD) and "run-id" in (step.get("with") or {}):
            return True
        if "gh api" in str(step.get("run", "")) and "/actions/" in str(step.get("run", "")):
            return True
    return False


def permission_problems(workflow: Workflow) -> list[str]:
    """`permissions: {}` on top, each job its own, read only, `actions: read` exactly where a job
    reads another run (the API or a download with `run-id`)."""
    problems = []
    if workflow.get("permissions") != {}:
        problems.append("top-level permissions must be {}")
    for job_id, job in workflow["jobs"].items():
        permissions = job.get("permissions")
        if not isinstance(permissions, dict):
            problems.append(f"{job_id}: no permissions of its own")
            continue
        if not set(permissions.values()) <= {"read"}:
            problems.append(f"{job_id}: asks for more than read")
        if "uses" in job:
            continue  # a call of a reusable workflow grants what its callee's jobs need
        needs_actions = _reads_other_runs(job)
        if ("actions" in permissions) != needs_actions:
            what = "asks for actions: read without reading" if not needs_actions else "reads"
            problems.append(f"{job_id}: {what} another run's artifacts")
        checks_out = any(_uses(step).startswith("actions/checkout") for step in _steps(job))
        if ("contents" in permissions) != checks_out:
            problems.append(f"{job_id}: contents: read exactly when it checks out")
    return problems


def stage_problems(workflow: Workflow) -> list[str]:
    """Stage k needs the plan and every earlier stage, runs its plan matrix, skips when empty."""
    problems = []
    stages = stage_jobs(workflow)
    if not stages:
        return ["no stage jobs"]
    for number, job_id in enumerate(stages, start=1):
        job = workflow["jobs"][job_id]
        if job_id != f"stage-{number}":
            problems.append(f"{job_id}: stage jobs must be numbered 1..n")
        needs = set(job.get("needs") or [])
        earlier = {f"stage-{k}" for k in range(1, number)}
        if not {"plan", *earlier} <= needs or needs - {"plan", "baseline", *earlier}:
            problems.append(f"{job_id}: needs must be plan (baseline) and the earlier stages")
        condition = str(job.get("if", ""))
        for part in ("!cancelled()", f"needs.plan.outputs.{job_id} != '[]'"):
            if part not in condition:
                problems.append(f"{job_id}: if lacks {part}")
        include = ((job.get("strategy") or {}).get("matrix") or {}).get("include")
        if include != f"${{{{ fromJSON(needs.plan.outputs.{job_id}) }}}}":
            problems.append(f"{job_id}: matrix.include must be the plan's {job_id}")
        if (job.get("strategy") or {}).get("fail-fast") is not False:
            problems.append(f"{job_id}: strategy.fail-fast must be false (every shard reports)")
    plan_outputs = set((workflow["jobs"].get("plan") or {}).get("outputs") or {})
    if not set(stages) <= plan_outputs:
        problems.append("plan: must output every stage's matrix")
    return problems


def pin_problems(workflow: Workflow) -> list[str]:
    """mmpgate is used only as `$/.` (one pin: the caller's); nothing checks out another repo."""
    problems = []
    inputs = workflow["on"]["workflow_call"].get("inputs") or {}
    for name in inputs:
        if name.startswith("mmpgate-"):
            problems.append(f"input {name}: a second pin")
    for job_id, job in workflow["jobs"].items():
        for step in _steps(job):
            uses = _uses(step)
            if uses.startswith("./") or (uses.startswith("$/") and uses != SELF):
                problems.append(f"{job_id}: uses {uses}, expected {SELF}")
            if uses.startswith("actions/checkout") and "repository" in (step.get("with") or {}):
                problems.append(f"{job_id}: checks out another repository")
    return problems


def runner_problems(workflow: Workflow) -> list[str]:
    """Every job runs on `inputs.runs-on`; setup-python caches pip wherever the project is there."""
    problems = []
    for job_id, job in workflow["jobs"].items():
        if "steps" not in job:
            continue
        if job.get("runs-on") != "${{ inputs.runs-on }}":
            problems.append(f"{job_id}: runs-on must be inputs.runs-on")
        checks_out = any(_uses(step).startswith("actions/checkout") for step in _steps(job))
        for step in _steps(job):
            cache = str((step.get("with") or {}).get("cache", ""))
            if (
                _uses(step).startswith("actions/setup-python")
                and checks_out
                and "inputs.pip-cache" not in cache
            ):
                problems.append(f"{job_id}: setup-python without the pip-cache input")
    return problems


ALL_RULES = (
    artifact_problems,
    gate_problems,
    permission_problems,
    stage_problems,
    pin_problems,
    runner_problems,
)
