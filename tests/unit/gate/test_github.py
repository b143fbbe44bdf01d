"""GitHub outputs, step summary and annotations: format, escaping, caps, no-ops outside Actions."""

from __future__ import annotations

import io

from mmpgate import github
from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import thresholds_from_document


def _failing(group, run, count):
    tests = [(f"f{i}", "failed", 0.0) for i in range(count)]
    return evaluate(
        run(group("unit", tests)), thresholds_from_document({"version": 1}, "t.yml"), None
    )


def test_outputs_for_total_and_groups(group, run, ok):
    """Outputs: verdict, total and per-group rates as decimal strings, coverage, duration."""
    unit = group("unit", [("f", "failed", 0.0), *ok(2)], wall=1.5, coverage=80.0)
    e2e = group("e2e", [("s", "skipped", 0.0), *ok(3)], wall=2.0)
    verdict = evaluate(run(unit, e2e), thresholds_from_document({"version": 1}, "t.yml"), None)
    values = github.verdict_outputs(verdict)
    assert values == {
        "verdict": "fail",
        "failure-rate": "0.142857",
        "skip-rate": "0.142857",
        "coverage": "",
        "duration": "3.5",
        "e2e-failure-rate": "0",
        "e2e-skip-rate": "0.25",
        "e2e-coverage": "",
        "e2e-duration": "2",
        "unit-failure-rate": "0.333333",
        "unit-skip-rate": "0",
        "unit-coverage": "80",
        "unit-duration": "1.5",
    }


def test_outputs_empty_total_when_partial(group, run, ok):
    """When the total is not computed its outputs are empty strings, not zeros."""
    t = thresholds_from_document({"version": 1, "require_groups": ["unit", "e2e"]}, "t.yml")
    values = github.verdict_outputs(evaluate(run(group("unit", ok(1))), t, None))
    assert values["failure-rate"] == values["duration"] == ""


def test_multiline_outputs_use_a_random_delimiter():
    """A multi-line value is written as a heredoc whose delimiter differs each time."""
    first = github.format_outputs({"a": "one\ntwo", "b": "x=y"})
    second = github.format_outputs({"a": "one\ntwo"})
    lines = first.splitlines()
    assert lines[0].startswith("a<<ghadelimiter_")
    delimiter = lines[0].split("<<", 1)[1]
    assert lines[1:4] == ["one", "two", delimiter]
    assert lines[4] == "b=x=y"
    assert second.splitlines()[0] != lines[0]


def test_write_outputs_is_a_noop_outside_actions(tmp_path):
    """Without GITHUB_OUTPUT nothing is written anywhere."""
    assert github.write_outputs({"verdict": "pass"}, {}) is False
    target = tmp_path / "out"
    assert github.write_outputs({"verdict": "pass"}, {"GITHUB_OUTPUT": str(target)}) is True
    assert target.read_text() == "verdict=pass\n"


def test_escaping_follows_the_runner():
    """Data escapes %, CR, LF; properties also escape : and ,."""
    command = github.error_command("50% a\r\nb", file="tests/a,b.py", line=3, title="x: y")
    assert command == "::error file=tests/a%2Cb.py,line=3,title=x%3A y::50%25 a%0D%0Ab"


def test_file_of_nodeid():
    """file= comes from the nodeid's path part."""
    assert github.file_of("tests/unit/test_a.py::TestX::test_b[a::b]") == "tests/unit/test_a.py"
    assert github.file_of("<session>") is None


def test_annotations_capped_at_ten_with_a_summary(group, run):
    """Past ten, nine annotations are kept and the tenth counts the rest."""
    commands = github.verdict_annotations(_failing(group, run, 25))
    assert len(commands) == 10
    # 1 failed rule + 25 failing tests = 26; 9 shown, 17 summarised
    assert commands[-1].startswith("::error title=mmpgate::17 more failed rules and failing tests")
    assert commands[0].startswith(
        "::error title=mmpgate%3A max_failure_rate (unit)::measured 100.00%"
    )
    assert commands[1].startswith("::error file=tests/unit/test_mod.py,line=3,title=failed%3A ")


def test_annotations_all_shown_when_few(group, run):
    """Ten or fewer are all shown, no summary."""
    commands = github.verdict_annotations(_failing(group, run, 9))
    assert len(commands) == 10
    assert "more failed rules" not in commands[-1]


def test_emit_annotations_only_in_actions(group, run):
    """Nothing is printed unless GITHUB_ACTIONS is true."""
    verdict = _failing(group, run, 1)
    stream = io.StringIO()
    assert github.emit_annotations(verdict, stream, {}) == 0
    assert stream.getvalue() == ""
    assert github.emit_annotations(verdict, stream, {"GITHUB_ACTIONS": "true"}) == 2
    assert stream.getvalue().count("::error") == 2


def test_summary_stays_under_the_limit(group, run, tmp_path):
    """A huge list of failing tests is cut so the summary fits its budget, with the cut counted."""
    verdict = _failing(group, run, 20_000)
    text = github.summary_markdown(verdict, budget=16 * 1024)
    assert len(text.encode()) <= 16 * 1024
    assert "more (cut)" in text
    target = tmp_path / "summary.md"
    target.write_text("x" * (github.SUMMARY_LIMIT - 4096))
    assert github.append_summary(verdict, {"GITHUB_STEP_SUMMARY": str(target)}) is True
    assert target.stat().st_size < github.SUMMARY_LIMIT


def test_summary_is_a_noop_outside_actions(group, run):
    """Without GITHUB_STEP_SUMMARY nothing is written."""
    assert github.append_summary(_failing(group, run, 1), {}) is False
