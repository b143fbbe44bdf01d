"""The opt-in sweep with two concurrent runs as the same user: another live run's processes stay."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from mmpgate.stabilize.runinfo import OWNER_PID, RUN_ID

# A test that starts a sleeper whose command line carries the token and leaves it running; the
# sleeper inherits the run's MMPGATE_RUN_ID from the environment. `{wait}` holds the test open.
LEAVES_A_PROCESS = """
import os, subprocess, sys, time

def test_leaves_a_process():
    code = "import time; time.sleep(300)  # {token}"
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    with open({pidfile!r}, "w") as f:
        f.write(str(proc.pid))
    {wait}
"""


def _gone(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> int:
    while not path.exists() or not path.read_text():
        assert proc.poll() is None, proc.communicate()[0]
        time.sleep(0.1)
    return int(path.read_text())


def _dead_run_leftover(token: str) -> subprocess.Popen[bytes]:
    """A matching process tagged by a run that is over: its owner and controller pids are gone."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    env = {**os.environ, RUN_ID: f"mmp-{finished.pid}-0dead0", OWNER_PID: str(finished.pid)}
    code = f"import time; time.sleep(300)  # {token}"
    return subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True)


def test_sweep_spares_another_live_runs_processes(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """Run B sweeps its pattern: run A's live tagged process survives; a dead run's leftover and
    B's own leftover are stopped."""
    token = f"mmp-sweep-{uuid.uuid4().hex}"
    a_pid, b_pid, gate = tmp_path / "a-pid", tmp_path / "b-pid", tmp_path / "release"
    wait = f"while not os.path.exists({str(gate)!r}): time.sleep(0.1)"
    run_a = pytester.mkdir("run_a")
    (run_a / "test_a.py").write_text(
        LEAVES_A_PROCESS.format(token=token, pidfile=str(a_pid), wait=wait)
    )
    pytester.makeini(
        f"[pytest]\nmmpgate_kill_patterns = {token}\nmmpgate_kill_at_end = true\n"
        "mmpgate_leaks = kill\n"
    )
    pytester.makepyfile(test_b=LEAVES_A_PROCESS.format(token=token, pidfile=str(b_pid), wait=""))
    env = {key: value for key, value in os.environ.items() if key not in {RUN_ID, OWNER_PID}}
    first = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_a.py"],
        cwd=run_a,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    leftover = _dead_run_leftover(token)
    try:
        a_process = _wait_for(a_pid, first)
        second = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_b.py"],
            cwd=pytester.path,
            env={**env, "MMP_ENABLE_GLOBAL_KILL": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert second.returncode == 0, second.stdout
        leftover.wait(timeout=30)  # swept at B's start: it was matched and stopped
        assert _gone(int(b_pid.read_text()))
        assert not _gone(a_process)  # tagged with A's run id, A still running: untouched
        assert str(a_process) not in second.stdout
        assert str(leftover.pid) in second.stdout
    finally:
        gate.write_text("go")
        out, _ = first.communicate(timeout=120)
        if leftover.poll() is None:
            leftover.kill()
            leftover.wait()
    assert first.returncode == 0, out
    a_left = int(a_pid.read_text())
    if not _gone(a_left):
        psutil.Process(a_left).kill()
