"""Contract tests reading action.yml and the workflows as data."""

from __future__ import annotations

import re

import actions_expressions as expr
import actions_files as af
import pytest

CONTEXT_NAMES = re.compile(r"\b(inputs|github|steps|needs|jobs|env|matrix|secrets|vars)\b")


def test_every_uses_is_pinned_to_a_release_commit_with_its_version_comment():
    """Each remote `uses:` names a 40-hex commit of the pinned release and says its tag."""
    lines = [line for path in [af.ACTION, *af.workflow_files()] for line in af.uses_lines(path)]
    remote = [line for line in lines if not line.ref.startswith(("./", "$/"))]
    assert remote, "no remote uses: found: the reader is broken"
    for line in remote:
        name, _, ref = line.ref.partition("@")
        where = f"{line.file.name}:{line.line}"
        assert name in af.PINS, f"{where}: {name} is not one of the pinned actions"
        sha, tag = af.PINS[name]
        assert ref == sha, f"{where}: {name}@{ref} is not pinned to {sha}"
        assert line.comment.split()[0] == tag, f"{where}: comment must start with `# {tag}`"


def test_every_uses_line_was_read():
    """The text reader finds as many `uses:` as the YAML holds (none escapes the pin check)."""
    for path in [af.ACTION, *af.workflow_files()]:
        data = af.load_yaml(path)
        in_yaml = sum(1 for step in af.steps_of(path) if "uses" in step.data)
        in_yaml += sum(1 for job in (data.get("jobs") or {}).values() if "uses" in job)
        assert len(af.uses_lines(path)) == in_yaml, path.name


def test_every_run_step_has_shell_bash():
    """Every `run:` step in the action and the workflows says `shell: bash`."""
    run_steps = [step for step in af.all_steps() if "run" in step.data]
    assert len(run_steps) > 5
    for step in run_steps:
        assert step.data.get("shell") == "bash", step.where


def test_no_expression_inside_any_run_script():
    """No `${{ }}` at all in `run:`: inputs, event data and outputs reach scripts through env."""
    for step in af.all_steps():
        if "run" in step.data:
            assert "${{" not in str(step.data["run"]), step.where


def test_the_no_expression_rule_catches_the_vulnerable_fixture():
    """The same rule flags the deliberately vulnerable fixture action."""
    steps = list(af.steps_of(af.FIXTURES / "vulnerable" / "action.yml"))
    flagged = [step for step in steps if "${{" in str(step.data.get("run", ""))]
    assert flagged, "the vulnerable fixture must interpolate its input into run:"


def test_every_action_output_maps_to_an_existing_step_id():
    """Each output value reads `steps.<id>.outputs.<name>` of a step that exists."""
    action = af.load_yaml(af.ACTION)
    ids = {step["id"] for step in action["runs"]["steps"] if "id" in step}
    for name, spec in action["outputs"].items():
        bodies = expr.expressions_in(spec["value"])
        assert len(bodies) == 1, name
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", bodies[0])
        assert match, f"output {name}: {bodies[0]!r}"
        assert match[1] in ids, f"output {name} reads step {match[1]!r}, which does not exist"


def test_every_reusable_workflow_output_maps_to_a_job_output_and_a_step():
    """Workflow outputs read existing job outputs, which read existing step ids of that job."""
    workflow = af.load_yaml(af.REUSABLE)
    outputs = workflow["on"]["workflow_call"]["outputs"]
    for name, spec in outputs.items():
        match = re.fullmatch(
            r"jobs\.([\w-]+)\.outputs\.([\w-]+)", expr.expressions_in(spec["value"])[0]
        )
        assert match, name
        job = workflow["jobs"][match[1]]
        assert match[2] in job["outputs"], name
        step_ref = re.fullmatch(
            r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr.expressions_in(job["outputs"][match[2]])[0]
        )
        assert step_ref, name
        assert step_ref[1] in {step.get("id") for step in job["steps"]}, name


@pytest.mark.parametrize("path", [af.ACTION, af.REUSABLE], ids=["action", "reusable"])
def test_every_referenced_input_is_declared(path):
    """`inputs.<name>` everywhere in the file names a declared input (no typo reads '')."""
    data = af.load_yaml(path)
    declared = set(data["inputs"] if "inputs" in data else data["on"]["workflow_call"]["inputs"])
    used = {
        name
        for text in expression_texts(data)
        for name in re.findall(r"(?<![\w.-])inputs\.([A-Za-z0-9_-]+)", text)
    }
    assert used, "no input is referenced: the reader is broken"
    assert used <= declared, sorted(used - declared)


def expression_texts(node, key=None):
    """Every expression in a YAML tree: the bodies of `${{ }}` and whole `if:` conditions."""
    if isinstance(node, dict):
        return [text for k, v in node.items() for text in expression_texts(v, k)]
    if isinstance(node, list):
        return [text for item in node for text in expression_texts(item)]
    if isinstance(node, str):
        return [node] if key == "if" else expr.expressions_in(node)
    return []


def test_composite_conditions_compare_inputs_as_strings():
    """In the action, an input in `if:` is always compared: inputs are strings, 'false' is true."""
    for step in af.steps_of(af.ACTION):
        condition = str(step.data.get("if", ""))
        for match in re.finditer(r"inputs\.[\w-]+(\s*(==|!=))?", condition):
            assert match[1], f"{step.where}: bare {match[0]!r} in if:"


def test_action_inputs_are_kebab_case_and_documented():
    """Inputs and outputs are kebab-case with a description; defaults are strings."""
    action = af.load_yaml(af.ACTION)
    for section in ("inputs", "outputs"):
        for name, spec in action[section].items():
            assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name), name
            assert spec.get("description"), name
    for name, spec in action["inputs"].items():
        assert isinstance(spec.get("default", ""), str), name


def test_artifacts_keep_hidden_coverage_files_and_downloads_merge_by_pattern():
    """Uploads include hidden `.coverage.*`; downloads merge a pattern or take one named artifact."""
    steps = af.all_steps()
    uploads = [
        s for s in steps if str(s.data.get("uses", "")).startswith("actions/upload-artifact")
    ]
    downloads = [
        s for s in steps if str(s.data.get("uses", "")).startswith("actions/download-artifact")
    ]
    assert uploads
    assert downloads
    for step in uploads:
        assert step.data["with"]["include-hidden-files"] is True, step.where
        assert step.data["with"]["name"], step.where
    for step in downloads:
        with_ = step.data["with"]
        if "pattern" in with_:
            assert with_["pattern"].endswith("*"), step.where
            assert with_["merge-multiple"] is True, step.where
        else:
            assert with_["name"].startswith("${{ inputs.artifact-prefix }}-"), step.where


def test_every_job_has_a_timeout_and_checkouts_drop_credentials():
    """`timeout-minutes` on every job that runs steps; `persist-credentials: false` everywhere."""
    for path in af.workflow_files():
        for job_id, job in af.load_yaml(path)["jobs"].items():
            if "steps" in job:
                assert "timeout-minutes" in job, f"{path.name}: {job_id}"
    checkouts = [
        s for s in af.all_steps() if str(s.data.get("uses", "")).startswith("actions/checkout")
    ]
    assert checkouts
    for step in checkouts:
        assert step.data["with"]["persist-credentials"] is False, step.where


def test_concurrency_group_tells_callers_and_calls_apart():
    """The reusable workflow's group has its own prefix, the caller's file and ref, and the call."""
    group = af.load_yaml(af.REUSABLE)["concurrency"]["group"]
    assert group.startswith("mmpgate|")
    for part in ("github.workflow_ref", "inputs.artifact-prefix", "inputs.working-directory"):
        assert part in group, part
    ci_group = af.load_yaml(af.CI)["concurrency"]["group"]
    assert ci_group != group


def test_ci_self_test_checks_that_the_failing_fixture_fails():
    """The self-test runs `uses: ./` with continue-on-error and checks the step's outcome."""
    job = af.load_yaml(af.CI)["jobs"]["self-test"]
    local = [step for step in job["steps"] if step.get("uses") == "./"]
    tolerant = [step for step in local if step.get("continue-on-error") is True]
    assert any("failing" in str(step["with"].get("working-directory")) for step in tolerant)
    checker = job["steps"][-1]
    env_text = " ".join(str(v) for v in checker["env"].values())
    for step in tolerant:
        assert f"steps.{step['id']}.outcome" in env_text, step["id"]


def test_ci_dogfoods_the_reusable_workflow_and_runs_every_validator():
    """ci.yml calls mmpgate.yml on this repository and its lint job runs all four validators."""
    jobs = af.load_yaml(af.CI)["jobs"]
    assert jobs["dogfood"]["uses"].endswith(".github/workflows/mmpgate.yml")
    lint = " ".join(str(step.get("run", "")) for step in jobs["lint"]["steps"])
    for needle in ("zizmor --offline --strict-collection", "actionlint", "check-jsonschema",
                   "parse.mjs", "ruff check", "mypy"):  # fmt: skip
        assert needle in lint, needle


def test_readme_documents_exactly_the_action_inputs_and_outputs():
    """README.md's table between the action-inputs markers equals the one action.yml gives."""
    assert af.readme_table() == af.action_table()


def test_readme_table_comparison_notices_a_missing_input(tmp_path):
    """The README comparison fails when the README lacks an input action.yml declares."""
    action = af.load_yaml(af.ACTION)
    stale = dict(action, inputs={k: v for k, v in action["inputs"].items() if k != "baseline"})
    readme = tmp_path / "README.md"
    readme.write_text(f"{af.TABLE_START}\n{af.action_table(stale)}\n{af.TABLE_END}\n")
    assert af.readme_table(readme) != af.action_table()
