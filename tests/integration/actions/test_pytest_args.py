"""The action's `pytest-args` input: text shlex cannot split fails the step with one clear line,
still sets the `exit-code` output and still uploads the results."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import actions_files as af
import actions_runner as runner


def test_unbalanced_quote_is_exit_2_with_outputs_and_upload(tmp_path: Path) -> None:
    """`pytest-args: -k 'oops` is exit 2 naming the input; exit-code is set; upload still runs."""
    env = {"PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]),
           "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}  # fmt: skip
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    uploads: list[dict[str, str]] = []

    def upload(call: runner.StubCall) -> dict[str, str]:
        uploads.append(dict(call.with_))
        return {}

    result = runner.run_action(
        af.ROOT,
        {
            "command": "run",
            "groups": "unit",
            "pytest-args": "-k 'oops",
            "install": "false",
            "upload": "true",
        },
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        stubs={"actions/upload-artifact": upload},
        base_env=env,
    )
    assert result.outcome == "failure"
    assert result.outputs["exit-code"] == "2"
    step = result.step("mmpgate")
    assert "Traceback" not in step.stderr
    assert "mmpgate action: error: pytest-args: No closing quotation" in step.stderr
    assert any("pytest-args: No closing quotation" in c.message for c in step.commands)
    assert len(uploads) == 1
