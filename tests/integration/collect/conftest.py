"""Real pytest runs that write a JUnit XML, the plugin's metrics and a saved console log."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics

#: The cache would write into the case directory; hypothesis's plugin only costs time.
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
COUNT_KEYS = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed", "deselected", "reruns")


@dataclasses.dataclass
class Run:
    """One inner pytest run and its artifacts."""

    directory: Path
    summary: dict[str, int]
    junit: Path
    console: Path
    plugin: dict[str, Any]

    def collect(self, *extra: str, console: bool = True) -> dict[str, Any]:
        """Run `mmpgate collect` on this run's artifacts and return the validated metrics."""
        output = self.directory / ("collected.json" if console else "collected-junit-only.json")
        argv = ["collect", "--junit", str(self.junit), "--group", "unit", "--output", str(output)]
        if console:
            argv += ["--console-log", str(self.console)]
        assert main([*argv, *extra]) == 0
        return load_metrics(output)


def summary_counts(outcomes: dict[str, int]) -> dict[str, int]:
    """pytest's summary line (from parseoutcomes) as metrics count keys."""
    words = {"error": "errors", "errors": "errors", "rerun": "reruns", "reruns": "reruns"}
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for word, number in outcomes.items():
        if word in ("warnings", "warning"):
            continue
        key = words.get(word, word)
        assert key in counts, f"unknown summary word {word!r}"
        counts[key] += number
    return counts


_SUMMARY_PART = re.compile(r"(\d+) (\w+)")


def run_in(directory: Path, *args: str) -> Run:
    """Run pytest in a subprocess in `directory` with --junitxml, the plugin, -rA, --durations=0."""
    junit = directory / "junit.xml"
    metrics = directory / "metrics.unit.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *QUIET,
            f"--junitxml={junit}",
            f"--mmpgate-metrics={metrics}",
            "--mmpgate-group=unit",
            "-rA",
            "--durations=0",
            *args,
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    console = directory / "console.log"
    console.write_text(done.stdout, encoding="utf-8")
    last = done.stdout.rstrip().splitlines()[-1]
    outcomes = {word: int(number) for number, word in _SUMMARY_PART.findall(last.split(" in ")[0])}
    return Run(
        directory=directory,
        summary=summary_counts(outcomes),
        junit=junit,
        console=console,
        plugin=load_metrics(metrics),
    )


@pytest.fixture
def run_pytest(pytester: pytest.Pytester):
    """Run pytest on the pytester directory (see `run_in`)."""

    def run(*args: str) -> Run:
        return run_in(pytester.path, *args)

    return run


def counts_of(document: dict[str, Any]) -> dict[str, int]:
    """The count keys of a metrics document, total left out."""
    return {key: document["counts"][key] for key in COUNT_KEYS}


def dump(document: dict[str, Any]) -> str:
    """Short text of a document for assertion messages."""
    return json.dumps({k: document[k] for k in ("counts", "complete", "reason")}, indent=1)
