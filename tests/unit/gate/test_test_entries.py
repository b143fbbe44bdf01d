"""The hand-written per-test check gives the same verdict as the schema, on any entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from entry_shapes import any_entry
from hypothesis import given, settings
from recorded import build_document

from mmpgate.config.schemas import METRICS, load_schema
from mmpgate.errors import InputError
from mmpgate.metrics.entries import check_tests, entry_problem
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.writing import write_json

SCHEMA = json.loads((Path(__file__).parents[3] / "schemas" / "metrics.schema.json").read_text())
TEST_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA["$defs"]["test"])


@settings(max_examples=600, deadline=None)
@given(any_entry)
def test_hand_check_equals_schema(entry: Any):
    """For any generated entry the hand check and the schema's $defs/test agree."""
    valid = TEST_VALIDATOR.is_valid(entry)
    assert (entry_problem(entry) is None) == valid
    try:
        check_tests([entry], "metrics.unit.json")
    except InputError:
        assert not valid
    else:
        assert valid


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ({"nodeid": "a", "outcome": "passed"}, "$.tests[0]: missing key: 'duration'"),
        ({"nodeid": "a", "outcome": "won", "duration": {}}, "$.tests[0].outcome: expected one of"),
        (
            {"nodeid": "a", "outcome": "passed", "duration": {"call": -1}},
            "$.tests[0].duration.call",
        ),
        ({"nodeid": "a", "outcome": "passed", "duration": {}, "line": "3"}, "$.tests[0].line"),
        (
            {"nodeid": "a", "outcome": "failed", "duration": {}, "classification": "broken"},
            "$.tests[0].classification: expected one of passed, failed, flaky",
        ),
        (
            {
                "nodeid": "a",
                "outcome": "failed",
                "duration": {},
                "attempts": [{"outcome": "ok", "duration": 1}],
            },
            "$.tests[0].attempts[0].outcome",
        ),
    ],
)
def test_bad_entry_names_its_path(entry, where):
    """A bad entry is reported with its index and key."""
    with pytest.raises(
        InputError, match=where.replace("[", r"\[").replace("]", r"\]").replace("$", r"\$")
    ):
        check_tests([entry], "metrics.unit.json")


def test_fast_loader_agrees_with_the_full_loader(tmp_path):
    """A real document and a broken copy: both loaders accept the first and refuse the second."""
    document = build_document("unit", [("a", "passed", 0.1)], wall=0.2)
    good = tmp_path / "metrics.unit.json"
    write_json(good, document)
    schema = load_schema(METRICS)
    jsonschema.validate(document, schema)
    assert load_metrics(good) == document
    document["tests"][0]["outcome"] = "won"
    bad = tmp_path / "metrics.bad.json"
    write_json(bad, document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)
    with pytest.raises(InputError, match=r"\$\.tests\[0\]"):
        load_metrics(bad)
