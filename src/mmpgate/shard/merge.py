"""A sharded group's shard documents -> the group's one document (pure: no I/O).

The shards of one plan (same collected set, durations, commit and CI run) must all be there once:
a shard missing, twice, of another plan, or a test in two shards makes the group incomplete, with a
reason naming the shard, and the gate fails it. A later attempt of a shard (a re-run job) replaces
the earlier one. Counts add up; collection reports, which every shard makes for the whole group,
are counted once; the wall time is the slowest shard's (they ran side by side), the sum beside it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from mmpgate.shard.durations import nodeids_digest

#: `tests[].outcome` of a collection report -> the count it was added to.
_COLLECT_COUNT = {"error": "errors", "failed": "failed", "skipped": "skipped"}


@dataclasses.dataclass(frozen=True, slots=True)
class ShardFile:
    """One shard document and the file it came from."""

    name: str
    document: Mapping[str, Any]

    @property
    def shard(self) -> Mapping[str, Any]:
        """The document's `shard` object."""
        return self.document["shard"]

    @property
    def label(self) -> str:
        """`shard K/N (file)` for messages."""
        return f"shard {self.shard['index']}/{self.shard['total']} ({self.name})"


def _identity(shard: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    plan = shard["plan"]
    return plan["digest"], plan["commit"], plan["run_id"]


def choose(files: Sequence[ShardFile], expected: int | None) -> tuple[list[ShardFile], list[str]]:
    """The shards of the group's plan (latest attempt of each index) and the problems found."""
    problems: list[str] = []
    if not files:
        return [], ["no shard files"]
    plans = Counter(_identity(f.shard) for f in files)
    reference = min(plans, key=lambda ident: (-plans[ident], files_order(files, ident)))
    for f in files:
        if _identity(f.shard) != reference:
            _, commit, run_id = _identity(f.shard)
            why = (
                "another commit" if commit != reference[1]
                else "another CI run" if run_id != reference[2]
                else "another plan (collected tests, durations or shard count)"
            )  # fmt: skip
            problems.append(f"{f.label} belongs to {why}")
    members = [f for f in files if _identity(f.shard) == reference]
    total = int(members[0].shard["total"])
    if expected is not None and expected != total:
        problems.append(f"planned {expected} shards, the shards say {total}")
    by_index: dict[int, list[ShardFile]] = {}
    for f in members:
        by_index.setdefault(int(f.shard["index"]), []).append(f)
    chosen: list[ShardFile] = []
    for index in range(1, total + 1):
        candidates = by_index.get(index, [])
        if not candidates:
            problems.append(f"shard {index}/{total} missing")
            continue
        latest = max(int(f.shard["attempt"]) for f in candidates)
        newest = [f for f in candidates if int(f.shard["attempt"]) == latest]
        if len(newest) > 1:
            names = ", ".join(f.name for f in newest)
            problems.append(f"shard {index}/{total} appears twice ({names})")
        chosen.append(newest[0])
    return chosen, problems


def files_order(files: Sequence[ShardFile], ident: tuple[str, str | None, str | None]) -> int:
    """Position of the first file of a plan (ties between plans go to the first seen)."""
    return next(i for i, f in enumerate(files) if _identity(f.shard) == ident)


def _tests_of(
    document: Mapping[str, Any],
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    tests, collectors = [], []
    for entry in document["tests"]:
        (collectors if "collect" in entry["duration"] else tests).append(entry)
    return tests, collectors


def merge(
    group: str, files: Sequence[ShardFile], expected: int | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The group's document from its shards, and why it is incomplete (empty: complete)."""
    chosen, problems = choose(files, expected)
    if not chosen:
        raise ValueError(f"{group}: no shard of the group's plan")
    plan = chosen[0].shard["plan"]
    counts: Counter[str] = Counter()
    tests: list[Mapping[str, Any]] = []
    collectors: dict[str, Mapping[str, Any]] = {}
    ran_in: dict[str, str] = {}
    for f in chosen:
        doc = f.document
        counts.update({key: int(value) for key, value in doc["counts"].items()})
        shard_tests, shard_collectors = _tests_of(doc)
        for entry in shard_tests:
            nodeid = entry["nodeid"]
            if nodeid in ran_in:
                problems.append(f"test {nodeid} ran in {ran_in[nodeid]} and {f.label}")
            ran_in[nodeid] = f.label
            tests.append(entry)
        for entry in shard_collectors:
            if entry["nodeid"] in collectors:
                key = _COLLECT_COUNT.get(entry["outcome"])
                if key is not None:  # the same collection report, made by every shard: once
                    counts[key] -= 1
            else:
                collectors[entry["nodeid"]] = entry
    collected_here = int(plan["collected"])
    # Each shard deselected the other shards' tests: give back what sharding deselected.
    counts["deselected"] -= collected_here * len(chosen) - sum(
        int(f.shard["selected"]) for f in chosen
    )
    from mmpgate.metrics.format import OUTCOME_KEYS

    counts["total"] = sum(counts[key] for key in OUTCOME_KEYS)
    complete_tests = all(f.document["complete"] for f in chosen)
    whole = complete_tests and not problems and len(chosen) == plan_total(chosen)
    if whole and nodeids_digest(ran_in) != plan["collection"]:
        problems.append(
            f"the shards' {len(ran_in)} tests are not the plan's {plan['collected']} collected"
        )
    for f in chosen:
        if not f.document["complete"]:
            problems.append(f"{f.label}: {f.document.get('reason') or 'incomplete'}")
    walls = [float(f.document["duration"]["wall"]) for f in chosen]
    document = {
        **chosen[0].document,
        "complete": not problems,
        "stopped_early": any(f.document["stopped_early"] for f in chosen),
        "interrupted": any(f.document["interrupted"] for f in chosen),
        "exit_status": next(
            (f.document["exit_status"] for f in chosen if f.document["exit_status"]), 0
        ),
        "reason": "; ".join(problems) if problems else None,
        "collected": collected_deselected(chosen, counts),
        "counts": {key: counts[key] for key in chosen[0].document["counts"]},
        "duration": {
            "wall": round(max(walls), 6),
            "tests_sum": round(sum(float(f.document["duration"]["tests_sum"]) for f in chosen), 6),
            "shards_sum": round(sum(walls), 6),
        },
        "tests": [*tests, *collectors.values()],
        "slowest": sorted(
            (s for f in chosen for s in f.document["slowest"]),
            key=lambda s: (-s["duration"], s["nodeid"]),
        )[: max((len(f.document["slowest"]) for f in chosen), default=0)],
        "coverage": None,
        "shard": None,
        "shards": {
            "total": int(plan_total(chosen)),
            "plan": dict(plan),
            "members": [
                {
                    "index": int(f.shard["index"]),
                    "attempt": int(f.shard["attempt"]),
                    "file": f.name,
                    "selected": int(f.shard["selected"]),
                    "wall": float(f.document["duration"]["wall"]),
                    "complete": bool(f.document["complete"]),
                }
                for f in chosen
            ],
        },
    }
    document["empty"] = counts["total"] == 0
    return document, problems


def plan_total(chosen: Sequence[ShardFile]) -> int:
    """N of the plan the chosen shards belong to."""
    return int(chosen[0].shard["total"])


def collected_deselected(chosen: Sequence[ShardFile], counts: Mapping[str, int]) -> int:
    """What an unsharded run collects: the plan's collection plus what was deselected anyway."""
    return int(chosen[0].shard["plan"]["collected"]) + int(counts["deselected"])
