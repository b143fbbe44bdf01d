"""The history as the gate needs it: only the tests of this run that are flaky or quarantined."""

from __future__ import annotations

from pathlib import Path

from mmpgate.flaky.history import stats
from mmpgate.flaky.history.model import DEFAULT_DEFINITIONS, Definitions, Status
from mmpgate.flaky.history.store import is_url, open_store
from mmpgate.flaky.quarantine import Quarantine
from mmpgate.gate.flaky_rules import HistoryFacts
from mmpgate.metrics.results import MetricsSet


def history_facts(
    target: str,
    metrics: MetricsSet,
    quarantine: Quarantine,
    definitions: Definitions = DEFAULT_DEFINITIONS,
) -> HistoryFacts:
    """Flaky-in-history and passed-in-every-recent-run sets for this run's relevant tests.

    Only tests flaky now or held by the quarantine are looked up, one index range each over
    the last `definitions.last` runs: the cost follows this run, not the history's length.
    A SQLite file that does not exist is an empty history (the first run of a project).
    """
    if not is_url(target) and not Path(target).exists():
        return HistoryFacts(source=target, runs=0)
    wanted: set[tuple[str, str]] = set()
    for group in metrics.groups.values():
        wanted.update((group.name, nodeid) for nodeid in group.flaky)
        names = set(group.details)
        if group.tests is not None:
            names.update(group.tests)
        wanted.update((group.name, nodeid) for nodeid in quarantine.matching(names))
    with open_store(target, create=False) as store:
        runs = store.recent_runs(definitions.last)
        if not runs or not wanted:
            return HistoryFacts(source=store.source, runs=len(runs))
        observed = store.observations(runs[-1].id, wanted)
        flaky = frozenset(
            (s.group, s.nodeid) for s in stats.compute(observed, definitions) if s.flaky_by
        )
        passing = frozenset(
            key
            for key, seen in observed.items()
            if seen
            and all(o.status in (Status.PASSED, Status.SKIPPED) for o in seen)
            and any(o.status is Status.PASSED for o in seen)
        )
        return HistoryFacts(source=store.source, runs=len(runs), flaky=flaky, passing=passing)
