"""The group documents of a results directory, one at a time, and what one test entry says.

Readers that need every test's fields (the HTML report, the exports) walk the documents here;
the gate reads the reduced view in `metrics.results`.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, UsageError, located
from mmpgate.metrics.files import METRICS_GLOB, read_group_documents


@dataclasses.dataclass(frozen=True, slots=True)
class GroupDocument:
    """One validated `metrics.<group>.json`."""

    path: Path
    data: Mapping[str, Any]

    @property
    def group(self) -> str:
        """The group's name."""
        return str(self.data["group"])

    @property
    def shard(self) -> str | None:
        """`K/N` when the file holds one shard of its group (the sharded workflow writes it)."""
        shard = self.data.get("shard")
        if isinstance(shard, Mapping):
            return f"{shard.get('index')}/{shard.get('count')}"
        return str(shard) if shard is not None else None


def group_documents(directory: Path) -> Iterator[GroupDocument]:
    """Each group file of a results directory through the one loader; at least one must exist."""
    found = False
    for path, document in read_group_documents(directory):
        found = True
        yield GroupDocument(path, document)
    if not found:
        raise InputError(located(directory, "", f"no group metrics files ({METRICS_GLOB}) found"))


def entry_seconds(entry: Mapping[str, Any]) -> float:
    """Setup + call + teardown seconds of one entry (reruns included, as pytest timed them)."""
    return float(sum(entry["duration"].values()))


def is_collector(entry: Mapping[str, Any]) -> bool:
    """True for a module or class that failed or skipped at collection (not a test)."""
    return "collect" in entry["duration"]


def retry_count(entry: Mapping[str, Any]) -> int:
    """Real retries of a test: pytest-rerunfailures' reruns plus `mmpgate run --retries` attempts.

    Parametrized cases are separate tests, never retries of one another.
    """
    return int(entry.get("reruns", 0)) + len(entry.get("attempts") or ())


def is_flaky(entry: Mapping[str, Any]) -> bool:
    """Failed, then passed on a retry in the same run (the CTRF / Develocity definition)."""
    classification = entry.get("classification")
    if classification is not None:
        return bool(classification == "flaky")
    return entry["outcome"] == "passed" and int(entry.get("reruns", 0)) > 0


_STATUS_BY_OUTCOME = {
    "passed": "passed",
    "xpassed": "passed",
    "failed": "failed",
    "error": "failed",
    "skipped": "skipped",
    "xfailed": "skipped",
}


def status_of(entry: Mapping[str, Any]) -> str:
    """'passed', 'failed' (broken, or not retried), 'flaky' (`is_flaky`) or 'skipped' (also xfailed)."""
    if is_flaky(entry):
        return "flaky"
    classification = entry.get("classification")
    if classification is not None:
        return str(classification)
    return _STATUS_BY_OUTCOME[entry["outcome"]]


def flaky_evidence(entry: Mapping[str, Any]) -> str | None:
    """Why a flaky entry is flaky, in words."""
    if "classification" in entry:
        evidence = entry.get("evidence")
        return None if evidence is None else str(evidence)
    return f"passed after {entry['reruns']} pytest-rerunfailures rerun(s)"


def check_output(output: Path, inputs: Iterable[Path | None]) -> None:
    """Refuse an output that is one of the inputs or a metrics file inside an input directory."""
    target = output.resolve()
    for source in filter(None, inputs):
        resolved = source.resolve()
        inside = target.parent == resolved and fnmatch.fnmatch(target.name, METRICS_GLOB)
        if target == resolved or inside:
            raise UsageError(f"--output {output}: would write over an input ({source})")
