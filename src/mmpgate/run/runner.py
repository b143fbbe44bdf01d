"""`mmpgate run`: one pytest process per group, with the group's policy, coverage and metrics files."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from mmpgate.errors import ConfigError, ExitCode, UsageError, located
from mmpgate.metrics.document import MetricsDocument, new_counts, new_document, new_duration
from mmpgate.metrics.environment import describe
from mmpgate.metrics.files import ASSIGNMENT_FILE, GroupFiles
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.writing import write_json
from mmpgate.run import assignment, summary
from mmpgate.run.child_env import pytest_child_env, sigint_live
from mmpgate.run.command import ShardRun, coverage_problem, pytest_command
from mmpgate.run.project import Group, Project

#: Seconds pytest gets to write its metrics after the SIGINT a SIGTERM is passed on as, before its
#: tree is stopped (MMPGATE_STOP_GRACE overrides).
STOP_GRACE = 30.0


def env_seconds(name: str, default: float) -> float:
    """A number of seconds >= 0 from the environment variable `name`; UsageError when it is not."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise UsageError(f"{name}={raw!r}: expected a number of seconds >= 0")
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class GroupResult:
    """What happened when one group ran."""

    group: str
    exit_code: int
    files: GroupFiles
    metrics: MetricsDocument | None


def select_groups(project: Project, names: Sequence[str], run_all: bool) -> list[Group]:
    """The groups to run: the named ones, or all of them (`--all` or no name)."""
    by_name = {g.name: g for g in project.groups}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UsageError(f"unknown group {unknown[0]!r}; configured groups: {', '.join(by_name)}")
    if names and run_all:
        raise UsageError("give group names or --all, not both")
    chosen = [by_name[n] for n in names] if names else list(project.groups)
    selected: list[Group] = []
    for group in chosen:
        missing = [p for p in group.paths if not (project.root / p).exists()]
        if not missing:
            selected.append(group)
        elif group.declared or names:
            where = project.source_file or project.root
            raise ConfigError(
                located(where, f"groups.{group.name}", f"test path does not exist: {missing[0]}")
            )
        else:
            print(
                f"mmpgate: default group {group.name!r} skipped: {missing[0]} does not exist",
                flush=True,
            )
    if not selected:
        raise ConfigError(
            located(
                project.root,
                "",
                "no test group to run (no tests/unit, tests/integration or tests/e2e)",
            )
        )
    return selected


def run_group(
    project: Project,
    group: Group,
    output: Path,
    extra: Sequence[str],
    shard: ShardRun | None = None,
    *,
    label: str | None = None,
    run_started: float | None = None,
    every: float = summary.PROGRESS_EVERY,
    grace: float = STOP_GRACE,
) -> GroupResult:
    """Run one group (or one shard of it) in its own pytest process, streaming its output; always
    leave a metrics file.

    `label` (`[2/3] unit`) and `run_started` add the group's place and the elapsed time; `every`
    is the heartbeat's interval, `grace` the wait for pytest after the SIGINT of a stop."""
    files = GroupFiles.of(output, group.name, (shard.index, shard.total) if shard else None)
    files.remove_stale()
    command = pytest_command(project, group, files, extra, shard)
    env = pytest_child_env()
    if project.coverage:
        env["COVERAGE_FILE"] = str(files.coverage_data)
        print(
            f"mmpgate: {group.name}: COVERAGE_FILE={files.coverage_data} (overrides the data file)",
            flush=True,
        )
    print(f"mmpgate: {group.name}: {' '.join(command[1:])}", flush=True)
    started = time.time()
    clock = time.perf_counter()  # the process's wall time: monotonic, unlike time.time()
    since = started if run_started is None else run_started
    with sigint_live():  # SIGINT is how mmpgate stops it, even when this process ignores SIGINT
        process = subprocess.Popen(command, cwd=project.root, env=env)
    interrupted = False
    heartbeat = summary.Heartbeat(
        label or group.name,
        every,
        lambda: (time.time() - started, time.time() - since),
    )
    try:
        with heartbeat:
            code = process.wait()
    except KeyboardInterrupt as stop:
        # Ctrl-C reached pytest too (same process group); a SIGTERM reached only us: pass it on as
        # SIGINT, so pytest writes its (incomplete) metrics and stops either way.
        interrupted = True
        if isinstance(stop, Terminated):
            process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            # pytest shares our process group (so Ctrl-C reaches it); stop its tree, workers included.
            from mmpgate.stabilize.processes import stop_process_tree

            stop_process_tree(process.pid, grace=5.0, popen=process)
            code = process.wait()
    metrics: MetricsDocument | None = None
    if files.metrics.is_file():
        metrics = load_metrics(files.metrics)
        if group.retries and not interrupted and metrics["complete"]:
            metrics = retry_failures(project, group, metrics, extra)
        problem = coverage_problem(project, group, metrics)
        if problem is not None:
            # Not a null metric for the gate to trip over later: the run itself is wrong.
            print(f"mmpgate: {group.name}: error: {problem}", file=sys.stderr, flush=True)
            metrics["complete"] = False
            metrics["reason"] = problem
            code = code or int(ExitCode.USAGE_ERROR)
    else:
        metrics = placeholder_metrics(group.name, code, started)
    # The session's `wall` leaves out start-up, imports and collection; a job's time does not.
    metrics["duration"]["process"] = round(time.perf_counter() - clock, 6)
    write_json(files.metrics, metrics)
    result = GroupResult(group=group.name, exit_code=code, files=files, metrics=metrics)
    line = result_line(result)
    if label is not None:
        line = line.replace(f"mmpgate: {group.name}:", f"mmpgate: {label}:", 1)
        line += f" (run so far {summary.clock(time.time() - since)})"
    print(line, flush=True)
    if interrupted:
        raise KeyboardInterrupt
    return result


def retry_failures(
    project: Project, group: Group, metrics: MetricsDocument, extra: Sequence[str] = ()
) -> MetricsDocument:
    """Run the group's failed tests again, alone (see `mmpgate.flaky.retries`): the group's
    document with their attempts merged."""
    from mmpgate.flaky.retries import merge, run_retries, to_retry

    nodeids = to_retry(metrics)
    attempts, processes = run_retries(
        nodeids,
        group=group.name,
        root=project.root,
        # The run's own -- PYTEST_ARGS too: what made the test collectable must reach its retry.
        args=[*group.args, *extra],
        max_attempts=group.retries,
        report=lambda line: print(line, flush=True),
    )
    return merge(metrics, attempts, max_attempts=group.retries, processes=processes)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job) received while a group runs."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


def placeholder_metrics(
    group: str, exit_code: int | None, started: float, reason: str | None = None
) -> MetricsDocument:
    """An incomplete metrics file for a pytest process that ended without writing one (or a group
    that did not run at all: `reason` says why)."""
    return new_document(
        kind="group",
        group=group,
        complete=False,
        interrupted=True,
        exit_status=exit_code,
        reason=reason
        or f"pytest exited with code {exit_code} without writing metrics (crash, kill or usage error)",
        counts=new_counts(),
        duration=new_duration(time.time() - started, 0.0),
        environment=describe(None, workers=0, started=started, producer="runner"),
        source={"producer": "runner"},
    )


def result_line(result: GroupResult) -> str:
    """One line per group: counts, rates, wall time, coverage, completeness."""
    doc = result.metrics
    if doc is None:
        return f"mmpgate: {result.group}: no metrics (exit {result.exit_code})"
    c = doc["counts"]
    parts = [
        f"{c[k]} {k}"
        for k in ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")
        if c[k]
    ]
    cov = doc["coverage"]
    status = "complete" if doc["complete"] else f"INCOMPLETE: {doc.get('reason')}"
    retried = doc.get("retries")
    if retried and retried["retried"]:
        parts.append(
            f"retried {retried['retried']}: {retried['flaky']} flaky, {retried['failed']} broken"
        )
    coverage = f", coverage {cov['percent']:.2f}%" if cov else ""
    return (
        f"mmpgate: {result.group}: {', '.join(parts) or 'no tests'}"
        f" in {doc['duration']['wall']:.2f}s{coverage}"
        f" [{status}] exit {result.exit_code} -> {result.files.metrics}"
    )


def run_groups(
    project: Project,
    groups: Sequence[Group],
    output: Path,
    extra: Sequence[str],
    *,
    fail_fast: bool = False,
    shard: tuple[int, int] | None = None,
    durations_from: Path | None = None,
    whole_suite: bool = False,
) -> list[GroupResult]:
    """Run groups one after another (every group runs, unless fail_fast stops at a failure);
    with `shard` (k, n), only that shard of the (one) group. `whole_suite` (every group of the
    project runs): then check that each collected test ran in exactly one group."""
    # Read once, before any group runs: a malformed setting is refused before the first one starts.
    every = env_seconds("MMPGATE_PROGRESS_EVERY", summary.PROGRESS_EVERY)
    grace = env_seconds("MMPGATE_STOP_GRACE", STOP_GRACE)
    shard_run = ShardRun(shard[0], shard[1], durations_from) if shard else None
    output.mkdir(parents=True, exist_ok=True)
    (output / ASSIGNMENT_FILE).unlink(missing_ok=True)  # an older run's is not this run's
    results = []
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
    run_started = time.time()
    try:
        for index, group in enumerate(groups, start=1):
            label = summary.place(index, len(groups), group.name)
            if shard_run is not None:
                label = f"{label} shard {shard_run.index}/{shard_run.total}"
            print(
                f"mmpgate: {label}: starting after {summary.clock(time.time() - run_started)}",
                flush=True,
            )
            result = run_group(
                project,
                group,
                output,
                extra,
                shard_run,
                label=label,
                run_started=run_started,
                every=every,
                grace=grace,
            )
            results.append(result)
            if fail_fast and result.exit_code != 0:
                mark_not_run(groups[index:], output, result.group)
                break
        if whole_suite and shard_run is None:
            documents: dict[str, MetricsDocument | None] = {group.name: None for group in groups}
            documents.update({result.group: result.metrics for result in results})
            assignment.record(project.root, output, documents, extra, project.unassigned)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    print(summary.table(results, time.time() - run_started), end="", flush=True)
    return results


def mark_not_run(groups: Sequence[Group], output: Path, stopped_by: str) -> None:
    """--fail-fast stopped before these groups: no older run's files may pass for this run's."""
    for group in groups:
        files = GroupFiles.of(output, group.name)
        files.remove_stale()
        reason = f"not run: --fail-fast stopped after group {stopped_by!r} failed"
        write_json(files.metrics, placeholder_metrics(group.name, None, time.time(), reason))
        print(f"mmpgate: {group.name}: {reason} -> {files.metrics}", flush=True)


def first_failure(results: Sequence[GroupResult]) -> int:
    """pytest's exit code for the whole run: the first non-zero one."""
    return next((r.exit_code for r in results if r.exit_code != 0), 0)


def output_dir(project_root: Path, configured: str, given: str | None) -> Path:
    """The results directory, resolved (symlinked checkouts included)."""
    path = Path(given or configured)
    return (path if path.is_absolute() else Path.cwd() / path).resolve()
