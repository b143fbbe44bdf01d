"""Per-test durations of an earlier run, for `--durations-from PATH`, matched to this run's node ids.

PATH is a results directory, one metrics file (a group or a shard), or a `metrics.total.json`,
whose directory then provides the group's files (a total keeps no per-test durations itself).
A test's duration is setup + call + teardown: a module fixture's setup is charged to the first
test that needs it, so a module kept together weighs what its fixtures cost.

Node ids are relative to the rootdir of the run that wrote them. A run started elsewhere (another
rootdir, `--rootdir`, a sub-directory) writes the same tests with a longer or shorter path, so an
id that does not match exactly matches the one recorded id whose path ends with its path (or the
other way round) at a directory boundary, with the same part after `::`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from mmpgate.errors import InputError, located
from mmpgate.metrics.document import Entry, MetricsDocument
from mmpgate.metrics.io import load_metrics


@dataclasses.dataclass(frozen=True, slots=True)
class Durations:
    """Recorded seconds by node id, where they came from, and a digest of them."""

    source: str
    seconds: Mapping[str, float]

    @property
    def digest(self) -> str:
        """sha256 of the durations (sorted): equal on every shard that read the same data."""
        text = json.dumps(sorted(self.seconds.items()), separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry_seconds(entry: Entry) -> float | None:
    phases = entry["duration"]
    if "collect" in phases:
        return None  # a collector, not a test
    return float(phases.get("setup", 0.0) + phases.get("call", 0.0) + phases.get("teardown", 0.0))


def _group_documents(directory: Path, group: str) -> list[tuple[Path, MetricsDocument]]:
    from mmpgate.metrics.files import metrics_file_name, shard_files

    merged = directory / metrics_file_name(group)
    paths = [merged] if merged.is_file() else shard_files(directory, group)
    return [(path, load_metrics(path)) for path in paths]


def load_durations(path: Path, group: str) -> Durations | None:
    """The durations of `group` recorded under `path`; None when it holds none for the group."""
    if not path.exists():
        raise InputError(located(path, "", "--durations-from: no such file or directory"))
    documents: list[tuple[Path, MetricsDocument]]
    if path.is_dir():
        documents = _group_documents(path, group)
    else:
        document = load_metrics(path)
        if document["kind"] == "total":
            documents = _group_documents(path.parent, group)
        else:
            if document["group"] != group:
                got = document["group"]
                raise InputError(
                    located(path, "$.group", f"expected durations of group '{group}', got '{got}'")
                )
            documents = [(path, document)]
    seconds: dict[str, float] = {}
    for _, document in documents:
        for entry in document["tests"]:
            value = _entry_seconds(entry)
            if value is not None:
                seconds[entry["nodeid"]] = value
    if not seconds:
        return None
    shown = documents[0][0] if len(documents) == 1 else path
    return Durations(source=str(shown), seconds=seconds)


def _split(nodeid: str) -> tuple[tuple[str, ...], str]:
    file_part, sep, rest = nodeid.partition("::")
    return tuple(part for part in file_part.split("/") if part not in ("", ".")), sep + rest


def _suffix(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) > 0 and long[len(long) - len(short) :] == short


def match(nodeids: Sequence[str], recorded: Mapping[str, float]) -> dict[str, float]:
    """The recorded seconds of each node id that matches exactly, or uniquely by path suffix."""
    found = {nodeid: recorded[nodeid] for nodeid in nodeids if nodeid in recorded}
    missing = [nodeid for nodeid in nodeids if nodeid not in found]
    if not missing:
        return found
    by_tail: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {}
    for recorded_id in recorded:
        parts, rest = _split(recorded_id)
        if parts:
            by_tail.setdefault((parts[-1], rest), []).append((parts, recorded_id))
    for nodeid in missing:
        parts, rest = _split(nodeid)
        if not parts:
            continue
        candidates = [
            recorded_id
            for other, recorded_id in by_tail.get((parts[-1], rest), [])
            if _suffix(parts, other)
        ]
        if len(candidates) == 1:
            found[nodeid] = recorded[candidates[0]]
    return found


def describe(source: Durations | None, matched: int, total: int, median: float | None) -> str:
    """The one line a shard prints about where its durations came from."""
    if source is None:
        return f"no recorded durations: split by count ({total} tests)"
    rest = total - matched
    given = f", {rest} given the median {median:.3f}s" if rest and median is not None else ""
    return f"durations from {source.source}: {matched} of {total} tests matched{given}"


def nodeids_digest(nodeids: Iterable[str]) -> str:
    """sha256 of the sorted node ids: the identity of a collected set."""
    text = "\n".join(sorted(nodeids))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
