"""The workflow plan: stages in order, shards per group, one error line for bad input."""

from __future__ import annotations

import json

import pytest

from mmpgate.errors import UsageError
from mmpgate.shard.matrix import (
    MAX_STAGES,
    parse_names,
    parse_shards,
    parse_stages,
    plan,
    plan_from_text,
)


def names(planned):
    """Stage -> job names."""
    return [[job.name for job in stage] for stage in planned.stages]


def test_groups_fan_out_into_their_stages_in_order():
    """unit x2 first, integration second, e2e last; each shard named `<group>-<k>of<n>`."""
    planned = plan_from_text("e2e unit integration", '{"unit": 2}')
    assert names(planned) == [["unit-1of2", "unit-2of2"], ["integration-1of1"], ["e2e-1of1"]]
    assert planned.expected() == {"unit": 2, "integration": 1, "e2e": 1}


def test_groups_no_stage_names_join_the_last_declared_stage():
    """`smoke` joins the e2e stage; with e2e not requested it still runs after unit."""
    assert names(plan_from_text("unit,e2e,smoke", "")) == [
        ["unit-1of1"],
        ["e2e-1of1", "smoke-1of1"],
    ]
    assert names(plan_from_text("unit smoke", "")) == [["unit-1of1"], ["smoke-1of1"]]


def test_custom_stages_may_put_groups_side_by_side():
    """`a b > c`: a and b side by side, then c."""
    planned = plan_from_text("c a b", "", "a b > c")
    assert names(planned) == [["a-1of1", "b-1of1"], ["c-1of1"]]


def test_outputs_pad_unused_stages_with_an_empty_matrix():
    """stage-1..stage-MAX_STAGES always exist; unused ones are `[]`."""
    outputs = plan_from_text("unit", "").outputs()
    assert set(outputs) == {f"stage-{n}" for n in range(1, MAX_STAGES + 1)} | {"expected"}
    assert json.loads(outputs["stage-1"]) == [{"group": "unit", "shard": "", "name": "unit-1of1"}]
    assert all(outputs[f"stage-{n}"] == "[]" for n in range(2, MAX_STAGES + 1))


def test_a_sharded_entry_carries_k_of_n():
    """A sharded group's entries say `K/N` for `mmpgate run --shard`."""
    entries = json.loads(plan_from_text("unit", '{"unit": 3}').outputs()["stage-1"])
    assert [entry["shard"] for entry in entries] == ["1/3", "2/3", "3/3"]


def test_the_plan_is_deterministic():
    """The same inputs give the same outputs, byte for byte."""
    first = plan_from_text("unit integration e2e smoke", '{"unit": 4, "integration": 2}').outputs()
    assert (
        first
        == plan_from_text("unit integration e2e smoke", '{"unit": 4, "integration": 2}').outputs()
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parse_names("unit unit", "groups"), "unit repeated"),
        (lambda: parse_names("unit total", "groups"), "expected a group name of .*'total'"),
        (lambda: parse_names("a.b", "groups"), "expected a group name of .*'a.b'"),
        (lambda: parse_shards('{"Unit": 1}'), "expected a group name of .*'Unit'"),
        (lambda: parse_shards("[1]"), "expected a JSON object"),
        (lambda: parse_shards("{"), "expected a JSON object such as"),
        (lambda: parse_shards('{"unit": true}'), "expected an integer from 1 to"),
        (lambda: parse_shards('{"unit": 65}'), "expected an integer from 1 to 64"),
        (lambda: parse_stages("unit > unit"), "unit repeated"),
        (lambda: parse_stages("unit >"), "expected group names between"),
        (lambda: plan([], {}, [["unit"]]), "at least one group"),
        (lambda: plan(["unit"], {"e2e": 2}, [["unit"]]), "shards: e2e not in groups"),
        (lambda: plan_from_text("a b c d e", "", "a > b > c > d > e"), "at most 4"),
    ],
)
def test_bad_input_is_one_usage_error(call, message):
    """Every bad name, count or stage raises a UsageError saying what was expected."""
    with pytest.raises(UsageError, match=message):
        call()
