"""Stopping process trees, the by-name sweep, ports and tagged-process scans with real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import psutil
import pytest

from mmpgate.stabilize import globalkill
from mmpgate.stabilize.leaks import find_tagged
from mmpgate.stabilize.ports import reserve_port, something_listens
from mmpgate.stabilize.processes import stop_process_tree, sweep
from mmpgate.stabilize.runinfo import OUTER_RUN_IDS, RUN_ID, TEST_NODEID

# A parent that ignores SIGTERM, with a child and a grandchild that calls setsid.
TREE = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    code = "import os, time; os.setsid(); time.sleep(300)"
    escaped = subprocess.Popen([sys.executable, "-c", code])
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    with open(sys.argv[1], "w") as f:
        f.write(f"{escaped.pid} {child.pid}")
    time.sleep(300)
    """
)


# psutil derives start times from the boot time, which Linux gives in whole seconds.
CLOCK_SLACK_S = 1.1


def _sleeper(token: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    code = f"import time; time.sleep(300)  # {token}"
    return subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True)


def _reap(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_stop_tree_kills_setsid_grandchild_and_sigterm_ignorer(tmp_path):
    """SIGTERM-ignoring root gets SIGKILL; a setsid grandchild outside the group is stopped too."""
    pids_file = tmp_path / "pids"
    root = subprocess.Popen([sys.executable, "-c", TREE, str(pids_file)], start_new_session=True)
    while not pids_file.exists() or not pids_file.read_text():
        time.sleep(0.05)
    escaped, child = (int(p) for p in pids_file.read_text().split())
    while os.getpgid(escaped) != escaped:  # until the grandchild's setsid has run
        time.sleep(0.05)
    result = stop_process_tree(root.pid, grace=0.5, popen=root, pgid=root.pid)
    assert root.pid in result.killed
    assert {root.pid, escaped, child} <= set(result.terminated)
    assert result.exit_code == -9
    for pid in (escaped, child):
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_sweep_stops_only_matching_processes_started_before_the_cutoff():
    """The sweep stops an old matching process, spares a newer one and non-matching ones."""
    token = f"mmp-sweep-{uuid.uuid4().hex}"
    old = _sleeper(token)
    other = _sleeper(f"other-{uuid.uuid4().hex}")
    time.sleep(CLOCK_SLACK_S)
    cutoff = time.time()
    time.sleep(CLOCK_SLACK_S)
    young = _sleeper(token)
    try:
        result = sweep([token], started_before=cutoff, grace=2.0)
        assert [(p.pid, p.outcome) for p in result.processes] == [(old.pid, "terminated")]
        assert old.wait(timeout=60) == -15
        assert young.poll() is None
        assert other.poll() is None
    finally:
        _reap(old, other, young)


def test_sweep_dry_run_kills_nothing():
    """A dry run lists the match and leaves it running."""
    token = f"mmp-dry-{uuid.uuid4().hex}"
    proc = _sleeper(token)
    try:
        time.sleep(0.2)
        result = sweep([token], dry_run=True)
        assert [(p.pid, p.outcome) for p in result.processes] == [(proc.pid, "dry-run")]
        assert proc.poll() is None
    finally:
        _reap(proc)


def test_sweep_if_enabled_needs_the_variable_set_to_one(monkeypatch):
    """Without MMP_ENABLE_GLOBAL_KILL=1 the conftest-callable sweep does nothing."""
    token = f"mmp-off-{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    proc = _sleeper(token, env)  # not mistaken for an xdist worker once the variable is gone
    try:
        time.sleep(CLOCK_SLACK_S)
        monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
        monkeypatch.setenv(globalkill.ENABLE_VAR, "true")
        assert globalkill.sweep_if_enabled([token]) is None
        monkeypatch.setenv(globalkill.ENABLE_VAR, "1")
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
        assert globalkill.sweep_if_enabled([token]) is None
        assert proc.poll() is None
        monkeypatch.delenv("PYTEST_XDIST_WORKER")
        result = globalkill.sweep_if_enabled([token], grace=2.0)
        assert result is not None
        assert [p.pid for p in result.processes] == [proc.pid]
        assert proc.wait(timeout=60) == -15
    finally:
        _reap(proc)


def test_find_tagged_matches_the_run_exactly():
    """Only processes whose own or outer run id equals the id are found, with their nodeid."""
    run = f"mmp-{uuid.uuid4().hex}"
    mine = _sleeper("a", {**os.environ, RUN_ID: run, TEST_NODEID: "t.py::a"})
    nested = _sleeper("b", {**os.environ, RUN_ID: "inner", OUTER_RUN_IDS: f"x {run}"})
    other = _sleeper("c", {**os.environ, RUN_ID: run + "0", OUTER_RUN_IDS: run[:-1]})
    try:
        time.sleep(0.2)
        found = {p.pid: p for p in find_tagged(run)}
        assert set(found) == {mine.pid, nested.pid}
        assert found[mine.pid].nodeid == "t.py::a"
    finally:
        _reap(mine, nested, other)


def test_reserved_ports_are_unique_and_a_taken_first_choice_is_refused(tmp_path):
    """Two reservations never share a port; a port already reserved in the run is refused."""
    first = reserve_port(tmp_path)
    second = reserve_port(tmp_path)
    assert first is not None
    assert second is not None
    assert first.port != second.port
    assert reserve_port(tmp_path, first_choice=first.port) is None
    first.release()
    again = reserve_port(tmp_path, first_choice=first.port)
    assert again is not None
    assert again.port == first.port


def test_something_listens_sees_a_real_listener():
    """A bound, listening socket is detected; a closed one is not."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert something_listens(port)
    assert not something_listens(port)


@pytest.fixture(autouse=True)
def _no_leftovers():
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    alive = [p for p in after - before if psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not alive
