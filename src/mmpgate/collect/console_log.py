"""Reads what a saved pytest console log says: the final summary line, the `--durations` list,
the `-rA` short summary, the header, and whether the run was interrupted or stopped early.

The log is read line by line (CI logs run to tens of megabytes). Colour codes and a leading CI
timestamp are ignored. The log is text written by tests as much as by pytest, so undecodable bytes
are replaced rather than refused; the last summary line wins, since captured output of inner pytest
runs (printed by `-rA`) comes before pytest's own final line.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from mmpgate.errors import InputError, located

#: Summary-line words -> metrics count keys (pytest pluralises only "error" and "warning").
_WORDS = {
    "passed": "passed",
    "failed": "failed",
    "error": "errors",
    "errors": "errors",
    "skipped": "skipped",
    "xfailed": "xfailed",
    "xpassed": "xpassed",
    "deselected": "deselected",
    "rerun": "reruns",
}
#: Words pytest may print that are no test outcome (warnings, subtests).
_IGNORED = ("warning", "warnings", "subtests passed", "subtests failed", "subtests skipped")
_PART = r"\d+ (?:subtests (?:passed|failed|skipped)|[a-z]+)"
_SUMMARY = re.compile(
    rf"^=*\s*(?P<parts>no tests ran|{_PART}(?:, {_PART})*) in (?P<secs>\d+(?:\.\d+)?)s"
    r"(?: \(\d+:\d\d:\d\d\))?\s*=*$"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CI_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
_DURATION = re.compile(
    r"^(?P<secs>\d+(?:\.\d+)?)s (?P<when>setup|call|teardown)\s+(?P<nodeid>\S.*)$"
)
_SHORT = re.compile(r"^(?P<word>PASSED|FAILED|ERROR|XFAIL|XPASS) (?P<rest>\S.*)$")
_HEADER = re.compile(
    r"^platform (?P<platform>\S+) -- Python (?P<python>\S+), pytest-(?P<pytest>[^,\s]+)"
)
_PLUGINS_XDIST = re.compile(r"^plugins: .*\bxdist-(?P<xdist>[^,\s]+)")
_COLLECTED = re.compile(r"^collected (?P<n>\d+) items?\b")
_WORKERS = re.compile(r"^(?P<w>\d+) workers? \[(?P<n>\d+) items?\]")
_BANG = re.compile(r"^!{3,} (?P<text>.*?) !{3,}$")
_STOPPED = re.compile(r"^stopping after \d+ failures?$")
#: Sections printed after any captured test output: interruption banners seen before them were
#: part of a test's output (an inner pytest run), not of this run.
_SECTION = re.compile(
    r"^[=_-]+ (?:short test summary info|PASSES|FAILURES|ERRORS|Captured .*) [=_-]+$"
)
_INTERRUPTED = re.compile(r"^(?:Interrupted: |KeyboardInterrupt$|_pytest\.outcomes\.Exit: |Exit: )")


@dataclasses.dataclass(frozen=True, slots=True)
class Summary:
    """pytest's final summary line."""

    counts: dict[str, int]
    wall: float
    line: int


@dataclasses.dataclass(slots=True)
class ConsoleFacts:
    """Everything read from the log; fields the log did not show stay None or empty."""

    summary: Summary | None = None
    #: nodeid -> {phase: seconds} from the `--durations` list.
    durations: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)
    #: Real node ids the log names (short summary and durations list), to map JUnit names back.
    nodeids: set[str] = dataclasses.field(default_factory=set)
    #: Node ids the short summary lists as XPASS (JUnit writes them as passed).
    xpassed: set[str] = dataclasses.field(default_factory=set)
    interrupted: str | None = None
    stopped_early: str | None = None
    collected: int | None = None
    selected: int | None = None
    workers: int = 0
    python: str | None = None
    platform: str | None = None
    pytest: str | None = None
    xdist: str | None = None


def read_console_log(path: Path) -> ConsoleFacts:
    """Parse a saved console log; a missing or unreadable file is an InputError."""
    if path.is_dir():
        raise InputError(located(path, "", "expected a console log file, found a directory"))
    facts = ConsoleFacts()
    in_durations = False
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, raw in enumerate(handle, start=1):
                line = _CI_STAMP.sub("", _ANSI.sub("", raw.rstrip("\r\n"))).rstrip()
                in_durations = _read_line(facts, line, number, in_durations)
    except FileNotFoundError as exc:
        raise InputError(located(path, "", "file not found")) from exc
    except OSError as exc:
        raise InputError(located(path, "", f"cannot be read ({exc.strerror})")) from exc
    return facts


def _read_line(facts: ConsoleFacts, line: str, number: int, in_durations: bool) -> bool:
    """Update `facts` from one line; return whether the durations list continues."""
    if in_durations and (match := _DURATION.match(line)):
        facts.nodeids.add(match["nodeid"])
        phases = facts.durations.setdefault(match["nodeid"], {})
        phases[match["when"]] = phases.get(match["when"], 0.0) + float(match["secs"])
        return True
    if "slowest" in line and "durations" in line and line.startswith("="):
        return True
    if (summary := parse_summary_line(line, number)) is not None:
        facts.summary = summary
    elif _SECTION.match(line):
        facts.interrupted = facts.stopped_early = None
    elif match := _SHORT.match(line):
        nodeid = match["rest"].split(" - ", 1)[0]
        facts.nodeids.add(nodeid)
        if match["word"] == "XPASS":
            facts.xpassed.add(nodeid)
    elif match := _BANG.match(line):
        text = match["text"].strip()
        if _STOPPED.match(text):
            facts.stopped_early = text
        elif _INTERRUPTED.match(text):
            facts.interrupted = text
    elif facts.python is None and (match := _HEADER.match(line)):
        facts.platform, facts.python, facts.pytest = (
            match["platform"],
            match["python"],
            match["pytest"],
        )
    elif facts.xdist is None and (match := _PLUGINS_XDIST.match(line)):
        facts.xdist = match["xdist"]
    elif facts.collected is None and (match := _COLLECTED.match(line)):
        facts.collected = int(match["n"])
    elif match := _WORKERS.match(line):
        facts.workers, facts.selected = int(match["w"]), int(match["n"])
    return in_durations and not line.startswith("=")


def parse_summary_line(line: str, number: int = 0) -> Summary | None:
    """The counts of pytest's final line ("2 failed, 5 passed in 1.23s"), or None if it is not one."""
    match = _SUMMARY.match(line.strip())
    if match is None:
        return None
    counts = dict.fromkeys(("passed", "failed", "errors", "skipped", "xfailed", "xpassed"), 0)
    counts.update(deselected=0, reruns=0)
    if match["parts"] != "no tests ran":
        for part in match["parts"].split(", "):
            number_text, word = part.split(" ", 1)
            if word in _IGNORED:
                continue
            if word not in _WORDS:
                return None  # not pytest's line: an unknown word
            counts[_WORDS[word]] += int(number_text)
    return Summary(counts=counts, wall=float(match["secs"]), line=number)
