"""A sharded group's shard documents -> the group's one document (pure: no I/O).

The shards of one plan (same collected set, durations, N, commit and CI run) must all be there
once: a shard missing, twice, of another plan, or a test in two shards makes the group incomplete,
with a reason naming the shard, and the gate fails it. A later attempt of a shard (a re-run job)
replaces the earlier one. Counts add up; collection reports, which every shard makes for the whole
group, count once; the wall time is the slowest shard's (they ran side by side), the sum beside it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from mmpgate.metrics.document import (
    Coverage,
    Entry,
    MetricsDocument,
    Shard,
    ShardMember,
    Shards,
    count_of,
    new_counts,
    new_document,
    new_duration,
    process_of,
    slowest_of,
)
from mmpgate.metrics.environment import describe
from mmpgate.metrics.format import COUNT_KEYS
from mmpgate.shard.durations import nodeids_digest

#: `tests[].outcome` of a collection report -> the count it was added to.
_COLLECT_COUNT = {"error": "errors", "failed": "failed", "skipped": "skipped"}
_Identity = tuple[str, str | None, str | None]


@dataclasses.dataclass(frozen=True, slots=True)
class ShardFile:
    """One shard document and the name of the file it came from."""

    name: str
    document: MetricsDocument

    @property
    def shard(self) -> Shard:
        """The document's `shard` object."""
        return self.document["shard"]

    @property
    def label(self) -> str:
        """`shard K/N (file)` for messages."""
        return f"shard {self.shard['index']}/{self.shard['total']} ({self.name})"

    @property
    def identity(self) -> _Identity:
        """What every shard of one plan shares."""
        plan = self.shard["plan"]
        return plan["digest"], plan["commit"], plan["run_id"]


def choose(files: Sequence[ShardFile], expected: int | None) -> tuple[list[ShardFile], list[str]]:
    """The shards of the group's plan (the latest attempt of each index) and the problems found.

    The plan most shards share is the group's (ties: the first file's); the others are foreign."""
    if not files:
        raise ValueError("no shard files")
    plans = Counter(f.identity for f in files)
    first_seen = {
        ident: next(i for i, f in enumerate(files) if f.identity == ident) for ident in plans
    }
    reference = min(plans, key=lambda ident: (-plans[ident], first_seen[ident]))
    problems: list[str] = []
    for f in files:
        if f.identity != reference:
            _, commit, run_id = f.identity
            if commit != reference[1]:
                why = "another commit"
            elif run_id != reference[2]:
                why = "another CI run"
            else:
                why = "another plan (other collected tests, durations or shard count)"
            problems.append(f"{f.label} belongs to {why}")
    members = [f for f in files if f.identity == reference]
    total = members[0].shard["total"]
    if expected is not None and expected != total:
        problems.append(f"planned {expected} shards, the shards say {total}")
    chosen: list[ShardFile] = []
    for index in range(1, total + 1):
        candidates = [f for f in members if f.shard["index"] == index]
        if not candidates:
            problems.append(f"shard {index}/{total} missing")
            continue
        latest = max(f.shard["attempt"] for f in candidates)
        newest = [f for f in candidates if f.shard["attempt"] == latest]
        if len(newest) > 1:
            problems.append(
                f"shard {index}/{total} appears twice ({', '.join(f.name for f in newest)})"
            )
        chosen.append(newest[0])
    return chosen, problems


def merge(
    group: str,
    files: Sequence[ShardFile],
    expected: int | None = None,
    coverage: Coverage | None = None,
    started: float = 0.0,
) -> MetricsDocument:
    """The group's document from its shards; incomplete, with every problem as the reason."""
    chosen, problems = choose(files, expected)
    if not chosen:
        raise ValueError(f"{group}: no shard of the group's plan")
    plan = chosen[0].shard["plan"]
    counts: Counter[str] = Counter()
    tests: list[Entry] = []
    collectors: dict[str, Entry] = {}
    ran_in: dict[str, str] = {}
    for f in chosen:
        for key in COUNT_KEYS:
            counts[key] += count_of(f.document["counts"], key)
        for entry in f.document["tests"]:
            nodeid = entry["nodeid"]
            if "collect" in entry["duration"]:
                if nodeid in collectors:  # every shard reports the group's collection: once
                    counted = _COLLECT_COUNT.get(entry["outcome"])
                    if counted is not None:
                        counts[counted] -= 1
                else:
                    collectors[nodeid] = entry
                continue
            if nodeid in ran_in:
                problems.append(f"test {nodeid} ran in {ran_in[nodeid]} and {f.label}")
            ran_in[nodeid] = f.label
            tests.append(entry)
    # Each shard deselected the other shards' tests besides what -k/-m deselected: keep the latter.
    counts["deselected"] = max(
        int(f.document["counts"]["deselected"]) - (plan["collected"] - f.shard["selected"])
        for f in chosen
    )
    for f in chosen:
        if not f.document["complete"]:
            problems.append(f"{f.label}: {f.document['reason'] or 'incomplete'}")
    if not problems and nodeids_digest(ran_in) != plan["collection"]:
        problems.append(
            f"the shards ran {len(ran_in)} tests, not the plan's {plan['collected']} collected"
        )
    walls = [f.document["duration"]["wall"] for f in chosen]
    shards = Shards(
        total=chosen[0].shard["total"],
        plan=plan,
        members=[
            ShardMember(
                index=f.shard["index"],
                attempt=f.shard["attempt"],
                file=f.name,
                selected=f.shard["selected"],
                wall=f.document["duration"]["wall"],
                complete=f.document["complete"],
            )
            for f in chosen
        ],
    )
    limit = max(len(f.document["slowest"]) for f in chosen)
    return new_document(
        kind="group",
        group=group,
        complete=not problems,
        reason="; ".join(problems) if problems else None,
        stopped_early=any(f.document["stopped_early"] for f in chosen),
        interrupted=any(f.document["interrupted"] for f in chosen),
        exit_status=next(
            (f.document["exit_status"] for f in chosen if f.document["exit_status"]), 0
        ),
        collected=plan["collected"] + counts["deselected"],
        counts=new_counts(counts),
        duration=new_duration(
            max(walls),
            sum(f.document["duration"]["tests_sum"] for f in chosen),
            sum(walls),
            process_of([f.document for f in chosen], max),
        ),
        tests=[*tests, *collectors.values()],
        slowest=slowest_of(
            ((s["duration"], s["nodeid"]) for f in chosen for s in f.document["slowest"]), limit
        ),
        coverage=coverage,
        environment=describe(None, workers=0, started=started, producer="combine"),
        source={f"shard-{f.shard['index']}": f.name for f in chosen},
        shards=shards,
    )
