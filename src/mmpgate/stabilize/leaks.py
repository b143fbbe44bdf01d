"""Leak detection: processes still alive that carry a run's id in their environment."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import psutil

from mmpgate.stabilize.runinfo import TEST_NODEID, WORKER, carries_run


@dataclass(frozen=True, slots=True)
class TaggedProcess:
    """A live process of a run: who it is and which test started it."""

    pid: int
    nodeid: str
    worker: str
    cmdline: str

    def describe(self) -> str:
        started_by = self.nodeid or "(outside any test)"
        return f"pid {self.pid} started by {started_by} [{self.worker}]: {self.cmdline}"


def find_tagged(run_id: str, *, exclude: Collection[int] = ()) -> list[TaggedProcess]:
    """Live (non-zombie) processes whose environment belongs to `run_id`, sorted by pid."""
    found = []
    for proc in psutil.process_iter(["pid", "environ", "cmdline", "status"]):
        info = proc.info
        env = info.get("environ")
        if info["pid"] in exclude or not env or info.get("status") == psutil.STATUS_ZOMBIE:
            continue
        if not carries_run(env, run_id):
            continue
        cmdline = " ".join(info.get("cmdline") or [])
        found.append(
            TaggedProcess(info["pid"], env.get(TEST_NODEID, ""), env.get(WORKER, ""), cmdline)
        )
    return sorted(found, key=lambda p: p.pid)


def own_run_processes() -> set[int]:
    """This process, its ancestors and its pytest-xdist workers: the run itself, never a leak."""
    from mmpgate.stabilize.processes import protected_pids

    return protected_pids()
