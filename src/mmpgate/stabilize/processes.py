"""Stopping process trees and the opt-in sweep of processes by command-line pattern."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psutil

from mmpgate.stabilize.runinfo import OWNER_PID, RUN_ID, SERVER_ID

POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class StopResult:
    """How a process tree ended: who got SIGTERM, who needed SIGKILL, the root's exit code."""

    terminated: tuple[int, ...]
    killed: tuple[int, ...]
    exit_code: int | None


@dataclass(frozen=True, slots=True)
class SweptProcess:
    """One process the sweep matched, and what was done to it."""

    pid: int
    cmdline: str
    pattern: str
    outcome: str  # "terminated", "killed", "gone", "dry-run"


@dataclass(frozen=True, slots=True)
class SweepResult:
    """Everything one sweep matched."""

    processes: tuple[SweptProcess, ...]
    dry_run: bool


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def descendants(pid: int) -> list[psutil.Process]:
    """Every live descendant of `pid` (snapshot; reparented processes are not included)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def processes_with_env(name: str, value: str) -> list[psutil.Process]:
    """Live processes of any readable environment where `name` equals `value` exactly."""
    found = []
    for proc in psutil.process_iter(["environ"]):
        env = proc.info.get("environ")
        if env and env.get(name) == value:
            found.append(proc)
    return found


def _signal_group(pgid: int | None, sig: signal.Signals) -> None:
    if pgid is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _signal_each(procs: Iterable[psutil.Process], sig: signal.Signals) -> None:
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(sig)


def _wait_gone(
    procs: Sequence[psutil.Process], popen: subprocess.Popen[bytes] | None, timeout: float
) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while True:
        if popen is not None:
            popen.poll()  # reaps the root so it does not linger as a zombie
        alive = [p for p in procs if _alive(p)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(POLL_S)


def stop_process_tree(
    pid: int,
    *,
    grace: float = 5.0,
    popen: subprocess.Popen[bytes] | None = None,
    pgid: int | None = None,
    server_id: str | None = None,
) -> StopResult:
    """SIGTERM a process, its group and every descendant (snapshot taken first, plus processes
    tagged with `server_id`); after `grace` seconds SIGKILL whatever is left."""
    members: dict[int, psutil.Process] = {}
    try:
        root = psutil.Process(pid)
        members[pid] = root
    except psutil.Error:
        pass
    for proc in descendants(pid):
        members[proc.pid] = proc
    if server_id:
        for proc in processes_with_env(SERVER_ID, server_id):
            members.setdefault(proc.pid, proc)
    procs = list(members.values())
    _signal_group(pgid, signal.SIGTERM)
    _signal_each(procs, signal.SIGTERM)
    terminated = tuple(sorted(members))
    survivors = _wait_gone(procs, popen, grace)
    killed: tuple[int, ...] = ()
    if survivors:
        _signal_group(pgid, signal.SIGKILL)
        _signal_each(survivors, signal.SIGKILL)
        killed = tuple(sorted(p.pid for p in survivors))
        _wait_gone(survivors, popen, 5.0)
    elif pgid is not None:
        _signal_group(pgid, signal.SIGKILL)  # members that were not in the snapshot
    exit_code = None
    if popen is not None:
        try:
            exit_code = popen.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            exit_code = None
    return StopResult(terminated=terminated, killed=killed, exit_code=exit_code)


def protected_pids() -> set[int]:
    """This process, its ancestors and its pytest-xdist workers."""
    me = psutil.Process()
    protected = {me.pid}
    protected.update(p.pid for p in me.parents())
    if "PYTEST_XDIST_WORKER" in os.environ:
        return protected  # a worker has no workers; its children inherit the variable
    for child in me.children():
        try:
            if "PYTEST_XDIST_WORKER" in child.environ():
                protected.add(child.pid)
        except psutil.Error:
            continue
    return protected


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def owner_run_alive(env: dict[str, str]) -> bool:
    """True when a tagged environment's run is still going: its owning pytest process (worker or
    controller) or the controller whose pid is part of the run id (`mmp-<pid>-<hex>`) is alive."""
    owner = env.get(OWNER_PID, "")
    if owner.isdigit() and _pid_alive(int(owner)):
        return True
    parts = env.get(RUN_ID, "").split("-")
    return len(parts) == 3 and parts[1].isdigit() and _pid_alive(int(parts[1]))


def belongs_to_other_live_run(proc: psutil.Process, own_run_id: str) -> bool:
    """The process carries another run's MMPGATE_RUN_ID and that run is alive: never sweep it,
    whatever the user (CI containers run every job as the same user)."""
    try:
        env = proc.environ()
    except psutil.Error:
        return False
    run_id = env.get(RUN_ID, "")
    return bool(run_id) and run_id != own_run_id and owner_run_alive(env)


def _matching_pattern(cmdline: str, patterns: Sequence[re.Pattern[str]]) -> str | None:
    for pattern in patterns:
        if pattern.search(cmdline):
            return pattern.pattern
    return None


def sweep(
    patterns: Sequence[str],
    *,
    started_before: float | None = None,
    grace: float = 5.0,
    dry_run: bool = False,
    run_id: str | None = None,
) -> SweepResult:
    """Stop this user's processes whose command line matches one of `patterns` (regexes).

    Only processes started before `started_before` (epoch seconds, default now); never this
    process, its ancestors or its pytest-xdist workers, and never a process tagged with another
    live run's id (`run_id` is this run's, default `MMPGATE_RUN_ID` of this process).
    SIGTERM, `grace` seconds, then SIGKILL.
    """
    own_run_id = os.environ.get(RUN_ID, "") if run_id is None else run_id
    compiled = [re.compile(p) for p in patterns]
    cutoff = time.time() if started_before is None else started_before
    uid = os.getuid()
    protected = protected_pids()
    matched: list[tuple[psutil.Process, str, str]] = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline", "create_time"]):
        info = proc.info
        if info["pid"] in protected or not info.get("uids") or info["uids"].real != uid:
            continue
        if not info.get("cmdline") or (info.get("create_time") or cutoff) >= cutoff:
            continue
        cmdline = " ".join(info["cmdline"])
        hit = _matching_pattern(cmdline, compiled)
        if hit is not None and not belongs_to_other_live_run(proc, own_run_id):
            matched.append((proc, cmdline, hit))
    if dry_run:
        swept = tuple(SweptProcess(p.pid, c, h, "dry-run") for p, c, h in matched)
        return SweepResult(processes=swept, dry_run=True)
    procs = [p for p, _, _ in matched]
    alive_before = {p.pid for p in procs if _alive(p)}
    _signal_each(procs, signal.SIGTERM)
    survivors = {p.pid for p in _wait_gone(procs, None, grace)}
    _signal_each([p for p in procs if p.pid in survivors], signal.SIGKILL)
    _wait_gone([p for p in procs if p.pid in survivors], None, 5.0)
    result = []
    for proc, cmdline, hit in matched:
        if proc.pid not in alive_before:
            outcome = "gone"
        elif proc.pid in survivors:
            outcome = "killed"
        else:
            outcome = "terminated"
        result.append(SweptProcess(proc.pid, cmdline, hit, outcome))
    return SweepResult(processes=tuple(result), dry_run=False)
