"""The metrics fields beside the counts: tests, slowest, durations, rates, options and ini."""

from __future__ import annotations

import json
import math
import re
import textwrap

import pytest

from mmpgate.errors import InputError
from mmpgate.metrics.io import load_metrics

MIXED = textwrap.dedent(
    """
    import time
    import pytest

    @pytest.fixture
    def broken_teardown():
        yield
        raise RuntimeError("teardown broke")

    def test_passes():
        pass

    def test_sleeps():
        time.sleep(0.05)

    def test_fails():
        assert 1 == 2

    def test_fails_then_teardown_breaks(broken_teardown):
        assert False

    def test_passes_then_teardown_breaks(broken_teardown):
        pass

    def test_skips():
        pytest.skip("not here")

    @pytest.mark.xfail(reason="known")
    def test_xfails():
        assert False

    @pytest.mark.xfail(reason="fixed")
    def test_xpasses():
        pass
    """
)
EXITS = textwrap.dedent(
    """
    import pytest

    def test_first():
        pass

    def test_exits():
        pytest.exit("enough")

    def test_never():
        pass
    """
)
_WORDS = {
    "PASSED": "passed",
    "FAILED": "failed",
    "ERROR": "error",
    "SKIPPED": "skipped",
    "XFAIL": "xfailed",
    "XPASS": "xpassed",
}
_WORD = "|".join(_WORDS)
_VERBOSE_SERIAL = re.compile(rf"^(\S+::\S+) ({_WORD})\b")
_VERBOSE_XDIST = re.compile(rf"^\[gw\d+\] \[\s*\d+%\] ({_WORD}) (\S+::\S+)")
_DURATION = re.compile(r"^(\d+\.\d+)s (setup|call|teardown)\s+(\S+)$")


def verbose_outcomes(lines: list[str]) -> dict[str, str]:
    """Per test, the first word pytest's -v output gave it that is not PASSED (else passed)."""
    outcomes: dict[str, str] = {}
    for line in lines:
        serial = _VERBOSE_SERIAL.match(line)
        xdist = _VERBOSE_XDIST.match(line)
        if serial:
            nodeid, word = serial.groups()
        elif xdist:
            word, nodeid = xdist.groups()
        else:
            continue
        if outcomes.get(nodeid, "passed") == "passed":
            outcomes[nodeid] = _WORDS[word]
    return outcomes


def reported_durations(lines: list[str]) -> dict[tuple[str, str], float]:
    """pytest's --durations=0 list: (nodeid, phase) -> seconds, printed with 2 decimals."""
    found: dict[tuple[str, str], float] = {}
    for line in lines:
        match = _DURATION.match(line)
        if match:
            seconds, phase, nodeid = match.groups()
            found[(nodeid, phase)] = float(seconds)
    return found


def test_verbose_outcomes_reads_both_layouts():
    """The -v reader understands serial and xdist lines and keeps a test's first non-pass."""
    lines = [
        "t.py::a PASSED                [ 50%]",
        "t.py::a ERROR                 [ 50%]",
        "[gw1] [100%] XFAIL t.py::b ",
        "t.py::c SKIPPED (why)         [ 75%]",
        "collected 3 items",
    ]
    assert verbose_outcomes(lines) == {
        "t.py::a": "error",
        "t.py::b": "xfailed",
        "t.py::c": "skipped",
    }


@pytest.mark.parametrize("mode", ["serial", "xdist"])
@pytest.mark.parametrize("sample", ["mixed", "exits"])
def test_tests_entries_match_pytest_reports(run_metrics, pytester, mode, sample):
    """Each test gets one entry with pytest's outcome and --durations figures; none for a test
    pytest.exit() interrupted; slowest is the top of those entries."""
    pytester.makepyfile(test_case=MIXED if sample == "mixed" else EXITS)
    run = run_metrics("-v", "--durations=0", "--durations-min=0", "--mmpgate-slowest=3", mode=mode)
    metrics = run.metrics
    lines = run.result.outlines
    entries = {test["nodeid"]: test for test in metrics["tests"]}

    assert {nodeid: t["outcome"] for nodeid, t in entries.items()} == verbose_outcomes(lines)
    durations = reported_durations(lines)
    recorded = {
        (nodeid, phase): seconds
        for nodeid, test in entries.items()
        for phase, seconds in test["duration"].items()
    }
    if sample == "mixed":  # pytest prints no durations when pytest.exit() ends the session
        assert recorded.keys() == durations.keys()
        for key, seconds in recorded.items():
            assert math.isclose(seconds, durations[key], abs_tol=0.0051), key

    totals = sorted(
        ((sum(t["duration"].values()), nodeid) for nodeid, t in entries.items()),
        key=lambda pair: (-pair[0], pair[1]),
    )
    slowest = metrics["slowest"]
    assert [s["nodeid"] for s in slowest] == [nodeid for _, nodeid in totals[:3]]
    assert [s["duration"] for s in slowest] == pytest.approx([d for d, _ in totals[:3]], abs=1e-5)
    assert len(metrics["slowest"]) == min(3, len(entries))


def test_durations_kept_apart(run_metrics, pytester):
    """tests_sum is the sum of every phase of every test; the wall clock encloses it when serial."""
    pytester.makepyfile(test_case=MIXED)
    metrics = run_metrics().metrics
    phases = sum(sum(t["duration"].values()) for t in metrics["tests"])
    assert metrics["duration"]["tests_sum"] == pytest.approx(phases, abs=1e-5)
    assert metrics["duration"]["wall"] >= metrics["duration"]["tests_sum"]


def test_rerun_durations_count_every_attempt(run_metrics, pytester):
    """With reruns, tests_sum keeps every attempt while the entry keeps the last one."""
    pytester.makepyfile(
        test_case="""
        import pytest

        @pytest.mark.flaky(reruns=2)
        def test_always_fails():
            assert False
        """
    )
    metrics = run_metrics().metrics
    (entry,) = metrics["tests"]
    assert entry["reruns"] == metrics["counts"]["reruns"] == 2
    assert metrics["duration"]["tests_sum"] >= sum(entry["duration"].values())


@pytest.mark.parametrize(
    ("files", "args"),
    [
        pytest.param({"test_case": "def helper():\n    pass\n"}, (), id="no-tests"),
        pytest.param(
            {"test_case": "def test_a():\n    pass\n"}, ("-k", "nomatch"), id="all-deselected"
        ),
    ],
)
def test_empty_group_has_null_rates(run_metrics, pytester, files, args):
    """A run with no outcome is empty, with null rates and a reason, never a division error."""
    pytester.makepyfile(**files)
    run = run_metrics(*args)
    metrics = run.metrics
    assert run.result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert metrics["empty"] is True
    assert metrics["rates"] == {"failure": None, "skip": None}
    assert metrics["counts"]["total"] == 0
    assert metrics["counts"]["deselected"] == run.pytest_counts["deselected"]
    assert metrics["reason"] == "no test ran"


def test_rates_follow_counts(run_metrics, pytester):
    """failure = (failed + errors) / total and skip = skipped / total, from the same run."""
    pytester.makepyfile(test_case=MIXED)
    run = run_metrics()
    counts = run.pytest_counts
    total = sum(counts[k] for k in ("passed", "failed", "errors", "skipped", "xfailed", "xpassed"))
    assert run.metrics["rates"] == {
        "failure": pytest.approx((counts["failed"] + counts["errors"]) / total),
        "skip": pytest.approx(counts["skipped"] / total),
    }


def _comparable(lines: list[str]) -> list[str]:
    timing = re.compile(r" in \d+\.\d+s( \(\d+:\d+:\d+\))?")
    return [timing.sub(" in Ns", line) for line in lines if not line.startswith("plugins:")]


def test_changes_nothing_when_not_asked(run_metrics, pytester):
    """Without --mmpgate-metrics no file appears and the output equals a run without the plugin."""
    pytester.makepyfile(test_case=MIXED)
    before = sorted(p.name for p in pytester.path.iterdir())
    plain = run_metrics(record=False)
    after = sorted(p.name for p in pytester.path.iterdir())
    disabled = run_metrics("-p", "no:mmpgate", record=False)
    assert after == before
    assert _comparable(plain.result.outlines) == _comparable(disabled.result.outlines)
    assert plain.result.ret == disabled.result.ret


def test_ini_settings(run_metrics, pytester):
    """mmpgate_metrics, mmpgate_group and mmpgate_slowest in the ini do what the options do."""
    pytester.makepyfile(test_case=MIXED)
    pytester.makeini(
        "[pytest]\nmmpgate_metrics = out/metrics.ini.json\nmmpgate_group = fast\n"
        "mmpgate_slowest = 2\n"
    )
    run = run_metrics(record=False)
    metrics = load_metrics(pytester.path / "out" / "metrics.ini.json")
    assert metrics["group"] == "fast"
    assert len(metrics["slowest"]) == 2
    assert metrics["counts"]["failed"] == run.pytest_counts["failed"]


def test_options_override_ini(run_metrics, pytester):
    """Command-line options beat the ini; without a group the file name gives it."""
    pytester.makepyfile(test_case="def test_a():\n    pass\n")
    pytester.makeini("[pytest]\nmmpgate_metrics = ignored.json\nmmpgate_group = ini\n")
    run_metrics("--mmpgate-group=cli", metrics="metrics.first.json")
    assert load_metrics(pytester.path / "metrics.first.json")["group"] == "cli"
    assert not (pytester.path / "ignored.json").exists()
    pytester.makeini("[pytest]\n")
    run_metrics(metrics="results/metrics.unit.json")
    assert load_metrics(pytester.path / "results" / "metrics.unit.json")["group"] == "unit"


@pytest.mark.parametrize(
    ("args", "ini"),
    [
        pytest.param(("--mmpgate-slowest=abc",), "", id="option-not-a-number"),
        pytest.param(("--mmpgate-slowest=-1",), "", id="option-negative"),
        pytest.param((), "[pytest]\nmmpgate_slowest = many\n", id="ini-not-a-number"),
    ],
)
def test_bad_slowest_is_a_usage_error(run_metrics, pytester, args, ini):
    """A bad slowest count stops pytest with a usage error naming the option, and no file."""
    pytester.makepyfile(test_case="def test_a():\n    pass\n")
    if ini:
        pytester.makeini(ini)
    run = run_metrics(*args)
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--mmpgate-slowest" in "\n".join(run.result.errlines)
    assert not run.metrics_path.exists()


def test_tampered_file_is_refused(run_metrics, pytester):
    """The reader that validates every file above refuses one whose counts no longer add up."""
    pytester.makepyfile(test_case=MIXED)
    run = run_metrics()
    document = json.loads(run.metrics_path.read_text(encoding="utf-8"))
    document["counts"]["passed"] += 1
    run.metrics_path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match=r"\$\.counts\.total"):
        load_metrics(run.metrics_path)
