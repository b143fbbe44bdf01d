"""The reusable workflow's contract: each rule holds on the real file and fails on a broken one."""

from __future__ import annotations

import re

import actions_files as af
import pytest
import workflow_rules as rules

from mmpgate.shard.matrix import MAX_STAGES

BROKEN = af.FIXTURES / "broken" / "contract" / "mmpgate.yml"

#: For each rule, a problem it must report on the broken fixture.
BROKEN_FINDS = {
    rules.artifact_problems: "without overwrite: true",
    rules.gate_problems: "if must be !cancelled()",
    rules.permission_problems: "asks for actions: read without reading",
    rules.stage_problems: "needs must be plan",
    rules.pin_problems: "a second pin",
    rules.runner_problems: "runs-on must be inputs.runs-on",
}


@pytest.mark.parametrize("rule", rules.ALL_RULES, ids=lambda rule: rule.__name__)
def test_each_rule_holds_on_the_reusable_workflow(rule):
    """The real mmpgate.yml has no problem under any rule."""
    assert rule(af.load_yaml(af.REUSABLE)) == []


@pytest.mark.parametrize("rule", rules.ALL_RULES, ids=lambda rule: rule.__name__)
def test_each_rule_fails_on_the_broken_fixture(rule):
    """The same rule reports the violation planted in the broken fixture."""
    problems = rule(af.load_yaml(BROKEN))
    assert any(BROKEN_FINDS[rule] in problem for problem in problems), problems


def test_permission_rule_holds_on_every_workflow():
    """ci.yml follows the same least-permission rule as the reusable workflow."""
    for path in af.workflow_files():
        assert rules.permission_problems(af.load_yaml(path)) == [], path.name


def test_the_workflow_has_as_many_stage_jobs_as_the_plan_fills():
    """stage-1..stage-N exist for N = the planner's MAX_STAGES, and the plan outputs each."""
    workflow = af.load_yaml(af.REUSABLE)
    assert rules.stage_jobs(workflow) == [f"stage-{n}" for n in range(1, MAX_STAGES + 1)]


def _readme_section(title: str) -> str:
    text = af.README.read_text(encoding="utf-8")
    start = text.index(title)
    return text[start : text.index("\n### ", start + len(title))]


def test_readme_caller_grants_exactly_what_the_callee_jobs_ask_for():
    """The README's caller example and ci.yml's dogfood job grant the union of the jobs' permissions."""
    workflow = af.load_yaml(af.REUSABLE)
    asked: dict[str, str] = {}
    for job in workflow["jobs"].values():
        asked.update(job["permissions"])
    section = _readme_section("### The reusable workflow")
    granted = dict(re.findall(r"^\s{6}([a-z-]+): (read|write)\b", section, flags=re.MULTILINE))
    assert granted == asked
    assert af.load_yaml(af.CI)["jobs"]["dogfood"]["permissions"] == asked


def test_readme_permission_lines_name_the_jobs_that_hold_each_permission():
    """The Permissions section names `actions: read` for exactly the jobs that have it."""
    workflow = af.load_yaml(af.REUSABLE)
    holders = [job for job, spec in workflow["jobs"].items() if "actions" in spec["permissions"]]
    assert holders == ["baseline"]
    section = " ".join(_readme_section("### Permissions").split())
    assert "only the `baseline` job gets `actions: read`" in section
    assert "`plan` gets none" in section


def test_readme_lists_every_input_of_the_reusable_workflow():
    """Each `workflow_call` input is named in the README's reusable-workflow section."""
    section = _readme_section("### The reusable workflow")
    for name in af.load_yaml(af.REUSABLE)["on"]["workflow_call"]["inputs"]:
        assert f"`{name}`" in section, name
