"""One group's pytest command line: its paths, workers, metrics, JUnit and coverage options,
and what its coverage should have measured."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from mmpgate.metrics.document import MetricsDocument
from mmpgate.metrics.files import GroupFiles
from mmpgate.run.project import Group, Project


@dataclasses.dataclass(frozen=True, slots=True)
class ShardRun:
    """Run shard `index` of `total` of a group, balanced by `durations_from` (None: by count)."""

    index: int
    total: int
    durations_from: Path | None = None

    def options(self) -> list[str]:
        """The plugin's options for this shard."""
        options = [f"--mmpgate-shard={self.index}/{self.total}"]
        if self.durations_from is not None:
            options.append(f"--mmpgate-durations-from={self.durations_from}")
        return options


def pytest_command(
    project: Project,
    group: Group,
    files: GroupFiles,
    extra: Sequence[str],
    shard: ShardRun | None = None,
) -> list[str]:
    """The pytest command line of one group (or of one of its shards)."""
    command = [sys.executable, "-m", "pytest", *group.paths]
    command += ["-n", group.workers] if group.workers else ["-n", "0"]
    command += [
        f"--mmpgate-metrics={files.metrics}",
        f"--mmpgate-group={group.name}",
        f"--junitxml={files.junit}",
        f"-o=junit_suite_name={group.name}",
        "-ra",
        # One setting: the slowest tests pytest prints are the ones the metrics list.
        f"--durations={project.slowest}",
        f"--mmpgate-slowest={project.slowest}",
        *(shard.options() if shard is not None else []),
    ]
    if project.coverage:
        sources = coverage_sources(project, group)
        if not sources:
            # None: the project's own [tool.coverage] source stays in force; (): nothing was
            # found to name, so everything under the project directory is measured.
            command.append("--cov")
        else:
            command += [f"--cov={source}" for source in sources]
        command += [
            f"--cov-report=xml:{files.coverage_xml}",
            f"--mmpgate-coverage-xml={files.coverage_xml}",
        ]
    return [*command, *group.args, *extra]


def coverage_sources(project: Project, group: Group) -> tuple[str, ...] | None:
    """The group's `--cov` sources: its own, else the project's (None: the coverage config's)."""
    return group.coverage_source if group.coverage_source is not None else project.coverage_source


def coverage_problem(project: Project, group: Group, metrics: MetricsDocument) -> str | None:
    """Why a group that should have measured coverage has none, or None when it measured some."""
    if not project.coverage or not metrics["complete"]:
        return None
    coverage = metrics["coverage"]
    if coverage is not None and coverage["lines_valid"] > 0:
        return None
    sources = coverage_sources(project, group)
    named = (
        "the source named in the project's coverage configuration"
        if sources is None
        else f"--cov={','.join(sources)}"
        if sources
        else "--cov (no package or module was found to name)"
    )
    return (
        f"coverage measured nothing: {named} matched no file the tests ran; set "
        "coverage_source in [tool.mmpgate] (or the group), fix the coverage config, or "
        "set coverage = false"
    )
