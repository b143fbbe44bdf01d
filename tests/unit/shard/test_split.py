"""The split: every test in exactly one shard, no empty shard, units kept whole, deterministic."""

from __future__ import annotations

import heapq

from hypothesis import given, settings
from hypothesis import strategies as st

from mmpgate.shard.split import ALL_RULES, NO_RULE, Collected, split, units


@st.composite
def suites(draw: st.DrawFn) -> tuple[list[Collected], dict[str, float], int]:
    """Tests in modules and classes, some with wide fixtures or xdist groups, partly timed."""
    count = draw(st.integers(min_value=0, max_value=40))
    tests = []
    for index in range(count):
        module = f"tests/test_{draw(st.integers(0, 6))}.py"
        cls = draw(st.sampled_from([None, "A", "B"]))
        tests.append(
            Collected(
                nodeid=f"{module}::{cls + '::' if cls else ''}test_{index}",
                module=module,
                cls=f"{module}::{cls}" if cls else None,
                module_fixture=draw(st.booleans()),
                xdist_group=draw(st.sampled_from([None, None, "db", "api"])),
            )
        )
    durations = {
        t.nodeid: draw(st.floats(min_value=0, max_value=100, allow_nan=False))
        for t in tests
        if draw(st.booleans())
    }
    return tests, durations, draw(st.integers(min_value=1, max_value=12))


@settings(max_examples=100, deadline=None)
@given(suites())
def test_every_test_lands_in_exactly_one_shard(suite):
    """The shards partition the collected tests: none lost, none twice, order kept."""
    tests, durations, n = suite
    result = split(tests, durations, n)
    assert len(result.shards) == n
    placed = [nodeid for shard in result.shards for nodeid in shard]
    assert sorted(placed) == sorted(t.nodeid for t in tests)
    order = {t.nodeid: i for i, t in enumerate(tests)}
    for shard in result.shards:
        assert [order[x] for x in shard] == sorted(order[x] for x in shard)


@settings(max_examples=100, deadline=None)
@given(suites())
def test_no_shard_is_empty_while_there_are_enough_tests(suite):
    """With N <= tests every shard has a test; with more shards only the extra ones are empty."""
    tests, durations, n = suite
    result = split(tests, durations, n)
    empty = sum(1 for shard in result.shards if not shard)
    assert empty == max(0, n - len(tests))


@settings(max_examples=100, deadline=None)
@given(suites())
def test_units_stay_whole_at_the_level_the_split_kept(suite):
    """Each unit of the kept level (class, wide-fixture module, xdist group) is in one shard."""
    tests, durations, n = suite
    result = split(tests, durations, n)
    shard_of = {nodeid: k for k, shard in enumerate(result.shards) for nodeid in shard}
    for unit in units(tests, result.level):
        assert len({shard_of[tests[i].nodeid] for i in unit}) == 1
    if len(units(tests, ALL_RULES)) >= min(n, len(tests)):
        assert result.level == ALL_RULES


@settings(max_examples=100, deadline=None)
@given(suites())
def test_the_split_is_deterministic(suite):
    """The same tests and durations give the same shards."""
    tests, durations, n = suite
    assert split(tests, durations, n) == split(list(tests), dict(durations), n)


@settings(max_examples=100, deadline=None)
@given(suites())
def test_never_slower_than_longest_first_over_single_tests(suite):
    """Without keep-together units the slowest shard is at most the greedy's (pytest-split's)."""
    tests, durations, n = suite
    free = [Collected(t.nodeid, t.nodeid) for t in tests]
    result = split(free, durations, n)
    assert result.level == ALL_RULES or len(free) < n
    weights = [durations.get(t.nodeid, result.median or 1.0) for t in free]
    heap = [(0.0, k) for k in range(n)]
    for weight in sorted(weights, reverse=True):
        load, k = heapq.heappop(heap)
        heapq.heappush(heap, (load + weight, k))
    greedy = max(load for load, _ in heap)
    assert max(result.predicted, default=0.0) <= greedy + 1e-6


def test_missing_durations_get_the_median_and_none_means_by_count():
    """Untimed tests weigh the median of the timed ones; with no times each weighs 1."""
    tests = [Collected(f"t.py::test_{i}", "t.py") for i in range(4)]
    timed = split(tests, {"t.py::test_0": 1.0, "t.py::test_1": 3.0, "t.py::test_2": 10.0}, 2)
    assert timed.median == 3.0
    assert sorted(timed.predicted) == [7.0, 10.0]
    by_count = split(tests, {}, 2)
    assert by_count.median is None
    assert by_count.predicted == (2.0, 2.0)


def test_rules_are_dropped_only_to_fill_every_shard():
    """One class of 3 tests over 3 shards: the class rule gives way, each shard gets one test."""
    tests = [Collected(f"t.py::C::test_{i}", "t.py", cls="t.py::C") for i in range(3)]
    result = split(tests, {}, 3)
    assert result.level < ALL_RULES
    assert [len(shard) for shard in result.shards] == [1, 1, 1]
    assert split(tests, {}, 1).level == ALL_RULES
    assert units(tests, NO_RULE) == [[0], [1], [2]]
