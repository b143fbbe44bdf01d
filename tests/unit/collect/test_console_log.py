"""Reading pytest's console output: summary line, durations list, short summary, banners, header."""

from __future__ import annotations

import pytest

from mmpgate.collect.console_log import parse_summary_line, read_console_log

ZERO = dict.fromkeys(
    ("passed", "failed", "errors", "skipped", "xfailed", "xpassed", "deselected", "reruns"), 0
)


@pytest.mark.parametrize(
    ("line", "expected", "wall"),
    [
        (
            "==== 3 failed, 7 passed, 4 skipped, 1 xfailed, 1 xpassed, 6 errors in 1.27s ====",
            {"failed": 3, "passed": 7, "skipped": 4, "xfailed": 1, "xpassed": 1, "errors": 6},
            1.27,
        ),
        ("1 passed, 1 error in 0.05s", {"passed": 1, "errors": 1}, 0.05),
        (
            "= 2 passed, 3 deselected, 1 rerun, 2 warnings in 65.00s (0:01:05) =",
            {"passed": 2, "deselected": 3, "reruns": 1},
            65.0,
        ),
        ("=== 1 passed, 2 subtests passed in 0.10s ===", {"passed": 1}, 0.1),
        (
            "============================ no tests ran in 0.01s =============================",
            {},
            0.01,
        ),
    ],
)
def test_summary_lines(line, expected, wall):
    """pytest's summary line gives each count; warnings and subtests are no outcome."""
    summary = parse_summary_line(line)
    assert summary is not None
    assert summary.counts == {**ZERO, **expected}
    assert summary.wall == wall


@pytest.mark.parametrize(
    "line",
    ["processed 5 files in 2.3s", "3 passed", "passed in 1s", "== 3 passed, 2 apples in 0.1s =="],
)
def test_lines_that_are_no_summary(line):
    """Lines with unknown words or no time are not taken for pytest's summary line."""
    assert parse_summary_line(line) is None


def write(tmp_path, text: str):
    """A console log file with this text."""
    path = tmp_path / "console.log"
    path.write_text(text, encoding="utf-8")
    return path


def test_last_summary_wins_and_colours_and_ci_stamps_are_ignored(tmp_path):
    """An inner run's summary in captured output loses to pytest's final line, seen through colours."""
    facts = read_console_log(
        write(
            tmp_path,
            "----------------------------- Captured stdout call -----------------------------\n"
            "========================= 9 failed in 0.50s =========================\n"
            "2025-01-01T00:00:00.1234567Z \x1b[32m==== 2 passed in 0.30s ====\x1b[0m\n",
        )
    )
    assert facts.summary is not None
    assert facts.summary.counts == {**ZERO, "passed": 2}


def test_banners_inside_captured_output_are_ignored(tmp_path):
    """An interruption banner printed by a test's inner run does not mark this run interrupted."""
    log = (
        "!!!!!!!!!! stopping after 1 failures !!!!!!!!!!\n"
        "=========================== short test summary info ============================\n"
        "PASSED test_a.py::test_a\n"
        "============================== 1 passed in 0.1s ===============================\n"
    )
    facts = read_console_log(write(tmp_path, log))
    assert facts.stopped_early is None
    assert facts.interrupted is None


def test_banners_of_the_run_itself(tmp_path):
    """Banners after the short summary mark the run stopped early or interrupted."""
    stopped = read_console_log(
        write(tmp_path, "!!!!!!!!!! stopping after 2 failures !!!!!!!!!!\n2 failed in 0.1s\n")
    )
    assert stopped.stopped_early == "stopping after 2 failures"
    for banner in (
        "KeyboardInterrupt",
        "Interrupted: 1 error during collection",
        "_pytest.outcomes.Exit: bye",
    ):
        facts = read_console_log(write(tmp_path, f"!!!!!!!! {banner} !!!!!!!!\n1 passed in 0.1s\n"))
        assert facts.interrupted == banner


def test_durations_short_summary_and_header(tmp_path):
    """Phases from --durations, real node ids and XPASS from -rA, versions and workers from the header."""
    log = """platform linux -- Python 3.12.1, pytest-8.3.2, pluggy-1.5.0
plugins: xdist-3.6.1, cov-5.0.0
created: 2/2 workers
2 workers [3 items]
============================== slowest durations ===============================
0.51s call     tests/test_x.py::test_y[a b]
0.02s setup    tests/test_x.py::test_y[a b]
0.01s teardown tests/test_x.py::TestK::test_z

(3 durations < 0.005s hidden.  Use -vv to show these durations.)
=========================== short test summary info ============================
PASSED tests/test_x.py::test_y[a b]
XPASS tests/test_x.py::test_w - reason - with dashes
========================= 2 passed, 1 xpassed, 4 deselected in 1.00s =========================
"""
    facts = read_console_log(write(tmp_path, log))
    assert facts.durations == {
        "tests/test_x.py::test_y[a b]": {"call": 0.51, "setup": 0.02},
        "tests/test_x.py::TestK::test_z": {"teardown": 0.01},
    }
    assert facts.xpassed == {"tests/test_x.py::test_w"}
    assert "tests/test_x.py::test_y[a b]" in facts.nodeids
    assert (facts.python, facts.pytest, facts.platform, facts.xdist) == (
        "3.12.1",
        "8.3.2",
        "linux",
        "3.6.1",
    )
    assert (facts.workers, facts.selected) == (2, 3)


def test_undecodable_bytes_are_replaced(tmp_path):
    """Test output may hold any bytes: the log is read with replacement, the summary still found."""
    path = tmp_path / "console.log"
    path.write_bytes(b"\xff\xfe garbage\n1 passed in 0.1s\n")
    facts = read_console_log(path)
    assert facts.summary is not None
    assert facts.summary.counts["passed"] == 1
