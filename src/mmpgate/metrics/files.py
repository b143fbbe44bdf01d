"""The files of a results directory: their names, and the one loader of its group files.

Every command finds the same files under the same names: `metrics.<group>.json` (one per group),
`metrics.total.json` (written by `combine`), `.coverage.<group>`, `coverage.<group>.xml` and
`junit.<group>.xml`, in `mmpgate-results/` unless configured otherwise.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from mmpgate.errors import InputError, located
from mmpgate.metrics.document import MetricsDocument
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.names import TOTAL

DEFAULT_RESULTS_DIR = "mmpgate-results"
METRICS_GLOB = "metrics.*.json"
TOTAL_FILE = f"metrics.{TOTAL}.json"
TOTAL_COVERAGE_XML = f"coverage.{TOTAL}.xml"
TOTAL_COVERAGE_DATA = f".coverage.{TOTAL}"
#: Group completeness of the last `mmpgate run --all` (not `metrics.*.json`: it is no group).
ASSIGNMENT_FILE = "assignment.json"

T = TypeVar("T")


def metrics_file_name(group: str) -> str:
    """`metrics.<group>.json`."""
    return f"metrics.{group}.json"


def coverage_data_name(group: str) -> str:
    """`.coverage.<group>`: the group's coverage.py data file."""
    return f".coverage.{group}"


#: A shard's files are its group's with `.shard-<k>of<n>` after the group: `metrics.unit.json`
#: becomes `metrics.unit.shard-2of4.json` (group names hold no dot, so this is unambiguous).
SHARD_GLOB = "metrics.*.shard-*of*.json"
_SHARD_NAME = re.compile(
    r"metrics\.(?P<group>[^.]+)\.shard-(?P<index>[0-9]+)of(?P<total>[0-9]+)\.json"
)


def shard_stem(group: str, index: int, total: int) -> str:
    """`<group>.shard-<k>of<n>`: what replaces the group in a shard's file names."""
    return f"{group}.shard-{index}of{total}"


def parse_shard_file(name: str) -> tuple[str, int, int] | None:
    """(group, k, n) of a shard's metrics file name; None for any other name."""
    found = _SHARD_NAME.fullmatch(name)
    if found is None:
        return None
    return found["group"], int(found["index"]), int(found["total"])


def shard_files(directory: Path, group: str | None = None) -> list[Path]:
    """The shard metrics files of a results directory (of one group, or all), sorted."""
    found = [path for path in directory.glob(SHARD_GLOB) if parse_shard_file(path.name)]
    if group is not None:
        found = [path for path in found if parse_shard_file(path.name)[0] == group]  # type: ignore[index]
    return sorted(found)


@dataclasses.dataclass(frozen=True, slots=True)
class GroupFiles:
    """The files one group's run writes into the output directory."""

    metrics: Path
    coverage_xml: Path
    coverage_data: Path
    junit: Path

    @classmethod
    def of(cls, output: Path, group: str, shard: tuple[int, int] | None = None) -> GroupFiles:
        """The conventional names: metrics.<g>.json, coverage.<g>.xml, .coverage.<g>, junit.<g>.xml;
        for shard (k, n) of the group, `<g>.shard-<k>of<n>` in place of `<g>`."""
        stem = group if shard is None else shard_stem(group, *shard)
        return cls(
            metrics=output / metrics_file_name(stem),
            coverage_xml=output / f"coverage.{stem}.xml",
            coverage_data=output / coverage_data_name(stem),
            junit=output / f"junit.{stem}.xml",
        )

    def remove_stale(self) -> None:
        """Delete an earlier run's files, so nothing old is ever read as this run's (a whole
        group's run also removes the group's shard files, and a merge of them)."""
        for path in self.files():
            path.unlink(missing_ok=True)
        for leftover in self.coverage_data.parent.glob(f"{self.coverage_data.name}.*"):
            leftover.unlink(missing_ok=True)  # per-process data files of an interrupted run
        stem = self.metrics.name.removeprefix("metrics.").removesuffix(".json")
        group, sharded, _ = stem.partition(".shard-")
        directory = self.metrics.parent
        if sharded:  # the group's earlier merge is stale once one of its shards runs again
            for path in GroupFiles.of(directory, group).files():
                path.unlink(missing_ok=True)
        else:
            for pattern in (f"*.{group}.shard-*", f".coverage.{group}.shard-*"):
                for leftover in directory.glob(pattern):
                    leftover.unlink(missing_ok=True)

    def files(self) -> tuple[Path, ...]:
        """The four files."""
        return (self.metrics, self.coverage_xml, self.coverage_data, self.junit)


def group_files(directory: Path) -> list[Path]:
    """The `metrics.<group>.json` files of a results directory (the total excluded), sorted."""
    if not directory.exists():
        raise InputError(located(directory, "", "metrics directory not found"))
    if not directory.is_dir():
        raise InputError(
            located(directory, "", "expected a directory of metrics.<group>.json files")
        )
    files = sorted(
        p
        for p in directory.glob(METRICS_GLOB)
        if p.name != TOTAL_FILE and parse_shard_file(p.name) is None
    )
    merged = {p.name for p in files}
    for path in shard_files(directory):
        group = parse_shard_file(path.name)[0]  # type: ignore[index]
        if metrics_file_name(group) not in merged:
            raise InputError(
                located(
                    path,
                    "",
                    f"expected the shards of group '{group}' combined into "
                    f"{metrics_file_name(group)}: run `mmpgate combine` first",
                )
            )
    return files


def read_group_documents(
    directory: Path, preloaded: Mapping[Path, MetricsDocument] | None = None
) -> Iterator[tuple[Path, MetricsDocument]]:
    """The one loader of a results directory's group files, one at a time (memory stays that of
    the largest file): each validated, of kind `group`, each group in one file. A document in
    `preloaded` (by path) is not read again: `mmpgate ci` parses every file once."""
    known = preloaded or {}
    return read_groups(
        directory,
        lambda path: known.get(path) or load_metrics(path),
        lambda document: (document["kind"], document["group"]),
    )


def read_groups(
    directory: Path, load: Callable[[Path], T], head: Callable[[T], tuple[str, str]]
) -> Iterator[tuple[Path, T]]:
    """Each group file loaded by `load` (a document, or the gate's reduced view of it), checked
    to be of kind `group` (`head` gives its kind and group) and the only file of its group."""
    seen: dict[str, Path] = {}
    for path in group_files(directory):
        loaded = load(path)
        kind, name = head(loaded)
        if kind != "group":
            raise InputError(
                located(path, "$.kind", f"expected 'group' (only {TOTAL_FILE} holds a total)")
            )
        if name in seen:
            raise InputError(
                located(
                    path,
                    "$.group",
                    f"expected each group in one file, '{name}' is also claimed by "
                    f"{seen[name].name}",
                )
            )
        seen[name] = path
        yield path, loaded
