"""The typed metrics document: its types equal the schema, and the one constructor derives figures."""

from __future__ import annotations

import pytest

from mmpgate.config.schemas import METRICS, load_schema
from mmpgate.metrics import document as doc


def _object(schema: dict, pointer: str) -> dict:
    node = schema
    for part in pointer.split("/"):
        node = node[part]
    if "$ref" in node:
        return _object(schema, node["$ref"].removeprefix("#/"))
    return node


@pytest.mark.parametrize(
    ("typed", "pointer"),
    [
        (doc.MetricsDocument, ""),
        (doc.Counts, "properties/counts"),
        (doc.Rates, "properties/rates"),
        (doc.Duration, "properties/duration"),
        (doc.Environment, "properties/environment"),
        (doc.Coverage, "$defs/coverage"),
        (doc.Entry, "$defs/test"),
        (doc.SlowTest, "properties/slowest/items"),
        (doc.GroupSummary, "$defs/group_summary"),
        (doc.Shard, "properties/shard"),
        (doc.ShardPlan, "$defs/shard_plan"),
        (doc.ShardDurations, "$defs/shard_plan/properties/durations"),
        (doc.Shards, "properties/shards"),
        (doc.ShardMember, "properties/shards/properties/members/items"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_types_name_exactly_the_schemas_keys(typed, pointer):
    """Every TypedDict has the schema's properties; its required keys are the schema's or wider."""
    schema = load_schema(METRICS)
    node = _object(schema, pointer) if pointer else schema
    keys = typed.__required_keys__ | typed.__optional_keys__
    assert keys == set(node["properties"])
    assert set(node.get("required", [])) <= typed.__required_keys__


def test_constructor_derives_rates_and_empty_from_the_counts():
    """new_document computes rates and `empty`; a caller cannot pass figures that disagree."""
    counts = doc.new_counts({"passed": 3, "failed": 1, "deselected": 2})
    built = doc.new_document(
        kind="group",
        group="unit",
        counts=counts,
        duration=doc.new_duration(1.23456789, 0.5),
        environment=doc.Environment(
            python=None,
            platform=None,
            pytest=None,
            xdist=None,
            workers=0,
            git_commit=None,
            command=[],
            started=None,
            finished=None,
            producer="test",
        ),
        source={},
        complete=True,
        reason=None,
    )
    assert built["counts"]["total"] == 4
    assert built["rates"] == {"failure": 0.25, "skip": 0.0}
    assert built["empty"] is False
    assert built["duration"] == {"wall": 1.234568, "tests_sum": 0.5}
    assert "groups" not in built


def test_sum_counts_is_the_one_addition():
    """Adding groups sums every key and recomputes total from the outcomes."""
    a = doc.new_counts({"passed": 2, "reruns": 1})
    b = doc.new_counts({"failed": 1, "deselected": 4})
    total = doc.sum_counts([a, b])
    assert total == {
        **doc.new_counts(),
        "passed": 2,
        "failed": 1,
        "reruns": 1,
        "deselected": 4,
        "total": 3,
    }


def test_entry_leaves_reruns_out_when_unknown():
    """A producer that cannot know reruns (a JUnit file) writes none, instead of a false 0."""
    assert "reruns" not in doc.new_entry("t.py::a", "passed", {"call": 0.1})
    assert doc.new_entry("t.py::a", "failed", {"call": 0.1}, reruns=2)["reruns"] == 2


def test_slowest_of_orders_longest_first_then_by_nodeid():
    """Ties are broken by node id, so the list is the same for the same input."""
    ranked = doc.slowest_of([(1.0, "b"), (2.0, "c"), (1.0, "a")], limit=2)
    assert ranked == [{"nodeid": "c", "duration": 2.0}, {"nodeid": "a", "duration": 1.0}]
