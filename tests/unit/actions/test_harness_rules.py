"""The harness follows the runner's rules for file commands, workflow commands and expressions."""

from __future__ import annotations

import actions_expressions as expr
import actions_runner as runner
import pytest


def test_output_file_name_value_takes_everything_after_the_first_equals():
    """`NAME=VALUE` keeps the value verbatim after the first `=`, `\\r` included."""
    parsed = runner.parse_file_command("a=1=2\n\nb= spaced \nc=x\r\n", "GITHUB_OUTPUT")
    assert parsed == {"a": "1=2", "b": " spaced ", "c": "x\r"}


def test_output_file_heredoc_reads_until_its_delimiter():
    """`NAME<<DELIM` collects lines up to the delimiter line, and may hold `=` and `<<`."""
    text = "table<<EOF_1\n| a=b |\nx<<y\nEOF_1\nafter=1\n"
    assert runner.parse_file_command(text, "GITHUB_OUTPUT") == {
        "table": "| a=b |\nx<<y",
        "after": "1",
    }


def test_a_fixed_delimiter_lets_a_value_inject_another_output():
    """Why delimiters must be random: a value containing the delimiter ends it early."""
    value = "line\nEOF\ninjected=yes\nrest<<EOF"
    parsed = runner.parse_file_command(f"v<<EOF\n{value}\nEOF\n", "GITHUB_OUTPUT")
    assert parsed == {"v": "line", "injected": "yes", "rest": ""}


@pytest.mark.parametrize(
    ("text", "message"),
    [("novalue\n", "invalid format"), ("=x\n", "invalid format"), ("v<<END\nx\n", "delimiter")],
)
def test_output_file_errors_like_the_runner(text, message):
    """Lines without `=`, empty names and unterminated heredocs are errors."""
    with pytest.raises(runner.FileCommandError, match=message):
        runner.parse_file_command(text, "GITHUB_OUTPUT")


def test_workflow_commands_are_unescaped():
    """Data unescapes %25 %0A %0D; properties also %3A and %2C."""
    out = "plain\n::error file=a%3Ab.py,line=3,title=x%2Cy::50%25 done%0Anext\n::group::G\n"
    commands = runner.parse_workflow_commands(out)
    assert commands[0] == runner.WorkflowCommand(
        "error", {"file": "a:b.py", "line": "3", "title": "x,y"}, "50% done\nnext"
    )
    assert commands[1].name == "group"


def test_stop_commands_suspends_parsing_until_its_token():
    """Between `::stop-commands::T` and `::T::` nothing is a command."""
    out = "::stop-commands::tok\n::error::hidden\n::tok::\n::warning::seen\n"
    assert [c.name for c in runner.parse_workflow_commands(out)] == ["warning"]


def test_composite_inputs_are_strings_so_false_is_truthy():
    """`if: inputs.flag` is true for 'false'; only a comparison tells them apart."""
    contexts = {"inputs": {"flag": "false"}}
    assert expr.truthy(expr.evaluate("inputs.flag", contexts)) is True
    assert expr.evaluate("inputs.flag == 'true'", contexts) is False
    assert expr.evaluate("inputs.flag == 'FALSE'", contexts) is True


def test_boolean_inputs_do_not_equal_the_string_true():
    """A typed boolean `true` is not the string 'true' (it coerces to a number)."""
    assert expr.evaluate("inputs.flag == 'true'", {"inputs": {"flag": True}}) is False
    assert expr.evaluate("!inputs.flag", {"inputs": {"flag": False}}) is True


def test_and_or_return_operands_and_filters_collect_results():
    """`a && b || c` picks operands; `needs.*.result` lists every job's result."""
    contexts = {
        "inputs": {"baseline": "none"},
        "needs": {"a": {"result": "success"}, "b": {"result": "failure"}},
    }
    chosen = expr.evaluate("inputs.baseline == 'default-branch' && 'dir' || ''", contexts)
    assert chosen == ""
    assert expr.evaluate("contains(needs.*.result, 'failure')", contexts) is True
    assert expr.evaluate("contains(format(' {0} ', 'unit e2e'), ' e2e ')", contexts) is True


def test_substitution_is_textual():
    """`${{ }}` becomes text in place: the reason scripts must never contain it."""
    script = expr.substitute('echo "${{ inputs.x }}"', {"inputs": {"x": '"; touch y; "'}})
    assert script == 'echo ""; touch y; ""'


def test_unknown_context_is_an_error_not_an_empty_string():
    """A typo in a context name fails loudly in the harness."""
    with pytest.raises(expr.ExpressionError, match="unknown context"):
        expr.evaluate("input.x", {"inputs": {}})


def test_two_expressions_in_one_value_become_text():
    """`${{ a }}-${{ b }}` is text, not one expression: only a lone expression keeps its type."""
    contexts = {"inputs": {"a": "x", "b": 2}}
    assert expr.evaluate_template("${{ inputs.a }}-${{ inputs.b }}", contexts) == "x-2"
    assert expr.evaluate_template("${{ inputs.b }}", contexts) == 2
