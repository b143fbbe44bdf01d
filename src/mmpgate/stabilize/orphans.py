"""Processes left behind by a crashed pytest-xdist worker: tagged with its id, owner gone."""

from __future__ import annotations

import psutil

from mmpgate.stabilize.leaks import find_tagged
from mmpgate.stabilize.processes import stop_process_tree
from mmpgate.stabilize.runinfo import OWNER_PID, WORKER


def stop_orphans_of_worker(run_id: str, worker: str, *, grace: float = 2.0) -> list[str]:
    """Stop processes of `run_id` started on the crashed `worker` whose owning pytest-xdist worker
    process is gone (or a zombie not yet reaped); returns one line per stopped process."""
    stopped = []
    for tagged in find_tagged(run_id):
        try:
            env = psutil.Process(tagged.pid).environ()
        except psutil.Error:
            continue
        if env.get(WORKER) != worker:
            continue
        if _alive(int(env.get(OWNER_PID, "0") or 0)):
            continue
        stop_process_tree(tagged.pid, grace=grace)
        stopped.append(f"worker {worker} crashed; stopped {tagged.describe()}")
    return stopped


def _alive(pid: int) -> bool:
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
