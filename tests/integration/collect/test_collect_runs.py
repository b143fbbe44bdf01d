"""`mmpgate collect` on artifacts of real pytest runs, compared with pytest's summary and the plugin."""

from __future__ import annotations

import pytest

from .conftest import counts_of, dump, run_in

MIXED = {
    "test_cases.py": """
import pytest

def test_pass(): pass
def test_fail(): assert 0, "boom"
def test_deselect_me(): pass

@pytest.fixture
def bad_setup(): raise RuntimeError("setup boom")
def test_setup_error(bad_setup): pass

@pytest.fixture
def bad_teardown():
    yield
    raise RuntimeError("teardown boom")
def test_teardown_after_pass(bad_teardown): pass
def test_teardown_after_fail(bad_teardown): assert 0
def test_skip_then_teardown_error(bad_teardown): pytest.skip("body")

@pytest.mark.skip(reason="marker")
def test_skip_marker(): pass
@pytest.mark.skipif(True, reason="skipif")
def test_skipif(): pass
def test_skip_body(): pytest.skip("body")
@pytest.mark.xfail(reason="xf")
def test_xfail(): assert 0
@pytest.mark.xfail(reason="xp")
def test_xpass(): pass
@pytest.mark.xfail(reason="strict", strict=True)
def test_xpass_strict(): pass
@pytest.mark.parametrize("x", [1, "a b", "[x]"])
def test_param(x): pass

class TestOuter:
    def test_m(self): pass
    class TestInner:
        def test_n(self): pass

class TestSetupClass:
    @classmethod
    def setup_class(cls): raise RuntimeError("setup_class boom")
    def test_a(self): pass
    def test_b(self): pass
""",
    "sub/test_module_skip.py": """
import pytest
pytest.skip("whole module", allow_module_level=True)
def test_never(): pass
""",
    "sub/test_importorskip.py": """
import pytest
pytest.importorskip("mmpgate_no_such_module")
def test_never(): pass
""",
    "sub/test_collection_error.py": """
import mmpgate_no_such_module
def test_never(): pass
""",
}

MODES = {"serial": (), "xdist": ("-n", "2")}


@pytest.fixture(scope="module", params=sorted(MODES))
def mixed_run(request, tmp_path_factory):
    """The mixed suite run (once per mode) with deselection and --continue-on-collection-errors."""
    directory = tmp_path_factory.mktemp(f"mixed-{request.param}")
    for name, text in MIXED.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
    return run_in(
        directory,
        *MODES[request.param],
        "--continue-on-collection-errors",
        "-k",
        "not test_deselect_me",
    )


def test_counts_with_console_log_equal_pytest_summary(mixed_run):
    """With the console log, every count equals pytest's own summary line and the run is complete."""
    collected = mixed_run.collect()
    assert counts_of(collected) == mixed_run.summary, dump(collected)
    assert collected["complete"] is True
    assert collected["reason"] is None


def test_counts_with_console_log_equal_the_plugins(mixed_run):
    """collect and the plugin, fed the same run, give the same counts and collected items."""
    collected = mixed_run.collect()
    assert counts_of(collected) == counts_of(mixed_run.plugin)
    assert collected["collected"] == mixed_run.plugin["collected"]


def test_junit_alone_counts_what_junit_can_tell(mixed_run):
    """From JUnit alone: exact failed/errors/skipped/xfailed, passed+xpassed as a sum, run incomplete."""
    collected = mixed_run.collect(console=False)
    counts, summary = collected["counts"], mixed_run.summary
    for key in ("failed", "errors", "skipped", "xfailed"):
        assert counts[key] == summary[key], key
    assert counts["passed"] + counts["xpassed"] == summary["passed"] + summary["xpassed"]
    assert counts["xpassed"] == 0  # JUnit writes a non-strict xpass as a plain pass
    assert counts["deselected"] == 0
    assert collected["collected"] is None
    assert collected["complete"] is False
    assert "JUnit XML alone" in collected["reason"]
    assert "counts.deselected" in collected["source"]["unknown"]


def test_per_test_outcomes_and_nodeids_equal_the_plugins(mixed_run):
    """Each test's node id and outcome equal the plugin's (the console log names the real ids)."""
    collected = mixed_run.collect()
    ours = {t["nodeid"]: t["outcome"] for t in collected["tests"]}
    plugin = {t["nodeid"]: t["outcome"] for t in mixed_run.plugin["tests"]}
    assert ours == plugin


def test_reconstructed_nodeids_equal_the_real_ones(mixed_run):
    """Without the console log, ids rebuilt from classname + name match pytest's for this suite."""
    collected = mixed_run.collect(console=False)
    ours = {t["nodeid"] for t in collected["tests"]}
    assert ours == {t["nodeid"] for t in mixed_run.plugin["tests"]}
    assert collected["source"]["nodeids"].startswith("0 of ")


def test_durations_list_fills_phases(pytester, run_pytest):
    """The --durations list of the log gives per-phase times; its slowest test is listed first."""
    pytester.makepyfile(
        test_slow="""
import time
def test_slow(): time.sleep(0.2)
def test_fast(): pass
"""
    )
    run = run_pytest("-vv")  # -vv lists every phase, even those under 5 ms
    collected = run.collect()
    slow = next(t for t in collected["tests"] if t["nodeid"] == "test_slow.py::test_slow")
    assert set(slow["duration"]) == {"setup", "call", "teardown"}
    assert slow["duration"]["call"] >= 0.2
    assert collected["slowest"][0]["nodeid"] == "test_slow.py::test_slow"


@pytest.mark.parametrize("mode", sorted(MODES))
def test_maxfail_marks_the_run_stopped_early(pytester, run_pytest, mode):
    """-x leaves a valid JUnit file; the console log's banner makes the file stopped_early."""
    pytester.makepyfile(test_x="def test_a(): assert 0\ndef test_b(): pass\ndef test_c(): pass\n")
    run = run_pytest(*MODES[mode], "-x")
    collected = run.collect()
    assert counts_of(collected) == run.summary
    assert collected["stopped_early"] is True
    assert collected["complete"] is False
    assert "stopped early" in collected["reason"]


def test_collection_error_interrupts(pytester, run_pytest):
    """A collection error without --continue-on-collection-errors is an interrupted run."""
    pytester.makepyfile(test_ok="def test_a(): pass\n", test_bad="import mmpgate_no_such_module\n")
    run = run_pytest()
    collected = run.collect()
    assert counts_of(collected) == run.summary
    assert collected["interrupted"] is True
    assert collected["complete"] is False
    assert run.plugin["interrupted"] is True


def test_pytest_exit_interrupts(pytester, run_pytest):
    """pytest.exit() in a test is an interrupted run."""
    pytester.makepyfile(
        test_exit="import pytest\ndef test_a(): pass\ndef test_b(): pytest.exit('bye')\ndef test_c(): pass\n"
    )
    run = run_pytest()
    collected = run.collect()
    assert collected["interrupted"] is True
    assert collected["complete"] is False
    assert counts_of(collected) == run.summary


def test_reruns_come_from_the_console_log(pytester, run_pytest):
    """pytest-rerunfailures' reruns are absent from JUnit; the summary line supplies them."""
    pytester.makepyfile(
        test_flaky="""
import pathlib
def test_flaky(tmp_path_factory):
    marker = tmp_path_factory.getbasetemp().parent / "flaky-marker"
    if not marker.exists():
        marker.write_text("1")
        assert 0, "first attempt fails"
"""
    )
    run = run_pytest("--reruns", "2")
    assert run.summary["reruns"] == 1
    assert counts_of(run.collect()) == run.summary
    junit_only = run.collect(console=False)
    assert junit_only["counts"]["reruns"] == 0
    assert "counts.reruns" in junit_only["source"]["unknown"]


def test_console_log_from_another_run_is_reported(pytester, run_pytest, capsys):
    """A console log that disagrees with the JUnit file makes the result incomplete and says why."""
    pytester.makepyfile(test_one="def test_a(): pass\ndef test_b(): assert 0\n")
    first = run_pytest()
    other_log = first.directory / "other.log"
    other_log.write_text(first.console.read_text().replace("1 failed, 1 passed", "2 passed"))
    collected = first.collect("--console-log", str(other_log))
    assert collected["complete"] is False
    assert "disagree" in collected["reason"]
    assert collected["counts"]["passed"] == 2  # the summary line wins
    assert "counts.failed: JUnit has 1, the console summary line has 0" in capsys.readouterr().err
