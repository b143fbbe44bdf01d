"""Every subcommand documents every option and argument it takes."""

from __future__ import annotations

import argparse

import pytest

from mmpgate.cli import COMMANDS, build_parser


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def _undocumented(parser: argparse.ArgumentParser) -> list[str]:
    return [
        "/".join(action.option_strings) or action.dest
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction) and not action.help
    ]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_help_text(name: str) -> None:
    """No option or positional argument of a subcommand lacks its help text."""
    assert _undocumented(_subparsers()[name]) == []


def test_the_check_finds_an_option_without_help() -> None:
    """The help check reports an option added without help (it is not vacuous)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--documented", help="has help")
    parser.add_argument("--bare")
    assert _undocumented(parser) == ["--bare"]


@pytest.mark.parametrize("name", ["run", "ci"])
def test_usage_shows_the_pytest_passthrough(name: str) -> None:
    """The usage line of the commands that forward arguments to pytest shows `-- PYTEST_ARGS`."""
    assert "-- PYTEST_ARGS" in _subparsers()[name].format_usage()
