"""LockSet: sorted acquisition, re-entry, what keeps locks held after a test, failure clean-up.

Whether a lock file is really locked is probed through the OS (`flock` on a second open file
description fails while the lock set holds it), never through the lock set's own bookkeeping.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager

import pytest

from mmpgate.stabilize.locks import LockTimeoutError, read_events
from mmpgate.stabilize.state import LockSet


def locked(directory, name):
    """True when another open file description cannot take `name`'s flock right now."""
    fd = os.open(directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@contextmanager
def foreign_holder(directory, name):
    """Hold `name`'s flock from outside the lock set, as another worker would."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def take(locks, names, directory, nodeid="t.py::test_a"):
    locks.acquire(names, directory=directory, timeout=5, worker="gw0", nodeid=nodeid)


def test_no_names_takes_nothing_and_needs_no_directory():
    """An unmarked test (no names) is a no-op even without a configured lock directory."""
    locks = LockSet()
    locks.acquire([], directory=None, timeout=1, worker="gw0", nodeid="t.py::t")
    assert not locks.held
    assert locks.acquisitions == []


def test_names_without_a_directory_is_an_error():
    """Marked test but no lock directory: a clear error, nothing held."""
    locks = LockSet()
    with pytest.raises(RuntimeError, match="lock directory is not configured"):
        locks.acquire(["db"], directory=None, timeout=1, worker="gw0", nodeid="t.py::t")
    assert not locks.held


def test_locks_are_taken_in_sorted_order_and_really_held(tmp_path):
    """Names are acquired in one global (sorted) order and each flock is held in the OS."""
    locks = LockSet()
    take(locks, ["zeta", "alpha", "mid"], tmp_path)
    assert locks.held_names() == ["alpha", "mid", "zeta"]
    assert [a.name for a in locks.acquisitions] == ["alpha", "mid", "zeta"]
    assert all(locked(tmp_path, name) for name in ("alpha", "mid", "zeta"))
    locks.release_all()
    assert not locks.held
    assert not any(locked(tmp_path, name) for name in ("alpha", "mid", "zeta"))


def test_a_held_name_is_not_taken_twice(tmp_path):
    """Re-acquiring a held name (next test, same lock) neither blocks nor records a new event."""
    locks = LockSet()
    take(locks, ["db"], tmp_path, nodeid="t.py::first")
    take(locks, ["db", "cache"], tmp_path, nodeid="t.py::second")
    assert [a.name for a in locks.acquisitions] == ["db", "cache"]
    acquired = [e for e in read_events(tmp_path / "db.events.jsonl") if e["event"] == "acquired"]
    assert [e["nodeid"] for e in acquired] == ["t.py::first"]


def test_release_unbound_frees_everything_when_nothing_is_bound(tmp_path):
    """After a test with nothing set up under the lock, the locks go at once."""
    locks = LockSet()
    take(locks, ["db"], tmp_path)
    locks.release_unbound()
    assert not locks.held
    assert not locked(tmp_path, "db")
    released = [e for e in read_events(tmp_path / "db.events.jsonl") if e["event"] == "released"]
    assert len(released) == 1


def test_an_alive_binding_keeps_the_lock_until_it_is_unbound(tmp_path):
    """A wide fixture set up under the lock keeps it held across tests until its teardown."""
    locks = LockSet()
    take(locks, ["db"], tmp_path)
    locks.bind(("fixture", 1))
    locks.release_unbound()
    assert locks.held_names() == ["db"]
    assert locked(tmp_path, "db")
    locks.unbind(("fixture", 1))
    locks.release_unbound()
    assert not locks.held
    assert not locked(tmp_path, "db")


def test_a_binding_that_dies_stops_keeping_the_lock(tmp_path):
    """A bound server that has exited (alive() False) no longer holds the lock."""
    server_alive = [True]
    locks = LockSet()
    take(locks, ["db"], tmp_path)
    locks.bind(("server", 7), lambda: server_alive[0])
    locks.release_unbound()
    assert locked(tmp_path, "db")
    server_alive[0] = False
    locks.release_unbound()
    assert not locks.held
    assert not locked(tmp_path, "db")


def test_unbinding_an_unknown_key_is_harmless(tmp_path):
    """Fixture finalizers unbind keys that were never bound (set up outside any lock)."""
    locks = LockSet()
    locks.unbind(("fixture", 42))
    take(locks, ["db"], tmp_path)
    locks.release_unbound()
    assert not locks.held


def test_release_all_ignores_bindings_and_forgets_them(tmp_path):
    """Session end releases every lock even with live bindings, and drops the bindings."""
    locks = LockSet()
    take(locks, ["a", "b"], tmp_path)
    locks.bind("fixture")
    locks.release_all()
    assert not locks.held
    assert not locked(tmp_path, "a")
    assert not locked(tmp_path, "b")
    take(locks, ["a"], tmp_path)
    locks.release_unbound()  # the old binding is gone: nothing keeps "a"
    assert not locks.held


def test_the_same_lock_set_can_take_a_released_lock_again(tmp_path):
    """A lock released after one test is acquired again by a later test of the same worker."""
    locks = LockSet()
    for nodeid in ("t.py::one", "t.py::two"):
        take(locks, ["db"], tmp_path, nodeid=nodeid)
        assert locked(tmp_path, "db")
        locks.release_unbound()
        assert not locked(tmp_path, "db")
    acquired = [e for e in read_events(tmp_path / "db.events.jsonl") if e["event"] == "acquired"]
    assert [e["nodeid"] for e in acquired] == ["t.py::one", "t.py::two"]


def test_a_timeout_on_a_later_name_releases_the_names_taken_for_it(tmp_path):
    """Names are taken in order; when a later one times out, the earlier ones taken for this
    request are let go (nothing is bound), and the error names the lock."""
    locks = LockSet()
    with foreign_holder(tmp_path, "zz"), pytest.raises(LockTimeoutError, match="'zz'"):
        locks.acquire(["aa", "zz"], directory=tmp_path, timeout=0.2, worker="gw1", nodeid="t")
    assert not locks.held
    assert not locked(tmp_path, "aa")


def test_a_timeout_keeps_locks_that_protect_a_live_binding(tmp_path):
    """A lock already held for a live module server stays held when a further name times out."""
    locks = LockSet()
    take(locks, ["aa"], tmp_path)
    locks.bind(("server", 1))
    with foreign_holder(tmp_path, "zz"), pytest.raises(LockTimeoutError):
        locks.acquire(["aa", "zz"], directory=tmp_path, timeout=0.2, worker="gw1", nodeid="t")
    assert locks.held_names() == ["aa"]
    assert locked(tmp_path, "aa")


def test_a_waiter_gets_the_lock_once_the_foreign_holder_lets_go(tmp_path):
    """Exclusion is real: while another holder has the flock the set times out; after, it wins."""
    locks = LockSet()
    with foreign_holder(tmp_path, "db"), pytest.raises(LockTimeoutError):
        locks.acquire(["db"], directory=tmp_path, timeout=0.2, worker="gw1", nodeid="t")
    take(locks, ["db"], tmp_path)
    assert locks.held_names() == ["db"]
