"""Loading thresholds.yml: units, defaults, and a one-line error for every kind of mistake."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import yaml

from mmpgate.errors import ConfigError
from mmpgate.gate.quantities import UnitError, parse_duration, parse_rate
from mmpgate.gate.thresholds import (
    MissingPolicy,
    Rules,
    load_thresholds,
    parse_yaml,
    thresholds_from_document,
)

SCHEMA = json.loads((Path(__file__).parents[3] / "schemas" / "thresholds.schema.json").read_text())

ISSUE_EXAMPLE = """\
version: 1
metrics: mmpgate-results
require_groups: [unit, integration, e2e]
defaults:
  max_failure_rate: 0
  max_skip_rate: 15%
  min_tests: 1
groups:
  unit:        {max_duration: 2m, min_coverage: 80}
  integration: {max_duration: 10m}
  e2e:         {max_duration: 15m, max_skip_rate: 25%}
total:
  min_coverage: 85
  max_duration: 25m
regression:
  baseline: baseline-results
  on_missing_baseline: warn
  max_duration_increase: 20%
  max_coverage_drop: 0.5
  max_skip_rate_increase: 2%
  max_new_failures: 0
  max_removed_tests: 0
  max_newly_skipped: 0
  slow_test: {factor: 2.0, min_seconds: 1.0}
"""


def load(text: str):
    """Thresholds from YAML text."""
    return thresholds_from_document(parse_yaml(text, "t.yml"), "t.yml")


def error_of(text: str) -> str:
    """The one-line error a YAML text gives."""
    with pytest.raises(ConfigError) as info:
        load(text)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_issue_example_loads_with_units_normalised():
    """The documented example loads; durations are seconds and rates exact fractions."""
    t = load(ISSUE_EXAMPLE)
    assert t.require_groups == ("unit", "integration", "e2e")
    assert t.rules_for("e2e") == Rules(
        max_failure_rate=Fraction(0),
        max_skip_rate=Fraction(1, 4),
        min_tests=1,
        max_duration=Decimal(900),
    )
    assert t.rules_for("unit").min_coverage == Decimal(80)
    assert t.total.max_duration == Decimal(1500)
    assert t.regression.max_duration_increase == Fraction(1, 5)
    assert t.regression.max_skip_rate_increase == Fraction(1, 50)
    assert t.regression.on_missing_baseline is MissingPolicy.WARN
    assert t.regression.slow_test is not None
    assert t.regression.slow_test.min_seconds == Decimal("1.0")
    jsonschema.validate(yaml.safe_load(ISSUE_EXAMPLE), SCHEMA)


def test_minimal_file_gets_builtin_defaults():
    """`version: 1` alone: failure rate 0 and at least one test per group."""
    t = load("version: 1\n")
    assert t.rules_for("any") == Rules(max_failure_rate=Fraction(0), min_tests=1)
    assert not t.regression.active


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("2m", 120),
        ("1h30m", 5400),
        ("1h 30m 5s", 5405),
        ("1.5s", Decimal("1.5")),
        ("0", 0),
    ],
)
def test_durations(text, seconds):
    """Durations accept seconds and h/m/s strings."""
    assert parse_duration(yaml.safe_load(text)) == seconds


def test_trailing_number_is_seconds():
    """`1h30` reads as `1h30s`, as the schema's pattern also allows."""
    assert parse_duration("1h30") == 3630


@pytest.mark.parametrize("bad", ["", "m", "2x", "-5", "5 minutes", True, None, [1]])
def test_bad_durations(bad):
    """Anything else is refused with the expected forms named."""
    with pytest.raises(UnitError, match="duration like"):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        (0, 0),
        (1, 1),
        (0.005, Fraction(1, 200)),
        ("0.5%", Fraction(1, 200)),
        ("15 %", Fraction(3, 20)),
    ],
)
def test_rates(value, rate):
    """Rates are fractions or percent strings, exact."""
    assert parse_rate(value) == rate


def test_rate_above_one_hints_at_percent():
    """`max_skip_rate: 15` is refused with a hint to write 15%."""
    message = error_of("version: 1\ndefaults: {max_skip_rate: 15}\n")
    assert message.startswith("t.yml: $.defaults.max_skip_rate: ")
    assert "write '15%'" in message


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        (
            "version: 1\ndefaults: {max_failure_rate: -0.1}",
            "$.defaults.max_failure_rate",
            "0 or more",
        ),
        (
            "version: 1\ndefaults: {max_failure_rate: '101%'}",
            "$.defaults.max_failure_rate",
            "between 0% and 100%",
        ),
        (
            "version: 1\ndefaults: {max_failure_rate: '5'}",
            "$.defaults.max_failure_rate",
            "percent string",
        ),
        ("version: 1\ndefaults: {min_tests: 1.5}", "$.defaults.min_tests", "whole number"),
        ("version: 1\ndefaults: {min_tests: true}", "$.defaults.min_tests", "whole number"),
        (
            "version: 1\ngroups: {unit: {min_coverage: 101}}",
            "$.groups.unit.min_coverage",
            "between 0 and 100",
        ),
        ("version: 1\ngroups: [unit]", "$.groups", "mapping of group name"),
        ("version: 1\ngroups: {'un it': {}}", "$.groups.un it", "group name"),
        ("version: 1\nrequire_groups: [unit, unit]", "$.require_groups[1]", "repeated"),
        (
            "version: 1\nregression: {on_missing_baseline: maybe}",
            "$.regression.on_missing_baseline",
            "pass, warn, fail",
        ),
        (
            "version: 1\nregression: {slow_test: {factor: 0.5}}",
            "$.regression.slow_test.factor",
            "1 or more",
        ),
        ("version: 1\nregression: {slow_test: 2}", "$.regression.slow_test", "mapping"),
        ("version: 1\nmetrics: ''", "$.metrics", "non-empty string"),
        ("version: 2", "$.version", "expected version 1"),
        ("metrics: x", "$.version", "missing key"),
        ("[1, 2]", "$", "expected a mapping"),
        ("version: 1\n1: x", "$", "string keys"),
        ("version: 1\nmetrics: 2024-01-01", "$.metrics", "string, number, list or mapping"),
        ("version: 1\ndefaults: {max_duration: .nan}", "$.defaults.max_duration", "finite number"),
    ],
)
def test_wrong_values_name_path_and_expectation(text, where, expected):
    """Each wrong value gives one line: the file, the JSON path and what was expected."""
    message = error_of(text)
    assert message.startswith(f"t.yml: {where}: "), message
    assert expected in message


@pytest.mark.parametrize(
    ("text", "where", "suggestion"),
    [
        (
            "version: 1\ndefaults: {max_skiprate: 1%}",
            "$.defaults.max_skiprate",
            "did you mean 'max_skip_rate'?",
        ),
        ("version: 1\nrequire_group: [unit]", "$.require_group", "did you mean 'require_groups'?"),
        (
            "version: 1\nregression: {max_new_failure: 0}",
            "$.regression.max_new_failure",
            "'max_new_failures'",
        ),
        (
            "version: 1\nregression: {slow_test: {facter: 2}}",
            "$.regression.slow_test.facter",
            "'factor'",
        ),
        ("version: 1\nzzz: 1", "$.zzz", "expected one of defaults, groups"),
    ],
)
def test_unknown_keys_suggest_the_nearest(text, where, suggestion):
    """Unknown keys are named with the nearest valid key (or the list of keys)."""
    message = error_of(text)
    assert message.startswith(f"t.yml: {where}: unknown key")
    assert suggestion in message


def test_errors_are_sorted_by_path_and_counted():
    """With several mistakes the first by JSON path is reported, with the number of others."""
    message = error_of(
        "version: 1\ntotal: {max_duration: x}\ndefaults: {min_tests: -1, max_skip_rate: 2}\n"
    )
    assert message.startswith("t.yml: $.defaults.max_skip_rate: ")
    assert message.endswith("(and 2 more problems)")


def test_yaml_syntax_error_names_the_line():
    """A YAML syntax error gives its line and column."""
    assert error_of("version: 1\ndefaults:\n  x: [\n").startswith(
        "t.yml: line 4 column 1: expected valid YAML"
    )


def test_empty_and_comment_only_files():
    """An empty (or comments-only) file is refused, not taken as all defaults."""
    assert "the file is empty" in error_of("")
    assert "the file is empty" in error_of("# nothing\n\n")


def test_recursive_alias_is_refused():
    """A self-referencing YAML alias cannot hang or crash the loader."""
    assert "too large or too deeply nested" in error_of("version: 1\nmetrics: &a [*a]\n")


def test_billion_laughs_is_refused():
    """An alias bomb is stopped by the node limit."""
    text = "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefg":
        prev = chr(ord(level) - 1)
        text += f"{level}: &{level} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    assert "too large" in error_of(text)


def test_files_on_disk(tmp_path):
    """Missing file, directory, non-UTF-8 bytes: each one line naming the file."""
    with pytest.raises(ConfigError, match="thresholds file not found"):
        load_thresholds(tmp_path / "nope.yml")
    with pytest.raises(ConfigError, match="found a directory"):
        load_thresholds(tmp_path)
    bad = tmp_path / "t.yml"
    bad.write_bytes(b"version: 1\nmetrics: \xff\n")
    with pytest.raises(ConfigError, match=r"t\.yml: expected UTF-8 text, byte 20 is not"):
        load_thresholds(bad)


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\ndefaults: {max_skip_rate: 15}",
        "version: 1\ndefaults: {max_failure_rate: -0.1}",
        "version: 1\ndefaults: {max_skiprate: 1%}",
        "version: 1\ntotal: {max_duration: 2x}",
        "version: 1\nregression: {max_duration_increase: 1.5}",
        "version: 2",
    ],
)
def test_schema_refuses_what_the_loader_refuses(text):
    """The shipped JSON Schema (used by editors) refuses the same documents."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(text), SCHEMA)


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\ntotal: {max_duration: 1h30m}",
        "version: 1\nregression: {max_duration_increase: 150%}",
    ],
)
def test_schema_accepts_what_the_loader_accepts(text):
    """Valid units pass both the loader and the schema."""
    load(text)
    jsonschema.validate(yaml.safe_load(text), SCHEMA)
