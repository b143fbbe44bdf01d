"""Whole pytest runs with servers: pytest-timeout firing, a crashed worker, two runs at once."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil

SERVER_TEST = """
import os, signal, sys, time
import pytest

@pytest.mark.server
def test_with_server(server_factory, tmp_path):
    spec_args = (sys.executable, "-m", "http.server", "{{port}}", "--bind", "127.0.0.1")
    from mmpgate.stabilize.specs import ServerSpec
    server = server_factory.start(ServerSpec(argv=spec_args))
    with open({pidfile!r}, "a") as f:
        f.write(f"{{server.pid}}\\n")
    {action}
"""


def _gone(pid):
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def _pids(path):
    return [int(p) for p in path.read_text().split()]


def test_pytest_timeout_signal_method_still_stops_the_server(pytester, tmp_path):
    """A test failed by pytest-timeout (signal) still tears its server down; nothing leaks."""
    pidfile = tmp_path / "pids"
    pytester.makepyfile(SERVER_TEST.format(pidfile=str(pidfile), action="time.sleep(60)"))
    result = pytester.runpytest_subprocess("--timeout=3", "--timeout-method=signal", "-n", "2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Timeout*"])
    result.stdout.no_fnmatch_line("*leaked process*")
    assert all(_gone(pid) for pid in _pids(pidfile))


def test_crashed_worker_frees_the_lock_and_its_server_is_stopped(pytester, tmp_path):
    """A worker killed while holding the lock and a server: the next marked test runs, the
    orphaned server is stopped by the controller and listed."""
    pidfile = tmp_path / "pids"
    crash = "os.kill(os.getpid(), signal.SIGKILL)"
    pytester.makepyfile(test_crash=SERVER_TEST.format(pidfile=str(pidfile), action=crash))
    pytester.makepyfile(test_after=SERVER_TEST.format(pidfile=str(pidfile), action="pass"))
    result = pytester.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*crashed*", "*processes of crashed workers stopped*"])
    pids = _pids(pidfile)
    assert len(pids) == 2
    assert all(_gone(pid) for pid in pids)


def test_two_runs_at_once_do_not_see_each_other(pytester, tmp_path):
    """Two concurrent runs with servers both pass; neither lists the other's processes."""
    pidfile = tmp_path / "pids"
    fast_pids = tmp_path / "fast-pids"
    gate = tmp_path / "release"
    wait = f"while not os.path.exists({str(gate)!r}): time.sleep(0.1)"
    pytester.makepyfile(test_slow=SERVER_TEST.format(pidfile=str(pidfile), action=wait))
    other = pytester.mkdir("other")
    (other / "test_fast.py").write_text(SERVER_TEST.format(pidfile=str(fast_pids), action="pass"))
    slow = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "test_slow.py"],
        cwd=pytester.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        while not pidfile.exists():  # the slow run's server is up before the fast run starts
            assert slow.poll() is None
            time.sleep(0.1)
        fast = pytester.runpytest_subprocess("-n", "2", str(other))
        fast.assert_outcomes(passed=1)
        fast.stdout.no_fnmatch_line("*leaked process*")
        assert all(_gone(pid) for pid in _pids(fast_pids))
        assert not _gone(_pids(pidfile)[0])  # the slow run's server is still up, untouched
    finally:
        gate.write_text("go")
        out, _ = slow.communicate(timeout=120)
    assert slow.returncode == 0, out
    assert all(_gone(pid) for pid in _pids(pidfile))
