"""Group completeness on real `mmpgate run --all` / `ci` runs: a collected test that no group ran,
or that two groups ran, is named, and the gate fails on it unless the project allows it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mmpgate.cli import main


def _verdict(out: str) -> dict[str, Any]:
    """The JSON verdict `ci --format json` prints after the runs' console lines."""
    start = out.index("\n{\n") + 1
    verdict: dict[str, Any] = json.loads(out[start:])
    return verdict


GATE = "version: 1\ndefaults: {max_failure_rate: 0}\n"
MARKED = """
import pytest

@pytest.mark.unit
def test_marked_unit():
    pass

@pytest.mark.integration
def test_marked_integration():
    pass

def test_unmarked_and_broken():
    assert False
"""


def _marker_groups(pytester: pytest.Pytester, extra: str = "") -> None:
    pytester.makepyprojecttoml(
        '[project]\nname = "calc"\nversion = "0"\n'
        '[tool.pytest.ini_options]\nmarkers = ["unit", "integration"]\n'
        f"[tool.mmpgate]\ncoverage = false\n{extra}"
        '[tool.mmpgate.groups.unit]\npath = "tests"\nargs = ["-m", "unit"]\n'
        '[tool.mmpgate.groups.integration]\npath = "tests"\nargs = ["-m", "integration"]\n'
    )
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_marked.py").write_text(MARKED)
    (pytester.path / "thresholds.yml").write_text(GATE)


def test_a_failing_test_with_no_group_marker_fails_the_gate(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """Groups chosen by marker: the unmarked failing test never ran, and the gate said PASS."""
    _marker_groups(pytester)
    assert main(["ci", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert (
        "mmpgate: error: 1 of 3 collected tests ran in no group: "
        "tests/test_marked.py::test_unmarked_and_broken" in captured.out
    ), captured.out
    verdict = _verdict(captured.out)
    (row,) = [row for row in verdict["rows"] if row["rule"] == "assigned"]
    assert row["result"] == "fail"
    assert "tests/test_marked.py::test_unmarked_and_broken" in row["detail"]
    assert [r["rule"] for r in verdict["rows"] if r["result"] == "fail"] == ["assigned"]
    written = json.loads((pytester.path / "mmpgate-results" / "assignment.json").read_text())
    assert written["unassigned"] == ["tests/test_marked.py::test_unmarked_and_broken"]
    assert written["collected"] == 3
    assert written["groups"] == ["integration", "unit"]


def test_unassigned_allow_reports_without_failing(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    _marker_groups(pytester, 'unassigned = "allow"\n')
    assert main(["ci", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '(allowed: unassigned = "allow")' in out, out
    verdict = _verdict(out)
    (row,) = [row for row in verdict["rows"] if row["rule"] == "assigned"]
    assert row["result"] == "warn"


def test_a_test_two_groups_ran_and_a_file_outside_every_path(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """Overlapping paths count a test twice in the total; a directory no group names never runs."""
    sample.makepyprojecttoml(
        '[project]\nname = "calc"\nversion = "0"\n'
        '[tool.mmpgate.groups.unit]\npath = "tests/unit"\n'
        '[tool.mmpgate.groups.everything]\npath = ["tests/unit/test_add.py", "tests/integration"]\n'
    )
    (sample.path / "tests" / "smoke").mkdir()
    (sample.path / "tests" / "smoke" / "test_smoke.py").write_text("def test_smoke():\n    pass\n")
    assert main(["run", "--all"]) == 0
    out = capsys.readouterr().out
    assert "ran in no group: tests/smoke/test_smoke.py::test_smoke" in out, out
    assert (
        "2 tests ran in more than one group: tests/unit/test_add.py::test_add (everything, unit), "
        "tests/unit/test_add.py::test_add_zero (everything, unit)" in out
    ), out
    (sample.path / "thresholds.yml").write_text("version: 1\n")
    assert main(["check"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_complete_groups_say_so_and_pass(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    (sample.path / "thresholds.yml").write_text("version: 1\n")
    assert main(["ci", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "group completeness: each of the 4 collected tests ran in exactly one group" in out
    verdict = _verdict(out)
    (row,) = [row for row in verdict["rows"] if row["rule"] == "assigned"]
    assert row["result"] == "pass"


def test_a_run_of_some_groups_removes_the_older_assignment(sample: pytest.Pytester) -> None:
    """Only a run of every group can tell; `run unit` leaves no older answer to be read as its."""
    assert main(["run"]) == 0
    assignment = sample.path / "mmpgate-results" / "assignment.json"
    assert assignment.is_file()
    assert main(["run", "unit"]) == 0
    assert not assignment.exists()


def test_a_collection_error_outside_every_group_is_named(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    (sample.path / "tests" / "test_broken_import.py").write_text("import not_a_module_at_all\n")
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "ran in no group: tests/test_broken_import.py" in out, out


def test_an_incomplete_group_is_not_checked(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    (sample.path / "tests" / "unit" / "test_stop.py").write_text(
        "def test_stop():\n    raise KeyboardInterrupt\n"
    )
    main(["run"])
    out = capsys.readouterr().out
    assert "group completeness not checked: unit did not complete" in out, out
    assert not (sample.path / "mmpgate-results" / "assignment.json").exists()


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('{"format": 1}', "assignment.json: $: "),
        ("[1, 2", "assignment.json: line 1 column 6"),
        (
            '{"format": 1, "kind": "assignment", "groups": ["integration", "unit"], "collected": 1,'
            ' "unassigned": [], "multiple": [], "policy": "sometimes", "error": null}',
            "assignment.json: $.policy: ",
        ),
        (
            '{"format": 1, "kind": "assignment", "groups": ["unit"], "collected": 1,'
            ' "unassigned": [], "multiple": [], "policy": "fail", "error": null}',
            "assignment.json: $.groups: expected the groups of the directory's files",
        ),
    ],
    ids=["missing keys", "truncated", "bad policy", "other groups"],
)
def test_a_bad_assignment_file_is_one_line_and_exit_2(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str], content: str, where: str
) -> None:
    assert main(["run"]) == 0
    (sample.path / "mmpgate-results" / "assignment.json").write_text(content)
    (sample.path / "thresholds.yml").write_text("version: 1\n")
    capsys.readouterr()
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert where in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_an_unknown_policy_is_a_config_error(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.makepyprojecttoml(
        '[project]\nname = "calc"\nversion = "0"\n[tool.mmpgate]\nunassigned = "ignore"\n'
    )
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "tool.mmpgate.unassigned: expected 'fail' or 'allow', got 'ignore'" in err, err
