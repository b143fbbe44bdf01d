"""The one group-name rule: every entry point accepts and refuses exactly the same names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mmpgate.collect.build import Inputs, collect
from mmpgate.config.schemas import METRICS, THRESHOLDS, load_schema
from mmpgate.errors import MmpgateError
from mmpgate.gate.thresholds import load_thresholds
from mmpgate.metrics.names import GROUP_NAME_PATTERN, group_name_problem
from mmpgate.run.project import load_project

GOOD = ["unit", "integration", "e2e", "smoke-2", "db_slow", "0day", "x" * 64]
BAD = ["e2e.smoke", "ünit", "Unit", "total", "-x", "_x", "x" * 65, "a b", "a/b"]
TABLE = [(name, True) for name in GOOD] + [(name, False) for name in BAD]
IDS = [f"{'good' if ok else 'bad'}-{name[:12]!r}" for name, ok in TABLE]

_JUNIT = (
    '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="1">'
    '<testcase classname="t" name="test_a" time="0.1"/></testsuite></testsuites>'
)


def _accepted(call) -> bool:
    """True when `call` loads; False when it refuses with the group-name message."""
    message = ""
    try:
        call()
    except MmpgateError as exc:
        message = str(exc)
    if message:
        assert "group name" in message, message
    return not message


@pytest.mark.parametrize(("name", "ok"), TABLE, ids=IDS)
def test_the_rule_itself(name: str, ok: bool) -> None:
    """group_name_problem is None exactly for the good names, and says what it expects otherwise."""
    problem = group_name_problem(name)
    assert (problem is None) == ok
    if not ok:
        assert problem is not None
        assert repr(name) in problem


@pytest.mark.parametrize(("name", "ok"), TABLE, ids=IDS)
def test_metrics_schema_group(name: str, ok: bool) -> None:
    """The metrics schema's `group` pattern agrees (for a group file; `total` is the total's name)."""
    schema = load_schema(METRICS)
    assert schema["properties"]["group"]["pattern"] == GROUP_NAME_PATTERN
    valid = jsonschema.Draft202012Validator(schema["properties"]["group"]).is_valid(name)
    assert valid == (ok or name == "total")


@pytest.mark.parametrize(("name", "ok"), TABLE, ids=IDS)
def test_thresholds_schema_and_loader(tmp_path: Path, name: str, ok: bool) -> None:
    """thresholds.yml: the schema's group names and the loader, under `groups` and `require_groups`."""
    schema = load_schema(THRESHOLDS)
    group_schema = schema["$defs"]["group_name"]
    assert group_schema["pattern"] == GROUP_NAME_PATTERN
    assert jsonschema.Draft202012Validator(group_schema).is_valid(name) == ok
    for text in (
        f"version: 1\ngroups:\n  {json.dumps(name)}:\n    min_tests: 1\n",
        f"version: 1\nrequire_groups: [{json.dumps(name)}]\n",
    ):
        path = tmp_path / "thresholds.yml"
        path.write_text(text, encoding="utf-8")
        assert _accepted(lambda path=path: load_thresholds(path)) == ok, text


@pytest.mark.parametrize(("name", "ok"), TABLE, ids=IDS)
def test_project_config_in_pyproject_and_mmpgate_yml(tmp_path: Path, name: str, ok: bool) -> None:
    """[tool.mmpgate.groups] and mmpgate.yml `groups:` refuse and accept the same names."""
    toml = tmp_path / "toml"
    toml.mkdir()
    (toml / "pyproject.toml").write_text(
        f'[tool.mmpgate.groups.{json.dumps(name)}]\npath = "tests"\n', encoding="utf-8"
    )
    assert _accepted(lambda: load_project(toml)) == ok
    yml = tmp_path / "yml"
    yml.mkdir()
    (yml / "mmpgate.yml").write_text(
        f"groups:\n  {json.dumps(name)}:\n    path: tests\n", encoding="utf-8"
    )
    assert _accepted(lambda: load_project(yml)) == ok


@pytest.mark.parametrize(("name", "ok"), TABLE, ids=IDS)
def test_collect_group(tmp_path: Path, name: str, ok: bool) -> None:
    """`mmpgate collect --group NAME` refuses and accepts the same names."""
    junit = tmp_path / "junit.xml"
    junit.write_text(_JUNIT, encoding="utf-8")
    assert _accepted(lambda: collect(Inputs(junit=junit, group=name))) == ok


@pytest.mark.parametrize(("name", "ok"), TABLE, ids=IDS)
def test_plugin_group_option(pytester: pytest.Pytester, name: str, ok: bool) -> None:
    """`--mmpgate-group NAME` on a real pytest run: a usage error (exit 4) for a bad name."""
    pytester.makepyfile("def test_a():\n    pass\n")
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--mmpgate-metrics=m.json", f"--mmpgate-group={name}"
    )
    if ok:
        assert result.ret == 0
        assert json.loads((pytester.path / "m.json").read_text())["group"] == name
    else:
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*--mmpgate-group*expected a group name*"])
        assert not (pytester.path / "m.json").exists()
