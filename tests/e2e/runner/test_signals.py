"""`mmpgate run` stopped by Ctrl-C or by a cancelled CI job (SIGTERM): metrics kept, nothing left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from children import FAULTHANDLER_ENV, wait_or_abort

from mmpgate.metrics.io import load_metrics
from mmpgate.run.child_env import sigint_live

#: A guard against a hung run, not a measurement: pytest stops in a second or two.
STOP_GUARD = 300


def make_project(root: Path) -> None:
    (root / "tests" / "unit").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        "[tool.mmpgate]\ncoverage = false\n[tool.mmpgate.groups.unit]\npath = 'tests/unit'\nworkers = 2\n"
    )
    (root / "tests" / "unit" / "test_slow.py").write_text(
        "import pathlib, time\n\ndef test_fast():\n    pass\n\n"
        "def test_slow():\n    pathlib.Path('started').touch()\n    time.sleep(120)\n"
    )


def wait_for(path: Path, timeout: float = STOP_GUARD) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("sig", "to_group", "sigint_ignored"),
    [(signal.SIGTERM, False, False), (signal.SIGINT, True, False), (signal.SIGTERM, False, True)],
    ids=["sigterm", "ctrl-c", "sigterm-started-ignoring-sigint"],
)
def test_stopped_run_leaves_incomplete_metrics_and_no_process(
    tmp_path: Path, sig: signal.Signals, to_group: bool, sigint_ignored: bool
) -> None:
    """pytest's own metrics file is written, marked interrupted, and pytest's whole tree is gone.

    Also when mmpgate was started with SIGINT ignored (`mmpgate run &` in a script): the SIGINT it
    passes on must still reach pytest, or pytest is killed without writing its metrics.
    """
    make_project(tmp_path)
    command = [sys.executable, "-m", "mmpgate", "run", "unit"]
    if sigint_ignored:  # the shell's ignored SIGINT survives its exec of mmpgate
        command = ["bash", "-c", "trap '' INT; exec \"$@\"", "bash", *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    # However slow the machine, pytest gets the time to write its own file before it is stopped.
    env["MMPGATE_STOP_GRACE"] = str(STOP_GUARD)
    output = tmp_path / "output.txt"
    sink = output.open("w", encoding="utf-8")
    with sigint_live():
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env={**env, **FAULTHANDLER_ENV},
            start_new_session=True,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(tmp_path / "started")
        top = psutil.Process(process.pid)
        tree = [top, *top.children(recursive=True)]
        assert len(tree) >= 3, "mmpgate, pytest and its workers are running"
        if to_group:
            os.killpg(process.pid, sig)  # what a terminal does on Ctrl-C
        else:
            process.send_signal(sig)  # what a cancelled CI job does to the top process
        code = wait_or_abort(process, output, 2 * STOP_GUARD)
    finally:
        sink.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert code != 0
    doc = load_metrics(tmp_path / "mmpgate-results" / "metrics.unit.json")
    assert doc["complete"] is False
    assert doc["interrupted"] is True
    assert doc["source"]["producer"] == "plugin", "pytest wrote it, not the runner's placeholder"
    _gone, alive = psutil.wait_procs(tree, timeout=STOP_GUARD)
    assert not alive, f"left running: {[p.pid for p in alive]}"
