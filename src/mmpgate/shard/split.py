"""Split a group's collected tests into N shards (pure, deterministic).

Tests that must run together form one unit: a class, a module whose tests use a module-scoped (or
wider) fixture, an xdist group. Units go longest first onto the least-loaded shard (pytest-split's
`least_duration`, over units), then single moves and swaps between the slowest and the fastest
shard run while they lower the slowest: never worse than the greedy pass it starts from.

No shard is empty while N <= the number of tests: when there are fewer units than shards, the
keep-together rules are dropped one level at a time (module fixtures, then classes, then xdist
groups) until there are enough units.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import statistics
from collections.abc import Mapping, Sequence


@dataclasses.dataclass(frozen=True, slots=True)
class Collected:
    """What the split knows of one collected test."""

    nodeid: str
    module: str  # the file part of the node id
    cls: str | None = None  # `module::Class` when the test is in a class
    module_fixture: bool = False  # uses a fixture scoped module, package or session
    xdist_group: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Split:
    """The shards (lists of node ids, in collection order) and the predicted seconds of each."""

    shards: tuple[tuple[str, ...], ...]
    predicted: tuple[float, ...]
    level: int  # keep-together rules kept: 3 all, 2 no module rule, 1 xdist groups only, 0 none
    median: float | None  # the duration given to tests without one (None: split by count)


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N as (K, N); ValueError saying what was expected otherwise."""
    index, slash, total = text.strip().partition("/")
    if not (slash and index.isdigit() and total.isdigit() and 1 <= int(index) <= int(total)):
        raise ValueError(f"expected K/N with 1 <= K <= N, got {text!r}")
    return int(index), int(total)


#: Keep-together levels, strongest first.
ALL_RULES, NO_MODULE_RULE, XDIST_ONLY, NO_RULE = 3, 2, 1, 0


def _unit_keys(test: Collected, level: int) -> list[str]:
    keys = [f"test:{test.nodeid}"]
    if level >= XDIST_ONLY and test.xdist_group is not None:
        keys.append(f"xdist:{test.xdist_group}")
    if level >= NO_MODULE_RULE and test.cls is not None:
        keys.append(f"class:{test.cls}")
    if level >= ALL_RULES and test.module_fixture:
        keys.append(f"module:{test.module}")
    return keys


def units(tests: Sequence[Collected], level: int) -> list[list[int]]:
    """Indices of tests grouped into units (union of shared keys), each unit in collection order,
    units ordered by their first test."""
    parent = list(range(len(tests)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    owner: dict[str, int] = {}
    for index, test in enumerate(tests):
        for key in _unit_keys(test, level):
            if key in owner:
                a, b = find(owner[key]), find(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = index
    grouped: dict[int, list[int]] = {}
    for index in range(len(tests)):
        grouped.setdefault(find(index), []).append(index)
    return [grouped[root] for root in sorted(grouped)]


def weights(
    tests: Sequence[Collected], durations: Mapping[str, float]
) -> tuple[list[float], float | None]:
    """Seconds per test: its recorded duration, else the median of the recorded ones; all 1.0 (a
    split by count) when nothing is recorded."""
    known = [durations[t.nodeid] for t in tests if t.nodeid in durations]
    if not known:
        return [1.0] * len(tests), None
    median = statistics.median(known)
    return [durations.get(t.nodeid, median) for t in tests], median


def _greedy(unit_weights: Sequence[float], shards: int) -> list[list[int]]:
    order = sorted(range(len(unit_weights)), key=lambda u: (-unit_weights[u], u))
    # (load, units held, shard index): an empty shard wins every tie, so none stays empty.
    heap = [(0.0, 0, index) for index in range(shards)]
    assigned: list[list[int]] = [[] for _ in range(shards)]
    for unit in order:
        load, count, index = heapq.heappop(heap)
        assigned[index].append(unit)
        heapq.heappush(heap, (load + unit_weights[unit], count + 1, index))
    return assigned


def _improve(assigned: list[list[int]], unit_weights: Sequence[float], rounds: int = 500) -> None:
    """Moves and swaps from the slowest shard to the fastest while they bring the two closer
    (each step lowers the sum of squared loads, so it ends; the slowest shard never gets slower).
    """
    loads = [sum(unit_weights[u] for u in shard) for shard in assigned]
    for _ in range(rounds):
        high = max(range(len(loads)), key=lambda i: (loads[i], -i))
        low = min(range(len(loads)), key=lambda i: (loads[i], i))
        gap = loads[high] - loads[low]
        if gap <= 1e-9:
            return
        # Moving weight d from high to low helps when 0 < d < gap, most when d is near gap / 2.
        best: tuple[float, int, int | None] | None = None
        lows = sorted((unit_weights[b], b) for b in assigned[low])
        low_weights = [w for w, _ in lows]
        for a in assigned[high]:
            wa = unit_weights[a]
            if len(assigned[high]) > 1 and 0 < wa < gap:
                gain = min(wa, gap - wa)
                if best is None or gain > best[0]:
                    best = (gain, a, None)
            position = bisect.bisect_left(low_weights, wa - gap / 2)
            for k in (position - 1, position):
                if 0 <= k < len(lows):
                    delta = wa - lows[k][0]
                    if 0 < delta < gap:
                        gain = min(delta, gap - delta)
                        if best is None or gain > best[0]:
                            best = (gain, a, lows[k][1])
        if best is None or best[0] <= 1e-9:
            return
        _, a, b = best
        assigned[high].remove(a)
        assigned[low].append(a)
        loads[high] -= unit_weights[a]
        loads[low] += unit_weights[a]
        if b is not None:
            assigned[low].remove(b)
            assigned[high].append(b)
            loads[low] -= unit_weights[b]
            loads[high] += unit_weights[b]


def split(tests: Sequence[Collected], durations: Mapping[str, float], shards: int) -> Split:
    """Every test in exactly one of `shards` shards, balanced by duration, units kept whole."""
    if shards < 1:
        raise ValueError(f"shards: expected 1 or more, got {shards}")
    test_weights, median = weights(tests, durations)
    level = ALL_RULES
    grouped = units(tests, level)
    while len(grouped) < min(shards, len(tests)) and level > NO_RULE:
        level -= 1
        grouped = units(tests, level)
    unit_weights = [sum(test_weights[i] for i in unit) for unit in grouped]
    assigned = _greedy(unit_weights, shards)
    _improve(assigned, unit_weights)
    shard_tests = [sorted(i for u in shard for i in grouped[u]) for shard in assigned]
    return Split(
        shards=tuple(tuple(tests[i].nodeid for i in shard) for shard in shard_tests),
        predicted=tuple(round(sum(test_weights[i] for i in shard), 6) for shard in shard_tests),
        level=level,
        median=median,
    )
