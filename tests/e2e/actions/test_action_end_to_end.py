"""The composite action end to end on fixture projects: real pip install, pytest, metrics, gate."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sysconfig
import venv
import xml.etree.ElementTree as ET

import actions_files as af
import actions_runner as runner
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def action_python(tmp_path_factory):
    """A fresh venv that sees this environment's packages but not its mmpgate (the action installs it).

    The `.pth` line adds this environment's site-packages without processing its `.pth` files, so
    the editable mmpgate is invisible; pip then builds mmpgate from the action's directory offline.
    """
    home = tmp_path_factory.mktemp("action-venv")
    venv.create(home, with_pip=True)
    site = next((home / "lib").glob("python3*/site-packages"))
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return home / "bin"


class Artifacts:
    """The upload-artifact stub: copies what the real action would upload."""

    def __init__(self, root):
        self.root = root
        self.calls = []

    def __call__(self, call):
        self.calls.append(call.with_)
        assert call.uses == "actions/upload-artifact@" + af.PINS["actions/upload-artifact"][0]
        source = call.workspace / call.with_["path"]
        hidden = call.with_.get("include-hidden-files") == "true"
        target = self.root / call.with_["name"]
        for path in source.rglob("*"):
            if path.is_file() and (hidden or not path.name.startswith(".")):
                (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / path.relative_to(source))
        return {"artifact-id": "1"}


def setup_python(call):
    """The setup-python stub: the job's Python stays; the input must arrive verbatim."""
    setup_python.calls.append(call.with_)
    return {"python-version": call.with_["python-version"]}


setup_python.calls = []


def run_on(project, tmp_path, action_python, **inputs):
    """Copy a fixture project into a workspace and run the action there."""
    workspace = tmp_path / "workspace"
    directory = inputs.get("working-directory", "project")
    shutil.copytree(af.FIXTURES / project, workspace / directory)
    artifacts = Artifacts(tmp_path / "artifacts")
    env = base_env(tmp_path, action_python)
    result = runner.run_action(
        af.ROOT,
        {"working-directory": directory, **inputs},
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        stubs={"actions/upload-artifact": artifacts, "actions/setup-python": setup_python},
        base_env=env,
    )
    return result, artifacts, workspace / directory


def base_env(tmp_path, action_python):
    """A runner-like environment whose Python is the fresh venv; pip stays offline."""
    return {
        "PATH": f"{action_python}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's inverted switch: build with the installed hatchling
    }


def counts(path):
    """The counts of a metrics file."""
    return json.loads(path.read_text(encoding="utf-8"))["counts"]


def test_the_action_passes_a_passing_project(tmp_path, action_python):
    """`command: ci` installs mmpgate, runs three groups, gates them, uploads, and says pass."""
    result, artifacts, project = run_on("passing", tmp_path, action_python)
    assert result.outcome == "success", (
        result.step("mmpgate").stdout[-3000:] + result.step("mmpgate").stderr[-3000:]
    )
    out = result.outputs
    assert out["verdict"] == "pass"
    assert out["exit-code"] == "0"
    assert float(out["failure-rate"]) == 0
    assert float(out["skip-rate"]) == 0
    assert float(out["coverage"]) >= 50
    assert float(out["duration"]) > 0
    results = project / "mmpgate-results"
    assert out["metrics-dir"] == str(results.resolve())
    groups = [counts(results / f"metrics.{g}.json") for g in ("unit", "integration", "e2e")]
    total = counts(results / "metrics.total.json")
    assert total["total"] == sum(g["total"] for g in groups) == total["passed"]
    assert "PASS" in result.summary
    for group in ("unit", "integration", "e2e"):
        assert group in result.summary
    assert out["artifact-name"] == "mmpgate-all"
    uploaded = artifacts.root / "mmpgate-all"
    assert artifacts.calls[0]["include-hidden-files"] == "true"
    assert artifacts.calls[0]["overwrite"] == "true"
    for name in (".coverage.unit", "metrics.unit.json", "coverage.e2e.xml", "metrics.total.json"):
        assert (uploaded / name).is_file(), name
    assert json.loads((uploaded / "verdict.json").read_text())["verdict"] == "pass"
    installed = subprocess.run(
        [str(action_python / "python"), "-c", "import mmpgate; print(mmpgate.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert installed.stdout.startswith(str(action_python.parent)), (
        "mmpgate not installed by the action"
    )


def test_the_action_fails_a_failing_project_after_uploading(tmp_path, action_python):
    """A failing test fails the gate: outputs say fail, results are uploaded, then the step fails."""
    result, artifacts, _ = run_on("failing", tmp_path, action_python)
    assert result.outcome == "failure"
    assert result.outputs["verdict"] == "fail"
    assert result.outputs["exit-code"] == "1"
    assert float(result.outputs["failure-rate"]) > 0
    upload = next(s for s in result.steps if s.name == "Upload the results")
    assert upload.outcome == "success"
    assert (artifacts.root / "mmpgate-all" / "metrics.integration.json").is_file()
    last = result.steps[-1]
    assert last.outcome == "failure"
    assert last.exit_code == 1
    assert [c.name for c in last.commands] == ["error"]
    assert "test_mean_rounds_down" in result.summary
    assert "FAIL" in result.summary


def test_injection_canaries_in_every_carried_input_never_run(tmp_path, action_python):
    """Canaries in every free-form input travel as data to the end: nothing fires, the gate passes."""
    payload = runner.all_canaries()
    thresholds = f"thresholds {payload}.yml"
    inputs = {
        "working-directory": f"project {payload}",
        "thresholds": thresholds,
        "metrics-dir": f"results {payload}",
        "baseline": f"baseline {payload}",
        "pytest-args": shlex.quote(f"--junit-prefix={payload}"),
        "python-version": payload,
    }
    workspace = tmp_path / "workspace"
    project = workspace / inputs["working-directory"]
    setup_python.calls.clear()
    shutil.copytree(af.FIXTURES / "passing", project)
    shutil.copy(af.FIXTURES / "passing" / "thresholds.yml", project / thresholds)
    artifacts = Artifacts(tmp_path / "artifacts")
    result = runner.run_action(
        af.ROOT,
        inputs,
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        stubs={"actions/upload-artifact": artifacts, "actions/setup-python": setup_python},
        base_env=base_env(tmp_path, action_python),
    )
    assert runner.fired_canaries(tmp_path) == []
    assert result.outcome == "success", (
        result.step("mmpgate").stdout[-3000:] + result.step("mmpgate").stderr[-3000:]
    )
    assert result.outputs["verdict"] == "pass"
    assert setup_python.calls == [{"python-version": payload}]
    junit = ET.parse(project / inputs["metrics-dir"] / "junit.unit.xml")  # noqa: S314
    classnames = {case.get("classname") for case in junit.iter("testcase")}
    assert classnames
    assert all(name.startswith(payload) for name in classnames), classnames
