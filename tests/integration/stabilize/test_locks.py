"""Named file locks: exclusion, holder record, timeout message, a holder killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mmpgate.stabilize.locks import LockTimeoutError, NamedLock, check_name, read_events

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from mmpgate.stabilize.locks import NamedLock
    lock = NamedLock(Path(sys.argv[1]), "db")
    lock.acquire(timeout=30, worker="gw9", nodeid="tests/test_x.py::test_holder")
    print("held", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def holder(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    proc.stdout.close()


def test_timeout_names_the_holder(tmp_path, holder):
    """A waiter that gives up gets a message with the holder's pid, worker and test."""
    lock = NamedLock(tmp_path, "db")
    with pytest.raises(LockTimeoutError) as info:
        lock.acquire(timeout=0.2, worker="gw0", nodeid="t::waiter")
    message = str(info.value)
    assert f"pid {holder.pid}" in message
    assert "worker gw9" in message
    assert "tests/test_x.py::test_holder" in message
    assert not lock.held


def test_sigkilled_holder_frees_the_lock_and_is_detected(tmp_path, holder):
    """After SIGKILL of the holder the waiter gets the lock and records that it died holding it."""
    lock = NamedLock(tmp_path, "db")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    acquisition = lock.acquire(timeout=30, worker="gw0", nodeid="t::waiter")
    assert lock.held
    assert acquisition.previous is not None
    assert acquisition.previous.pid == holder.pid
    assert acquisition.previous_died_holding
    events = read_events(lock.events_path)
    assert [e["event"] for e in events] == ["acquired", "acquired"]
    assert events[-1]["previous_died"] is True
    lock.release()


def test_clean_release_clears_the_holder_record(tmp_path):
    """After a clean release the next acquisition sees no previous holder."""
    first = NamedLock(tmp_path, "db")
    first.acquire(timeout=1, worker="master", nodeid="t::a")
    assert first.holder() is not None
    first.release()
    assert first.holder() is None
    second = NamedLock(tmp_path, "db").acquire(timeout=1, worker="master", nodeid="t::b")
    assert second.previous is None
    assert not second.previous_died_holding


@pytest.mark.parametrize("bad", ["", "../x", "a b", "-x", 3, "x" * 101])
def test_check_name_rejects_unsafe_names(bad):
    """Lock names become file names: separators, spaces, non-strings are refused."""
    with pytest.raises(ValueError, match="server lock name"):
        check_name(bad)
