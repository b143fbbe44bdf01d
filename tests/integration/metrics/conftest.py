"""Inner pytest runs with the metrics plugin, and pytest's own figures read back from their output.

pytest's summary line is read with `RunResult.parseoutcomes()` (public API); `summary_counts` maps
its words onto the metrics `counts` keys and refuses words it does not know, so a new outcome word
can never be dropped silently.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from mmpgate.metrics.io import load_metrics

#: Plugins the inner runs never need: the cache would write into the case directory, and
#: hypothesis's plugin alone costs about a second per inner run.
QUIET: tuple[str, ...] = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

#: How each mode runs pytest. "serial" keeps pytest-xdist loaded but unused.
MODES: dict[str, tuple[str, ...]] = {
    "serial": (),
    "xdist": ("-n", "2"),
    "no-xdist": ("-p", "no:xdist"),
}

#: pytest's summary words (after parseoutcomes' pluralisation of error/warning) -> counts keys.
SUMMARY_WORDS: dict[str, str] = {
    "passed": "passed",
    "failed": "failed",
    "errors": "errors",
    "error": "errors",
    "skipped": "skipped",
    "xfailed": "xfailed",
    "xpassed": "xpassed",
    "deselected": "deselected",
    "rerun": "reruns",
    "reruns": "reruns",
}
#: Words in the summary line that are no test outcome.
NOT_COUNTS = frozenset({"warnings", "warning"})
COUNT_NAMES = (
    "passed",
    "failed",
    "errors",
    "skipped",
    "xfailed",
    "xpassed",
    "deselected",
    "reruns",
)
OUTCOME_NAMES = COUNT_NAMES[:6]

_COLLECTED = re.compile(r"^collected (\d+) items?\b")
_XDIST_ITEMS = re.compile(r"^\d+ workers? \[(\d+) items?\]")


def summary_counts(outcomes: Mapping[str, int]) -> dict[str, int]:
    """pytest's summary nouns as metrics counts: absent words are 0, unknown words an error."""
    counts = dict.fromkeys(COUNT_NAMES, 0)
    for word, number in outcomes.items():
        if word in NOT_COUNTS:
            continue
        if word not in SUMMARY_WORDS:
            raise ValueError(f"unknown word in pytest's summary line: {word!r}")
        counts[SUMMARY_WORDS[word]] += number
    return counts


def header_collected(lines: list[str]) -> int | None:
    """Items pytest announced: `collected N items` serially, `N workers [M items]` under xdist."""
    for line in lines:
        match = _COLLECTED.match(line) or _XDIST_ITEMS.match(line)
        if match:
            return int(match.group(1))
    return None


@dataclasses.dataclass(frozen=True)
class MetricsRun:
    """One inner pytest run: pytest's own result and the metrics file it wrote."""

    result: pytest.RunResult
    metrics_path: Path
    mode: str

    @property
    def metrics(self) -> dict[str, Any]:
        """The metrics file, validated by the reader every consumer uses."""
        return load_metrics(self.metrics_path)

    @property
    def pytest_counts(self) -> dict[str, int]:
        """Counts from pytest's own final summary line."""
        return summary_counts(self.result.parseoutcomes())

    @property
    def pytest_collected(self) -> int | None:
        """Items from pytest's own header line."""
        return header_collected(self.result.outlines)

    def describe(self) -> str:
        """The inner run's output, for assertion messages."""
        return "\n".join(self.result.outlines[-30:] + self.result.errlines[-10:])


Runner = Callable[..., MetricsRun]


@pytest.fixture
def run_metrics(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run pytest in `pytester.path` with the metrics plugin recording to `metrics.case.json`.

    xdist runs (and anything passed `subprocess=True`) go through a real subprocess; the others run
    in-process, which pytest's own plugin tests do too, and which saves a second per run.
    """
    # An inner `--cov` run must write its own data, not into the file of the coverage measuring
    # this suite (`mmpgate run` sets COVERAGE_FILE for the group): combine would then find the
    # inner project's files in this group's data.
    monkeypatch.delenv("COVERAGE_FILE", raising=False)

    def run(
        *args: str,
        mode: str = "serial",
        subprocess: bool = False,
        metrics: str = "metrics.case.json",
        record: bool = True,
    ) -> MetricsRun:
        recording = (f"--mmpgate-metrics={metrics}",) if record else ()
        full = (*QUIET, *MODES[mode], *recording, *args)
        if subprocess or mode == "xdist":
            result = pytester.runpytest_subprocess(*full)
        else:
            result = pytester.runpytest_inprocess(*full)
        return MetricsRun(result=result, metrics_path=pytester.path / metrics, mode=mode)

    return run


@pytest.fixture(name="summary_counts")
def summary_counts_fixture() -> Callable[[Mapping[str, int]], dict[str, int]]:
    """`summary_counts` for the tests of the reader itself."""
    return summary_counts
