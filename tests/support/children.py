"""A child process tree that did not exit: its Python stacks for the failure message, then kill.

A child run with PYTHONFAULTHANDLER=1 (`FAULTHANDLER_ENV`) prints every thread's traceback on
SIGABRT: `abort_tree` says where a run hung, rather than only that it did. (A Ctrl-C test starts
its child inside `mmpgate.run.child_env.sigint_live()`, so SIGINT reaches it even when this
process was started with SIGINT ignored.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

FAULTHANDLER_ENV = {"PYTHONFAULTHANDLER": "1"}
#: How long the aborted processes get to print their stacks; only a wait, not a measurement.
DUMP_GRACE = 10.0


def abort_tree(pid: int) -> None:
    """SIGABRT to the process and its descendants (stacks printed), then SIGKILL to its group."""
    try:
        top = psutil.Process(pid)
        tree = [top, *top.children(recursive=True)]
    except psutil.Error:
        tree = []
    for process in tree:
        with contextlib.suppress(psutil.Error):
            process.send_signal(signal.SIGABRT)
    psutil.wait_procs(tree, timeout=DUMP_GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def wait_or_abort(process: subprocess.Popen[bytes], output: Path, timeout: float) -> int:
    """The exit status; a process still running after `timeout` fails the test with its stacks."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        abort_tree(process.pid)  # its stacks, in the output below, say where it hung
        process.wait()
        pytest.fail("the run did not exit:\n" + output.read_text(encoding="utf-8")[-20000:])
