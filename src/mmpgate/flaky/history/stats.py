"""Rates and both flaky definitions from a test's observations (pure; both backends use it)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from mmpgate.flaky.history.model import Definitions, Observation, Rates, Status


def compute(
    observations: Mapping[tuple[str, str], Sequence[Observation]], definitions: Definitions
) -> list[Rates]:
    """Rates per (group, nodeid), sorted by group and node id."""
    return [
        one(group, nodeid, observations[(group, nodeid)], definitions)
        for group, nodeid in sorted(observations)
    ]


def one(group: str, nodeid: str, seen: Sequence[Observation], definitions: Definitions) -> Rates:
    """One test's rates; `seen` oldest first."""
    ran = [o for o in seen if o.status is not Status.SKIPPED]
    failures = sum(o.status is Status.FAILED for o in ran)
    flaky_runs = sum(o.status is Status.FLAKY for o in ran)
    # A flip is a change between "passed" and "did not pass" (failed or flaky: it failed first).
    passing = [o.status is Status.PASSED for o in ran]
    flips = sum(a != b for a, b in itertools.pairwise(passing))
    by_commit: dict[str, set[bool]] = {}
    for o in ran:
        if o.commit is not None:
            by_commit.setdefault(o.commit, set()).add(o.status is Status.PASSED)
    same_commit = flaky_runs > 0 or any(len(kinds) == 2 for kinds in by_commit.values())
    flip_flaky = (
        len(ran) >= max(definitions.min_runs, 2)
        and flips / (len(ran) - 1) >= definitions.flip_threshold
    )
    return Rates(
        group=group,
        nodeid=nodeid,
        runs=len(ran),
        failures=failures,
        flaky_runs=flaky_runs,
        flips=flips,
        same_commit=same_commit,
        flip_flaky=flip_flaky,
    )
