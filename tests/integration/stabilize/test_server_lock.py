"""The server lock, leak modes and the opt-in global sweep, through real pytest runs."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from mmpgate.stabilize.locks import NamedLock

LOCKED_MODULE = """
import json, os, time
import pytest

LOG = {log!r}

def note(event):
    with open(LOG, "a") as f:
        f.write(json.dumps([event, os.getpid(), time.time()]) + "\\n")

@pytest.fixture(scope="module")
def server():
    note("up")
    yield
    note("down")

@pytest.mark.server
@pytest.mark.parametrize("i", range(3))
def test_uses_server(server, i):
    time.sleep(0.1)
"""


def _intervals(log):
    events = [json.loads(line) for line in log.read_text().splitlines()]
    ups = sorted((t, pid) for e, pid, t in events if e == "up")
    downs = sorted((t, pid) for e, pid, t in events if e == "down")
    assert len(ups) == len(downs)
    return [(u[0], d[0]) for u, d in zip(ups, downs, strict=True)]


@pytest.mark.parametrize("args", [["-n", "2"], ["-n", "0"], ["-p", "no:xdist"]])
def test_module_scoped_fixtures_never_overlap_under_the_lock(pytester, tmp_path, args):
    """Module-scoped fixtures of marked tests in three modules are alive one at a time."""
    log = tmp_path / "events.jsonl"
    for name in ("test_a", "test_b", "test_c"):
        pytester.makepyfile(**{name: LOCKED_MODULE.format(log=str(log))})
    pytester.makepyfile(test_free="def test_free():\n    pass\n")
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=10)
    spans = sorted(_intervals(log))
    assert len(spans) >= 3  # xdist may split a module over both workers
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start


def test_without_the_lock_the_same_fixtures_overlap(pytester, tmp_path):
    """Known-bad control: unmarked, the module fixtures do run at the same time under -n 2."""
    log = tmp_path / "events.jsonl"
    body = LOCKED_MODULE.replace("@pytest.mark.server\n", "").replace("0.1", "1.0")
    for name in ("test_a", "test_b"):
        pytester.makepyfile(**{name: body.format(log=str(log))})
    pytester.runpytest_subprocess("-n", "2", "--dist", "loadfile").assert_outcomes(passed=6)
    first, second = sorted(_intervals(log))
    assert second[0] < first[1]


def test_waiter_past_the_timeout_fails_alone_naming_the_holder(pytester, tmp_path):
    """A marked test waiting past the timeout errors with the holder named; others pass."""
    lock_dir = tmp_path / "locks"
    holder = NamedLock(lock_dir, "db")
    holder.acquire(timeout=5, worker="gw7", nodeid="other/test_x.py::test_holds")
    try:
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.server("db", timeout=0.5)
            def test_waits():
                pass

            def test_free():
                pass
            """
        )
        result = pytester.runpytest_subprocess(f"--mmpgate-lock-dir={lock_dir}")
    finally:
        holder.release()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            f"*waited 0.5 s for server lock 'db'; held by pid {os.getpid()}, worker gw7, "
            "test other/test_x.py::test_holds*"
        ]
    )


def test_bad_lock_name_fails_that_test(pytester):
    """A lock name that cannot be a file name fails the marked test with the rule."""
    pytester.makepyfile("import pytest\n@pytest.mark.server('../etc')\ndef test_bad():\n    pass\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*server lock name must match*"])


LEAKER = """
import subprocess, sys
def test_leaks():
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)  # {token}"],
                     start_new_session=True)
"""


@pytest.mark.parametrize(("mode", "code"), [("warn", 0), ("fail", 1), ("kill", 0)])
def test_leak_modes(pytester, mode, code):
    """A process left by a test is listed with its test; fail sets exit 1, kill stops it."""
    token = f"mmp-leak-{uuid.uuid4().hex}"
    pytester.makepyfile(test_leaky=LEAKER.format(token=token))
    result = pytester.runpytest_subprocess("-n", "2", f"--mmpgate-leaks={mode}")
    assert result.ret == code
    result.stdout.fnmatch_lines(
        ["*1 leaked process(es) of this run*", f"*started by test_leaky.py::test_leaks *{token}*"]
    )
    survivors = subprocess.run(["pgrep", "-f", token], capture_output=True, text=True).stdout
    if mode == "kill":
        assert survivors == ""
    else:
        assert survivors.strip()
        for pid in survivors.split():
            os.kill(int(pid), 9)


def test_global_kill_is_opt_in_and_listed(pytester, monkeypatch):
    """Without the variable nothing is killed; with it the match is stopped and listed."""
    token = f"mmp-global-{uuid.uuid4().hex}"
    # A process of no mmpgate run: without the outer run's tags, which the sweep rightly spares.
    untagged = {k: v for k, v in os.environ.items() if not k.startswith("MMPGATE_")}
    victim = subprocess.Popen(
        [sys.executable, "-c", f"import time; time.sleep(60)  # {token}"],
        start_new_session=True,
        env=untagged,
    )
    # Not a readiness wait: process start times have one-second resolution.
    time.sleep(1.1)  # mmpgate: ignore[sleep-after-start]
    pytester.makeini(f"[pytest]\nmmpgate_kill_patterns =\n    {token}\nmmpgate_kill_grace = 2\n")
    pytester.makepyfile("def test_ok():\n    pass\n")
    try:
        monkeypatch.delenv("MMP_ENABLE_GLOBAL_KILL", raising=False)
        pytester.runpytest_subprocess("-n", "2").assert_outcomes(passed=1)
        assert victim.poll() is None
        monkeypatch.setenv("MMP_ENABLE_GLOBAL_KILL", "1")
        dry = pytester.runpytest_subprocess("--mmpgate-kill-dry-run")
        dry.stdout.fnmatch_lines([f"dry-run: pid {victim.pid} *{token}*"])
        assert victim.poll() is None
        real = pytester.runpytest_subprocess("-n", "2")
        real.assert_outcomes(passed=1)
        real.stdout.fnmatch_lines(
            ["*MMP_ENABLE_GLOBAL_KILL sweep*", f"terminated: pid {victim.pid} *"]
        )
        assert victim.wait(timeout=60) == -15
    finally:
        if victim.poll() is None:
            victim.kill()
        victim.wait()
