"""The files of a results directory: their names, and the one loader of its group files.

Every command finds the same files under the same names: `metrics.<group>.json` (one per group),
`metrics.total.json` (written by `combine`), `.coverage.<group>`, `coverage.<group>.xml` and
`junit.<group>.xml`, in `mmpgate-results/` unless configured otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path

from mmpgate.errors import InputError, located
from mmpgate.metrics.document import MetricsDocument
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.names import TOTAL

DEFAULT_RESULTS_DIR = "mmpgate-results"
METRICS_GLOB = "metrics.*.json"
TOTAL_FILE = f"metrics.{TOTAL}.json"
TOTAL_COVERAGE_XML = f"coverage.{TOTAL}.xml"
TOTAL_COVERAGE_DATA = f".coverage.{TOTAL}"


def metrics_file_name(group: str) -> str:
    """`metrics.<group>.json`."""
    return f"metrics.{group}.json"


def coverage_data_name(group: str) -> str:
    """`.coverage.<group>`: the group's coverage.py data file."""
    return f".coverage.{group}"


@dataclasses.dataclass(frozen=True, slots=True)
class GroupFiles:
    """The files one group's run writes into the output directory."""

    metrics: Path
    coverage_xml: Path
    coverage_data: Path
    junit: Path

    @classmethod
    def of(cls, output: Path, group: str) -> GroupFiles:
        """The conventional names: metrics.<g>.json, coverage.<g>.xml, .coverage.<g>, junit.<g>.xml."""
        return cls(
            metrics=output / metrics_file_name(group),
            coverage_xml=output / f"coverage.{group}.xml",
            coverage_data=output / f".coverage.{group}",
            junit=output / f"junit.{group}.xml",
        )

    def remove_stale(self) -> None:
        """Delete an earlier run's files, so nothing old is ever read as this run's."""
        for path in (self.metrics, self.coverage_xml, self.coverage_data, self.junit):
            path.unlink(missing_ok=True)
        for leftover in self.coverage_data.parent.glob(f"{self.coverage_data.name}.*"):
            leftover.unlink(missing_ok=True)  # per-process data files of an interrupted run


def group_files(directory: Path) -> list[Path]:
    """The `metrics.<group>.json` files of a results directory (the total excluded), sorted."""
    if not directory.exists():
        raise InputError(located(directory, "", "metrics directory not found"))
    if not directory.is_dir():
        raise InputError(
            located(directory, "", "expected a directory of metrics.<group>.json files")
        )
    return sorted(p for p in directory.glob(METRICS_GLOB) if p.name != TOTAL_FILE)


def read_group_documents(
    directory: Path, preloaded: Mapping[Path, MetricsDocument] | None = None
) -> Iterator[tuple[Path, MetricsDocument]]:
    """The one loader of a results directory's group files, one at a time (memory stays that of
    the largest file): each validated, of kind `group`, each group in one file. A document in
    `preloaded` (by path) is not read again: `mmpgate ci` parses every file once."""
    seen: dict[str, Path] = {}
    for path in group_files(directory):
        document = (preloaded or {}).get(path) or load_metrics(path)
        if document["kind"] != "group":
            raise InputError(
                located(path, "$.kind", f"expected 'group' (only {TOTAL_FILE} holds a total)")
            )
        name = document["group"]
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
        yield path, document
