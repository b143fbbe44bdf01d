"""Named cross-process locks for `@pytest.mark.server`: a file lock plus a record of the holder.

The lock is `fcntl.flock` through filelock, so the OS frees it the moment the holder dies. The
holder record (pid, worker, test) is only for messages and the event log: it is cleared on a
clean release, so a record still present when the next process acquires means the previous
holder died while holding the lock.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class LockTimeoutError(Exception):
    """A waiter gave up; the message names the holder."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or held) a lock."""

    pid: int
    worker: str
    nodeid: str
    since: float  # epoch seconds

    def describe(self) -> str:
        import psutil

        state = "alive" if psutil.pid_exists(self.pid) else "no longer running"
        return f"pid {self.pid}, worker {self.worker}, test {self.nodeid} ({state})"


@dataclass(frozen=True, slots=True)
class Acquisition:
    """One successful acquire: how long it waited and whether the previous holder died holding it."""

    name: str
    waited_s: float
    previous: Holder | None
    previous_died_holding: bool


def check_name(name: object) -> str:
    """A lock name usable as a file name, else ValueError."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ValueError(
            f"server lock name must match {NAME_RE.pattern} (letters, digits, '_', '.', '-'), "
            f"got {name!r}"
        )
    return name


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


class NamedLock:
    """One named lock in a directory shared by the processes that must exclude each other."""

    def __init__(self, directory: Path, name: str) -> None:
        from filelock import FileLock

        self.name = check_name(name)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{name}.lock"
        self.holder_path = directory / f"{name}.holder.json"
        self.events_path = directory / f"{name}.events.jsonl"
        # Never deleted while tests run: unlinking a lock file breaks mutual exclusion.
        self._lock = FileLock(
            self.path, thread_local=False, preserve_lock_file=True, fallback_to_soft=False
        )

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def holder(self) -> Holder | None:
        """The recorded holder, or None when the lock was released cleanly."""
        try:
            data = json.loads(self.holder_path.read_text(encoding="utf-8") or "{}")
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if not data:
            return None
        return Holder(int(data["pid"]), str(data["worker"]), str(data["nodeid"]), data["since"])

    def acquire(self, *, timeout: float, worker: str, nodeid: str) -> Acquisition:
        """Block until held (or raise LockTimeoutError after `timeout` seconds naming the holder)."""
        from filelock import Timeout

        started = time.monotonic()
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            holder = self.holder()
            who = holder.describe() if holder else "a holder that left no record"
            raise LockTimeoutError(
                f"waited {timeout:g} s for server lock {self.name!r}; held by {who}"
            ) from None
        waited = time.monotonic() - started
        previous = self.holder()
        me = Holder(os.getpid(), worker, nodeid, time.time())
        _write_atomic(self.holder_path, json.dumps(asdict(me)))
        died = previous is not None and previous.pid != me.pid
        self._event(
            "acquired", me, waited_s=round(waited, 6), previous=previous, previous_died=died
        )
        return Acquisition(self.name, waited, previous, died)

    def release(self) -> None:
        """Clear the holder record, then let the next waiter in."""
        if not self._lock.is_locked:
            return
        _write_atomic(self.holder_path, "{}")
        self._event("released", Holder(os.getpid(), "", "", time.time()))
        self._lock.release(force=True)

    def _event(self, event: str, who: Holder, **extra: Any) -> None:
        record: dict[str, Any] = {"event": event, "name": self.name, **asdict(who)}
        for key, value in extra.items():
            record[key] = asdict(value) if isinstance(value, Holder) else value
        with self.events_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")


def read_events(path: Path) -> list[dict[str, Any]]:
    """The event log of a lock (JSON lines), oldest first."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
