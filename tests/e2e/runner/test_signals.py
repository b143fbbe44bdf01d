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

from mmpgate.metrics.io import load_metrics


def make_project(root: Path) -> None:
    (root / "tests" / "unit").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        "[tool.mmpgate]\ncoverage = false\n[tool.mmpgate.groups.unit]\npath = 'tests/unit'\nworkers = 2\n"
    )
    (root / "tests" / "unit" / "test_slow.py").write_text(
        "import pathlib, time\n\ndef test_fast():\n    pass\n\n"
        "def test_slow():\n    pathlib.Path('started').touch()\n    time.sleep(120)\n"
    )


def wait_for(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("sig", "to_group"), [(signal.SIGTERM, False), (signal.SIGINT, True)], ids=["sigterm", "ctrl-c"]
)
def test_stopped_run_leaves_incomplete_metrics_and_no_process(
    tmp_path: Path, sig: signal.Signals, to_group: bool
) -> None:
    """The group's metrics file is written, marked interrupted, and pytest's whole tree is gone."""
    make_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "mmpgate", "run", "unit"],
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert code != 0
    doc = load_metrics(tmp_path / "mmpgate-results" / "metrics.unit.json")
    assert doc["complete"] is False
    assert doc["interrupted"] is True
    _gone, alive = psutil.wait_procs(tree, timeout=30)
    assert not alive, f"left running: {[p.pid for p in alive]}"
