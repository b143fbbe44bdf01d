"""Processes left behind by a crashed pytest-xdist worker: tagged with its id, owner gone."""

from __future__ import annotations

import psutil

from mmpgate.stabilize.leaks import find_tagged
from mmpgate.stabilize.processes import stop_process_tree
from mmpgate.stabilize.runinfo import OWNER_PID, WORKER


def stop_orphans_of_worker(run_id: str, worker: str | None, *, grace: float = 2.0) -> list[str]:
    """Stop processes of `run_id` started on `worker` (any worker when None) whose owning
    pytest-xdist worker process is dead; returns one line per stopped process."""
    stopped = []
    for tagged in find_tagged(run_id):
        try:
            env = psutil.Process(tagged.pid).environ()
        except psutil.Error:
            continue
        if env.get(WORKER, "master") == "master" or (worker and env.get(WORKER) != worker):
            continue
        owner = int(env.get(OWNER_PID, "0") or 0)
        if owner and psutil.pid_exists(owner):
            continue
        stop_process_tree(tagged.pid, grace=grace)
        stopped.append(f"worker {env.get(WORKER)} crashed; stopped {tagged.describe()}")
    return stopped
