"""State of the stabilization plugin: per process (run identity, held locks, started servers) and
the controller's findings for the run (sweep, orphans, leaks)."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mmpgate.stabilize.runinfo import EnvPatch

if TYPE_CHECKING:
    from mmpgate.stabilize.leaks import TaggedProcess
    from mmpgate.stabilize.locks import Acquisition, NamedLock
    from mmpgate.stabilize.processes import SweptProcess
    from mmpgate.stabilize.servers import RunningServer


class LockSet:
    """The server locks this process holds, and what keeps them held after a test ends.

    A lock taken for a marked test stays held while anything set up under it is alive (a
    server started by the fixtures, or a wider-than-function project fixture), so a module- or
    session-scoped server never runs outside the lock.
    """

    def __init__(self) -> None:
        self._locks: dict[str, NamedLock] = {}
        self._held: dict[str, NamedLock] = {}
        self._bound: dict[Hashable, Callable[[], bool]] = {}
        self.acquisitions: list[Acquisition] = []

    @property
    def held(self) -> bool:
        return bool(self._held)

    def held_names(self) -> list[str]:
        return sorted(self._held)

    def acquire(
        self,
        names: Sequence[str],
        *,
        directory: Path | None,
        timeout: float,
        worker: str,
        nodeid: str,
    ) -> None:
        from mmpgate.stabilize.locks import NamedLock

        if not names:
            return
        if directory is None:
            raise RuntimeError("the server lock directory is not configured")
        newly: list[str] = []
        try:
            for name in sorted(names):  # one global order: no deadlock between two lock sets
                if name in self._held:
                    continue
                lock = self._locks.get(name) or NamedLock(directory, name)
                self._locks[name] = lock
                self.acquisitions.append(
                    lock.acquire(timeout=timeout, worker=worker, nodeid=nodeid)
                )
                self._held[name] = lock
                newly.append(name)
        except BaseException:
            if not self._alive_bound():
                for name in newly:
                    self._held.pop(name).release()
            raise

    def bind(self, key: Hashable, alive: Callable[[], bool] = lambda: True) -> None:
        self._bound[key] = alive

    def unbind(self, key: Hashable) -> None:
        self._bound.pop(key, None)

    def _alive_bound(self) -> bool:
        for key, alive in list(self._bound.items()):
            if not alive():
                del self._bound[key]
        return bool(self._bound)

    def release_unbound(self) -> None:
        """Release every held lock unless something set up under it is still alive."""
        if self._held and not self._alive_bound():
            self.release_all()

    def release_all(self) -> None:
        for name in sorted(self._held, reverse=True):
            self._held.pop(name).release()
        self._bound.clear()


@dataclass
class StabilizeState:
    """What the per-test hooks of one pytest process share, once the run uses the feature."""

    lock_timeout: float
    leaks_mode: str
    startup_timeout: float | None
    worker: str = "master"
    run_id: str = ""
    run_dir: Path | None = None
    lock_dir: Path | None = None
    env: EnvPatch = field(default_factory=lambda: EnvPatch(os.environ))
    locks: LockSet = field(default_factory=LockSet)
    servers: list[RunningServer] = field(default_factory=list)

    def register_server(self, server: RunningServer) -> None:
        self.servers.append(server)
        if self.locks.held:
            self.locks.bind(("server", id(server)), server.alive)

    def live_servers(self) -> list[RunningServer]:
        self.servers = [s for s in self.servers if s.alive()]
        return list(self.servers)


@dataclass
class Findings:
    """What the controller found and did for the whole run, for the terminal summary."""

    leaks_mode: str
    swept: list[SweptProcess] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    crashed_workers: set[str] = field(default_factory=set)
    leaks: list[TaggedProcess] = field(default_factory=list)

    def summary_sections(self) -> list[tuple[str, list[str]]]:
        sections = []
        if self.swept:
            lines = [
                f"{p.outcome}: pid {p.pid} (pattern {p.pattern!r}): {p.cmdline}" for p in self.swept
            ]
            sections.append(("mmpgate: MMP_ENABLE_GLOBAL_KILL sweep", lines))
        if self.orphans:
            sections.append(("mmpgate: processes of crashed workers stopped", list(self.orphans)))
        if self.leaks:
            verb = {"warn": "still running", "fail": "still running (session failed)"}.get(
                self.leaks_mode, "killed"
            )
            lines = [f"{verb}: {leak.describe()}" for leak in self.leaks]
            sections.append((f"mmpgate: {len(self.leaks)} leaked process(es) of this run", lines))
        return sections
