"""The reusable workflow's plan: groups, shard counts and stages -> one job matrix per stage (pure).

The workflow's graph is static (a fixed number of stage jobs, each `needs` the earlier ones), so the
plan fills stage jobs 1..k in order and leaves the rest empty (`[]`), which skips them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, UsageError, located
from mmpgate.metrics.names import group_name_problem

#: Stage jobs in the reusable workflow (`stage-1` .. `stage-4`): a plan needing more is refused.
MAX_STAGES = 4
#: The most shards one group may fan out to (GitHub allows 256 jobs per matrix).
MAX_SHARDS = 64
DEFAULT_STAGES = "unit > integration > e2e"
_SEPARATORS = re.compile(r"[\s,]+")


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class ShardJob:
    """One matrix entry: shard `index` of `total` of a group (1 of 1: the whole group)."""

    group: str
    index: int
    total: int

    @property
    def name(self) -> str:
        """`<group>-<k>of<n>`: the artifact suffix and the job's display name."""
        return f"{self.group}-{self.index}of{self.total}"

    def entry(self) -> dict[str, Any]:
        """The matrix `include` entry the stage job reads."""
        return {
            "group": self.group,
            "shard": f"{self.index}/{self.total}" if self.total > 1 else "",
            "name": self.name,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """Stages in order, each the shard jobs that run in parallel in it."""

    stages: tuple[tuple[ShardJob, ...], ...]

    @property
    def groups(self) -> tuple[str, ...]:
        """Every planned group, in stage order."""
        return tuple(dict.fromkeys(job.group for stage in self.stages for job in stage))

    def expected(self) -> dict[str, int]:
        """Group -> number of shards: what the gate must receive, exactly."""
        return {job.group: job.total for stage in self.stages for job in stage}

    def outputs(self) -> dict[str, str]:
        """The step outputs: `stage-1`..`stage-4` (JSON matrices, `[]` unused) and `expected`."""
        values = {
            f"stage-{number}": _compact(
                [job.entry() for job in self.stages[number - 1]]
                if number <= len(self.stages)
                else []
            )
            for number in range(1, MAX_STAGES + 1)
        }
        values["expected"] = _compact(self.expected())
        return values


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=False)


def parse_names(text: str, what: str) -> tuple[str, ...]:
    """Group names separated by spaces or commas, each checked, none twice."""
    names = tuple(name for name in _SEPARATORS.split(text.strip()) if name)
    for name in names:
        problem = group_name_problem(name)
        if problem is not None:
            raise UsageError(f"{what}: {problem}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UsageError(f"{what}: expected each group once, {', '.join(repeated)} repeated")
    return names


def parse_stages(text: str) -> tuple[tuple[str, ...], ...]:
    """`unit > integration > e2e smoke`: stages in order, groups of one stage run side by side."""
    stages = tuple(parse_names(part, "stages") for part in text.split(">"))
    if any(not stage for stage in stages):
        raise UsageError(f"stages: {text!r}: expected group names between the '>' signs")
    every = [name for stage in stages for name in stage]
    repeated = sorted({name for name in every if every.count(name) > 1})
    if repeated:
        raise UsageError(
            f"stages: expected each group in one stage, {', '.join(repeated)} repeated"
        )
    return stages


def parse_shards(text: str, what: str = "shards") -> dict[str, int]:
    """A JSON object of group -> shard count, e.g. `{"unit": 4}`; empty text is `{}`."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f'{what}: expected a JSON object such as {{"unit": 4}}: {exc}') from exc
    if not isinstance(data, dict):
        raise UsageError(f"{what}: expected a JSON object of group -> count, got {text.strip()!r}")
    counts: dict[str, int] = {}
    for name, count in data.items():
        problem = group_name_problem(name)
        if problem is not None:
            raise UsageError(f"{what}: {problem}")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SHARDS:
            raise UsageError(
                f"{what}.{name}: expected an integer from 1 to {MAX_SHARDS}, got {count!r}"
            )
        counts[name] = count
    return counts


def plan(groups: Sequence[str], shards: Mapping[str, int], stages: Sequence[Sequence[str]]) -> Plan:
    """Place each group in its stage (groups no stage names join the last one), shard it, and
    drop empty stages. Shard counts must name planned groups: a typo never goes unnoticed."""
    if not groups:
        raise UsageError("groups: expected at least one group")
    unknown = sorted(set(shards) - set(groups))
    if unknown:
        raise UsageError(f"shards: {', '.join(unknown)} not in groups ({' '.join(groups)})")
    placed: list[list[str]] = [[] for _ in stages] or [[]]
    position = {name: number for number, stage in enumerate(stages) for name in stage}
    for name in groups:
        placed[position.get(name, len(placed) - 1)].append(name)
    filled = [stage for stage in placed if stage]
    if len(filled) > MAX_STAGES:
        raise UsageError(
            f"stages: {len(filled)} stages planned, the workflow runs at most {MAX_STAGES}"
        )
    return Plan(
        tuple(
            tuple(
                ShardJob(name, index, shards.get(name, 1))
                for name in stage
                for index in range(1, shards.get(name, 1) + 1)
            )
            for stage in filled
        )
    )


def plan_from_text(groups: str, shards: str, stages: str = DEFAULT_STAGES) -> Plan:
    """The plan from the workflow's string inputs."""
    return plan(
        parse_names(groups, "groups"), parse_shards(shards), parse_stages(stages or DEFAULT_STAGES)
    )


def require_expected(directory: Path, expected: Mapping[str, int]) -> None:
    """The results directory holds exactly the planned groups (group -> shard count), by file
    name: `metrics.<group>.json`, or for a sharded group at least one of its shard files (which
    shards are missing or foreign is for the merge to say). One line names the problems."""
    from mmpgate.metrics.files import TOTAL_FILE, parse_shard_file, shard_files

    present = {
        path.name.removeprefix("metrics.").removesuffix(".json")
        for path in directory.glob("metrics.*.json")
        if path.name != TOTAL_FILE and parse_shard_file(path.name) is None
    }
    present |= {parse_shard_file(path.name)[0] for path in shard_files(directory)}  # type: ignore[index]
    missing = [group for group in expected if group not in present]
    unplanned = sorted(present - set(expected))
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unplanned:
        problems.append(f"not in the plan: {', '.join(unplanned)}")
    if problems:
        planned = ", ".join(f"{g} x{n}" if n > 1 else g for g, n in expected.items())
        raise InputError(
            located(directory, "", f"expected exactly the planned {planned}; {'; '.join(problems)}")
        )
