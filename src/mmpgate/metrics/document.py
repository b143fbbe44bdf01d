"""THE metrics document: its types, its one constructor and its one per-test item.

Every producer (the plugin's recorder, `collect`, `combine`, the runner's placeholder for a pytest
that wrote nothing) builds its document with `new_document` and its test entries with `new_entry`;
every reader gets a `MetricsDocument` from `metrics.io.load_metrics`. The types mirror
`schemas/metrics.schema.json` (a test holds the two equal); the document stays a plain dict at run
time, so it is written and read as JSON with no conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypedDict

from mmpgate.metrics.format import COUNT_KEYS, DEFAULT_SLOWEST, FORMAT_VERSION, OUTCOME_KEYS

#: Seconds are written with microsecond precision.
_PLACES = 6


class Counts(TypedDict):
    """Outcome counts equal to pytest's summary line; `total` is their denominator."""

    passed: int
    failed: int
    errors: int
    skipped: int
    xfailed: int
    xpassed: int
    deselected: int
    reruns: int
    total: int


class Rates(TypedDict):
    """Failure and skip rates over `counts.total`; None when nothing ran."""

    failure: float | None
    skip: float | None


class _DurationOptional(TypedDict, total=False):
    shards_sum: float
    #: `mmpgate run`'s own timing of the group's pytest process(es): start-up, imports,
    #: collection and retries included (the session's `wall` leaves them out).
    process: float


class Duration(_DurationOptional):
    """Wall-clock seconds and the sum of the tests' own seconds, kept apart."""

    wall: float
    tests_sum: float


class _CoverageFile(TypedDict, total=False):
    file: str | None


class Coverage(_CoverageFile):
    """Coverage totals read from a Cobertura XML."""

    percent: float
    lines_valid: int
    lines_covered: int
    branches_valid: int | None
    branches_covered: int | None


class Environment(TypedDict):
    """Where and how the run happened."""

    python: str | None
    platform: str | None
    pytest: str | None
    xdist: str | None
    workers: int
    git_commit: str | None
    command: list[str]
    started: str | None
    finished: str | None
    producer: str


class Attempt(TypedDict):
    """One retry of a test by `mmpgate run --retries` (a fresh pytest process, alone)."""

    outcome: str
    duration: float
    message: str | None


class _EntryOptional(TypedDict, total=False):
    reruns: int
    attempts: list[Attempt]
    classification: str
    evidence: str | None


class Entry(_EntryOptional):
    """One test (or a collector that errored or was skipped) that reached an outcome."""

    nodeid: str
    outcome: str
    duration: dict[str, float]
    message: str | None
    line: int | None


class SlowTest(TypedDict):
    """One of the slowest tests: setup + call + teardown seconds."""

    nodeid: str
    duration: float


class GroupSummary(TypedDict):
    """A combined group's own figures inside a total document."""

    counts: Counts
    rates: Rates
    duration: Duration
    coverage: Coverage | None
    complete: bool


class Retries(TypedDict):
    """What `mmpgate run --retries` did after a group's run (beside pytest's own counts)."""

    max_attempts: int
    retried: int
    flaky: int
    failed: int
    processes: int
    coverage: str


class ShardDurations(TypedDict):
    """Where a split's durations came from."""

    source: str
    digest: str
    matched: int
    median: float | None


class ShardPlan(TypedDict):
    """Identifies one split of a group: collection, durations, N, commit and CI run."""

    digest: str
    collection: str
    collected: int
    durations: ShardDurations | None
    commit: str | None
    run_id: str | None


class Shard(TypedDict):
    """A shard file's own shard: K of N of a plan, and the attempt that wrote it."""

    index: int
    total: int
    selected: int
    attempt: int
    predicted: float
    plan: ShardPlan


class ShardMember(TypedDict):
    """One shard file merged into its group's file."""

    index: int
    attempt: int
    file: str
    selected: int
    wall: float
    complete: bool


class Shards(TypedDict):
    """A merged sharded group: its plan and its shard files."""

    total: int
    plan: ShardPlan
    members: list[ShardMember]


class InTwoGroups(TypedDict):
    """A collected test that more than one group ran (the total counts it more than once)."""

    nodeid: str
    groups: list[str]


class Assignment(TypedDict):
    """Group completeness of one `mmpgate run --all`: the whole suite's collection against the
    tests the groups ran (`assignment.json` of a results directory)."""

    format: int
    kind: str
    #: Every group of the run, sorted.
    groups: list[str]
    #: Test IDs (and collection errors) of the whole suite's collection.
    collected: int
    #: Collected, run by no group: sorted.
    unassigned: list[str]
    #: Run by two groups or more: sorted by nodeid.
    multiple: list[InTwoGroups]
    #: `fail` (the gate fails on a test in no group or in two) or `allow` (it only reports them).
    policy: str
    #: Why the whole suite's collection could not tell (then the lists are empty), else None.
    error: str | None


class _DocumentOptional(TypedDict, total=False):
    groups: dict[str, GroupSummary]
    retries: Retries
    shard: Shard
    shards: Shards


class MetricsDocument(_DocumentOptional):
    """A metrics file: one group's run (`kind: group`) or the groups combined (`kind: total`)."""

    format: int
    kind: str
    group: str
    complete: bool
    stopped_early: bool
    interrupted: bool
    empty: bool
    exit_status: int | None
    reason: str | None
    collected: int | None
    counts: Counts
    rates: Rates
    duration: Duration
    tests: list[Entry]
    slowest: list[SlowTest]
    coverage: Coverage | None
    environment: Environment
    source: dict[str, str | None]


def new_counts(values: Mapping[str, object] | None = None) -> Counts:
    """Counts from outcome values (missing keys are 0); `total` is always recomputed."""
    given = {key: _integer(values.get(key, 0)) if values else 0 for key in COUNT_KEYS}
    return Counts(
        passed=given["passed"],
        failed=given["failed"],
        errors=given["errors"],
        skipped=given["skipped"],
        xfailed=given["xfailed"],
        xpassed=given["xpassed"],
        deselected=given["deselected"],
        reruns=given["reruns"],
        total=sum(given[key] for key in OUTCOME_KEYS),
    )


def _integer(value: object) -> int:
    assert isinstance(value, int), value
    return value


def count_of(counts: Counts | Mapping[str, int], key: str) -> int:
    """One count by a key known only at run time (the keys of `COUNT_KEYS`)."""
    value: object = counts[key]  # type: ignore[literal-required]
    return _integer(value)


def sum_counts(many: Iterable[Counts | Mapping[str, int]]) -> Counts:
    """The one rule for adding up groups (or shards): every count key summed, total recomputed."""
    sums = dict.fromkeys(COUNT_KEYS, 0)
    for counts in many:
        for key in COUNT_KEYS:
            sums[key] += count_of(counts, key)
    return new_counts(sums)


def rates_of(counts: Counts | Mapping[str, int]) -> Rates:
    """Failure and skip rates; None (never 0, never a division error) when nothing ran."""
    total = count_of(counts, "total")
    if total == 0:
        return Rates(failure=None, skip=None)
    failing = count_of(counts, "failed") + count_of(counts, "errors")
    return Rates(failure=failing / total, skip=count_of(counts, "skipped") / total)


def new_duration(
    wall: float,
    tests_sum: float,
    shards_sum: float | None = None,
    process: float | None = None,
) -> Duration:
    """Durations rounded as every metrics file writes them (`shards_sum`: a merged sharded group;
    `process`: the runner's timing of the pytest process)."""
    duration = Duration(wall=round(wall, _PLACES), tests_sum=round(tests_sum, _PLACES))
    if shards_sum is not None:
        duration["shards_sum"] = round(shards_sum, _PLACES)
    if process is not None:
        duration["process"] = round(process, _PLACES)
    return duration


def process_of(
    documents: Iterable[MetricsDocument], combined: Callable[[list[float]], float]
) -> float | None:
    """The documents' `process` seconds combined (sum, max), None unless every one has it."""
    values = [d["duration"].get("process") for d in documents]
    known = [v for v in values if v is not None]
    return combined(known) if values and len(known) == len(values) else None


def new_entry(
    nodeid: str,
    outcome: str,
    duration: Mapping[str, float],
    *,
    message: str | None = None,
    line: int | None = None,
    reruns: int | None = None,
) -> Entry:
    """The one per-test item. `reruns` is left out when the producer cannot know it (a JUnit file)."""
    entry = Entry(
        nodeid=nodeid,
        outcome=outcome,
        duration={phase: round(seconds, _PLACES) for phase, seconds in duration.items()},
        message=message,
        line=line,
    )
    if reruns is not None:
        entry["reruns"] = reruns
    return entry


def slowest_of(timed: Iterable[tuple[float, str]], limit: int = DEFAULT_SLOWEST) -> list[SlowTest]:
    """The `limit` longest (seconds, nodeid) pairs, longest first, ties by nodeid."""
    ranked = sorted(timed, key=lambda pair: (-pair[0], pair[1]))[:limit]
    return [SlowTest(nodeid=nodeid, duration=round(seconds, _PLACES)) for seconds, nodeid in ranked]


def new_document(
    *,
    kind: str,
    group: str,
    counts: Counts,
    duration: Duration,
    environment: Environment,
    source: Mapping[str, str | None],
    complete: bool,
    reason: str | None,
    stopped_early: bool = False,
    interrupted: bool = False,
    exit_status: int | None = None,
    collected: int | None = None,
    tests: list[Entry] | None = None,
    slowest: list[SlowTest] | None = None,
    coverage: Coverage | None = None,
    groups: dict[str, GroupSummary] | None = None,
    shard: Shard | None = None,
    shards: Shards | None = None,
) -> MetricsDocument:
    """The one constructor: `rates` and `empty` follow from the counts, never from the caller."""
    document = MetricsDocument(
        format=FORMAT_VERSION,
        kind=kind,
        group=group,
        complete=complete,
        stopped_early=stopped_early,
        interrupted=interrupted,
        empty=counts["total"] == 0,
        exit_status=exit_status,
        reason=reason,
        collected=collected,
        counts=counts,
        rates=rates_of(counts),
        duration=duration,
        tests=[] if tests is None else tests,
        slowest=[] if slowest is None else slowest,
        coverage=coverage,
        environment=environment,
        source=dict(source),
    )
    if groups is not None:
        document["groups"] = groups
    if shard is not None:
        document["shard"] = shard
    if shards is not None:
        document["shards"] = shards
    return document
