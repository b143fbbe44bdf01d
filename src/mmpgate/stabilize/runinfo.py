"""Run identity: the environment tags every process started by a test run carries."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, MutableMapping

RUN_ID = "MMPGATE_RUN_ID"
OUTER_RUN_IDS = "MMPGATE_OUTER_RUN_IDS"
TEST_NODEID = "MMPGATE_TEST_NODEID"
WORKER = "MMPGATE_WORKER"
OWNER_PID = "MMPGATE_OWNER_PID"
SERVER_ID = "MMPGATE_SERVER_ID"


def new_run_id() -> str:
    """A fresh id, unique enough to tell concurrent runs on one machine apart."""
    return f"mmp-{os.getpid()}-{secrets.token_hex(6)}"


def nested_outer_ids(env: Mapping[str, str]) -> str:
    """The outer-run id list a new run records: the enclosing run's own id and its outer ids."""
    ids = env.get(OUTER_RUN_IDS, "").split()
    enclosing = env.get(RUN_ID, "").strip()
    if enclosing and enclosing not in ids:
        ids.append(enclosing)
    return " ".join(ids)


def carries_run(env: Mapping[str, str], run_id: str) -> bool:
    """True when an environment belongs to `run_id` (its own id or an enclosing one; exact match)."""
    if not run_id:
        return False
    return env.get(RUN_ID) == run_id or run_id in env.get(OUTER_RUN_IDS, "").split()


class EnvPatch:
    """Set variables in a mapping and put the previous values back later."""

    def __init__(self, env: MutableMapping[str, str]) -> None:
        self._env = env
        self._saved: dict[str, str | None] = {}

    def set(self, name: str, value: str) -> None:
        if name not in self._saved:
            self._saved[name] = self._env.get(name)
        self._env[name] = value

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                self._env.pop(name, None)
            else:
                self._env[name] = value
        self._saved.clear()
