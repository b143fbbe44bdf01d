"""Run a composite action's steps the way the runner does, offline.

What it reproduces (from the runner's behaviour for composite actions):
- `${{ }}` is substituted into `run:` as text before bash sees it, and into `env:`, `with:`,
  `working-directory:` and the action's `outputs` as values;
- each `run:` step is a script file run with `bash --noprofile --norc -e -o pipefail FILE`;
- before each step, fresh empty GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY and
  GITHUB_STATE files; after it, OUTPUT and ENV are parsed (`NAME=VALUE`, `NAME<<DELIM`), ENV and
  PATH carry over to later steps, OUTPUT becomes `steps.<id>.outputs`;
- workflow commands (`::error file=F::msg`, `::group::`, `::stop-commands::`) are parsed from
  stdout and unescaped;
- `if:` defaults to `success()`; a failed step skips the later steps that do not ask otherwise;
  inputs are strings, defaults fill the missing ones.

Every `uses:` step runs an explicit stub given by the test: a missing stub is an error.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from actions_expressions import (
    evaluate,
    evaluate_template,
    substitute,
    to_text,
    truthy,
    uses_status_function,
)

FILE_COMMANDS = (
    "GITHUB_OUTPUT",
    "GITHUB_ENV",
    "GITHUB_PATH",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_STATE",
)


class FileCommandError(ValueError):
    """A GITHUB_OUTPUT / GITHUB_ENV file the runner would reject."""


class MissingStubError(LookupError):
    """A `uses:` step ran and the test gave no stub for it."""


@dataclass(frozen=True, slots=True)
class WorkflowCommand:
    """One `::name key=value,...::message` line, unescaped."""

    name: str
    properties: dict[str, str]
    message: str


@dataclass(frozen=True, slots=True)
class StubCall:
    """What a stub of a `uses:` step receives."""

    uses: str
    with_: dict[str, str]
    env: dict[str, str]
    workspace: Path


Stub = Callable[[StubCall], Mapping[str, str]]


@dataclass(slots=True)
class StepResult:
    """What one step did."""

    id: str
    name: str
    outcome: str  # success | failure | skipped
    exit_code: int | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    commands: list[WorkflowCommand] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    script: str = ""


@dataclass(slots=True)
class ActionResult:
    """What the whole action did."""

    outcome: str
    outputs: dict[str, str]
    steps: list[StepResult]
    env: dict[str, str]
    path: list[str]

    @property
    def summary(self) -> str:
        """Every step's summary, in order: what the job summary would show."""
        return "".join(step.summary for step in self.steps)

    @property
    def commands(self) -> list[WorkflowCommand]:
        """Every workflow command of every step."""
        return [command for step in self.steps for command in step.commands]

    def step(self, step_id: str) -> StepResult:
        """The step with this id."""
        return next(step for step in self.steps if step.id == step_id)


def parse_file_command(text: str, what: str) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT / GITHUB_ENV file with the runner's rules."""
    result: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line == "":
            continue
        equals = line.find("=")
        heredoc = line.find("<<")
        if equals < 0 and heredoc < 0:
            raise FileCommandError(f"{what}: invalid format {line!r}")
        if heredoc >= 0 and (equals < 0 or heredoc < equals):
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            if not name or not delimiter:
                raise FileCommandError(f"{what}: invalid format {line!r}")
            value_lines: list[str] = []
            while True:
                if index >= len(lines):
                    raise FileCommandError(f"{what}: matching delimiter not found {delimiter!r}")
                current = lines[index]
                index += 1
                if current == delimiter:
                    break
                value_lines.append(current)
            result[name] = "\n".join(value_lines)
        else:
            name, value = line[:equals], line[equals + 1 :]
            if not name:
                raise FileCommandError(f"{what}: invalid format {line!r}")
            result[name] = value
    return result


def _unescape(value: str, is_property: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if is_property:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, plain in [*pairs, ("%25", "%")]:
        value = value.replace(escaped, plain)
    return value


_COMMAND = re.compile(r"^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$")


def parse_workflow_commands(stdout: str) -> list[WorkflowCommand]:
    """Workflow commands in a step's output, honouring `::stop-commands::`."""
    commands: list[WorkflowCommand] = []
    stop_token: str | None = None
    for line in stdout.splitlines():
        match = _COMMAND.match(line.strip())
        if match is None:
            continue
        name, props_text, message = match.groups()
        if stop_token is not None:
            if name == stop_token:
                stop_token = None
            continue
        if name == "stop-commands":
            stop_token = message
            continue
        properties: dict[str, str] = {}
        for item in (props_text or "").split(","):
            if "=" in item:
                key, value = item.split("=", 1)
                properties[key.strip()] = _unescape(value, is_property=True)
        commands.append(WorkflowCommand(name, properties, _unescape(message, is_property=False)))
    return commands


def load_action(action_dir: Path) -> dict[str, Any]:
    """The action's metadata."""
    data = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{action_dir}/action.yml: expected a mapping")
    return data


@dataclass(slots=True)
class _State:
    env_exports: dict[str, str] = field(default_factory=dict)
    path_entries: list[str] = field(default_factory=list)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: bool = False


def run_action(
    action_dir: Path,
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    stubs: Mapping[str, Stub],
    base_env: Mapping[str, str],
    github: Mapping[str, Any] | None = None,
) -> ActionResult:
    """Run the composite action in `action_dir` with `inputs`; return its steps and outputs."""
    action = load_action(action_dir)
    declared = action.get("inputs") or {}
    all_inputs = {name: to_text(spec.get("default", "")) for name, spec in declared.items()}
    all_inputs.update({name: str(value) for name, value in inputs.items()})
    github_context = {"workspace": str(workspace), "action_path": str(action_dir)}
    github_context.update(github or {})
    state = _State()
    results: list[StepResult] = []
    runner_temp.mkdir(parents=True, exist_ok=True)

    for position, step in enumerate(action["runs"]["steps"]):
        step_id = str(step.get("id") or f"__step{position}")
        contexts = {
            "inputs": all_inputs,
            "github": github_context,
            "env": dict(state.env_exports),
            "steps": state.steps,
            "runner": {"temp": str(runner_temp), "os": "Linux"},
        }
        status = {
            "always": lambda: True,
            "success": lambda: not state.failed,
            "failure": lambda: state.failed,
            "cancelled": lambda: False,
        }
        condition = str(step.get("if", "")).strip()
        if condition.startswith("${{") and condition.endswith("}}"):
            condition = condition[3:-2].strip()
        if not condition:
            condition = "success()"
        elif not uses_status_function(condition):
            condition = f"success() && ({condition})"
        result = StepResult(id=step_id, name=str(step.get("name", step_id)), outcome="skipped")
        if not truthy(evaluate(condition, contexts, status)):
            state.steps[step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            results.append(result)
            continue
        env = {
            str(k): to_text(evaluate_template(v, contexts, status))
            for k, v in (step.get("env") or {}).items()
        }
        if "uses" in step:
            _run_stub(step, env, contexts, status, stubs, workspace, result)
        else:
            _run_script(step, env, contexts, status, state, action_dir, workspace, runner_temp,
                        base_env, result)  # fmt: skip
        failed = result.outcome == "failure"
        continue_on_error = truthy(evaluate_template(step.get("continue-on-error", False),
                                                     contexts, status))  # fmt: skip
        conclusion = "success" if failed and continue_on_error else result.outcome
        state.steps[step_id] = {
            "outputs": result.outputs,
            "outcome": result.outcome,
            "conclusion": conclusion,
        }
        if failed and not continue_on_error:
            state.failed = True
        results.append(result)

    contexts = {"inputs": all_inputs, "github": github_context, "steps": state.steps}
    outputs = {
        name: to_text(evaluate_template(spec.get("value", ""), contexts))
        for name, spec in (action.get("outputs") or {}).items()
    }
    return ActionResult(
        outcome="failure" if state.failed else "success",
        outputs=outputs,
        steps=results,
        env=dict(state.env_exports),
        path=list(state.path_entries),
    )


def _run_stub(
    step: Mapping[str, Any],
    env: dict[str, str],
    contexts: Mapping[str, Any],
    status: Mapping[str, Callable[[], bool]],
    stubs: Mapping[str, Stub],
    workspace: Path,
    result: StepResult,
) -> None:
    uses = str(step["uses"])
    key = uses.split("@", 1)[0]
    if key not in stubs:
        raise MissingStubError(f"no stub for `uses: {uses}` (step {result.name!r})")
    with_ = {
        str(k): to_text(evaluate_template(v, contexts, status))
        for k, v in (step.get("with") or {}).items()
    }
    try:
        result.outputs = dict(stubs[key](StubCall(uses, with_, env, workspace)))
        result.outcome = "success"
    except Exception as exc:
        result.outcome = "failure"
        result.stderr = f"{type(exc).__name__}: {exc}"


def _run_script(
    step: Mapping[str, Any],
    env: dict[str, str],
    contexts: Mapping[str, Any],
    status: Mapping[str, Callable[[], bool]],
    state: _State,
    action_dir: Path,
    workspace: Path,
    runner_temp: Path,
    base_env: Mapping[str, str],
    result: StepResult,
) -> None:
    if step.get("shell") != "bash":
        raise ValueError(f"step {result.name!r}: the harness runs only `shell: bash` steps")
    script = substitute(str(step["run"]), contexts, status)
    result.script = script
    command_dir = runner_temp / "_runner_file_commands"
    command_dir.mkdir(parents=True, exist_ok=True)
    files = {name: command_dir / f"{name.lower()}_{uuid.uuid4()}" for name in FILE_COMMANDS}
    for path in files.values():
        path.write_bytes(b"")
    script_file = runner_temp / f"{uuid.uuid4()}.sh"
    script_file.write_text(script, encoding="utf-8")
    process_env = dict(base_env)
    process_env.update(state.env_exports)
    process_env.update(env)
    process_env.update({name: str(path) for name, path in files.items()})
    process_env.update(
        {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_ACTION_PATH": str(action_dir),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(runner_temp),
        }
    )
    if state.path_entries:
        process_env["PATH"] = os.pathsep.join(
            [*reversed(state.path_entries), process_env.get("PATH", "")]
        )
    cwd = workspace
    if "working-directory" in step:
        directory = to_text(evaluate_template(step["working-directory"], contexts, status))
        cwd = workspace / directory
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", str(script_file)],
        cwd=cwd,
        env=process_env,
        capture_output=True,
        text=True,
        check=False,
    )
    result.exit_code = done.returncode
    result.stdout = done.stdout
    result.stderr = done.stderr
    result.commands = parse_workflow_commands(done.stdout)
    result.outcome = "success" if done.returncode == 0 else "failure"
    read = {name: path.read_text(encoding="utf-8") for name, path in files.items()}
    result.outputs = parse_file_command(read["GITHUB_OUTPUT"], "GITHUB_OUTPUT")
    state.env_exports.update(parse_file_command(read["GITHUB_ENV"], "GITHUB_ENV"))
    state.path_entries.extend(line for line in read["GITHUB_PATH"].split("\n") if line)
    result.summary = read["GITHUB_STEP_SUMMARY"]
    if len(result.summary.encode("utf-8")) > 1024 * 1024:
        result.outcome = "failure"
        result.stderr += "\nstep summary over 1 MiB: the runner refuses to upload it"


#: Injection canaries: each runs `touch canary-<name>` only if the shell executes it as code.
#: Between them they break out of no quoting, double quotes and single quotes.
CANARIES: dict[str, str] = {
    "dollar": "$(touch canary-dollar)",
    "backtick": "`touch canary-backtick`",
    "semicolon": "x; touch canary-semicolon",
    "double-quote": '"; touch canary-double-quote; echo "',
    "single-quote": "'; touch canary-single-quote; echo '",
}


def all_canaries() -> str:
    """Every canary in one string (no `/`, so it is also a valid file name)."""
    return " ".join(CANARIES.values())


def fired_canaries(root: Path) -> list[str]:
    """The canary files under `root`: each one is an input that ran as code."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("canary-*") if path.is_file())
