"""Ctrl-C on a real `python -m pytest` run still leaves a metrics file, marked incomplete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from children import FAULTHANDLER_ENV, wait_or_abort

from mmpgate.metrics.io import load_metrics
from mmpgate.run.child_env import sigint_live

PROJECT = textwrap.dedent(
    """
    import os
    import pathlib
    import time

    def test_done():
        pass

    def test_waits_for_ctrl_c():
        pathlib.Path(os.environ["MMPGATE_E2E_STARTED"]).write_text("started")
        time.sleep(600)

    def test_never_reached():
        pass
    """
)
WORDS = {"passed": "passed", "failed": "failed", "error": "errors", "errors": "errors"}
#: A guard against a hung run, not a measurement: the run normally reaches the test in seconds.
HANG_GUARD = 300.0


def _summary(lines):
    nouns = pytest.RunResult.parse_summary_nouns(lines)
    unknown = set(nouns) - set(WORDS) - {"warnings"}
    assert not unknown, unknown
    counts = dict.fromkeys(WORDS.values(), 0)
    for word, number in nouns.items():
        if word in WORDS:
            counts[WORDS[word]] += number
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_ctrl_c_writes_an_incomplete_file(tmp_path, workers):
    """SIGINT to the process group mid-test: exit status 2, a valid file, interrupted, counts as pytest's."""
    (tmp_path / "test_wait.py").write_text(PROJECT, encoding="utf-8")
    started = tmp_path / "started"
    output = tmp_path / "output.txt"
    env = {**os.environ, **FAULTHANDLER_ENV, "MMPGATE_E2E_STARTED": str(started)}
    env.pop("PYTEST_ADDOPTS", None)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        "--mmpgate-metrics=metrics.e2e.json",
        *workers,
    ]
    with output.open("w", encoding="utf-8") as sink:
        with sigint_live():
            proc = subprocess.Popen(
                command,
                cwd=tmp_path,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + HANG_GUARD
            while not started.exists():
                assert proc.poll() is None, output.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, "the run never reached the waiting test"
                time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
            returncode = wait_or_abort(proc, output, HANG_GUARD)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    lines = output.read_text(encoding="utf-8").splitlines()
    metrics = load_metrics(tmp_path / "metrics.e2e.json")
    assert returncode == pytest.ExitCode.INTERRUPTED, lines[-20:]
    assert metrics["exit_status"] == returncode
    assert (metrics["interrupted"], metrics["complete"]) == (True, False)
    assert metrics["reason"] == "the run was interrupted"
    assert {k: metrics["counts"][k] for k in ("passed", "failed", "errors")} == _summary(lines), (
        lines[-20:]
    )
    if not workers:  # which tests ran before the signal is up to scheduling under xdist
        assert [t["nodeid"] for t in metrics["tests"]] == ["test_wait.py::test_done"]
