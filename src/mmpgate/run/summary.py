"""What `mmpgate run` prints around the groups: each group's place and time, and one table at the end."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mmpgate.metrics.document import rates_of, sum_counts

if TYPE_CHECKING:
    from mmpgate.run.runner import GroupResult

#: Seconds between the "still running" lines of a long group (MMPGATE_PROGRESS_EVERY overrides).
PROGRESS_EVERY = 60.0
COLUMNS = ("group", "tests", "passed", "failed", "errors", "skipped", "failure", "skip",
           "coverage", "wall", "slowest test")  # fmt: skip


def clock(seconds: float) -> str:
    """`12.3s`, `4m05s`, `1h02m`."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def place(index: int, count: int, name: str) -> str:
    """`[2/3] integration`."""
    return f"[{index}/{count}] {name}"


class Heartbeat:
    """Prints a line every `every` seconds while a long group runs (pytest's output stays as is)."""

    def __init__(
        self, label: str, every: float, elapsed: Callable[[], tuple[float, float]]
    ) -> None:
        self._label, self._every, self._elapsed = label, every, elapsed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mmpgate-progress", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            group, run = self._elapsed()
            print(f"\nmmpgate: {self._label}: still running, {clock(group)} in this group, "
                  f"{clock(run)} in the run", flush=True)  # fmt: skip

    def __enter__(self) -> Heartbeat:
        if self._every > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.2f}%"


def table(results: Sequence[GroupResult], elapsed: float) -> str:
    """One aligned table across the groups, a total row, and the run's wall-clock time."""
    rows: list[list[str]] = []
    docs = [r.metrics for r in results if r.metrics is not None]
    for result in results:
        doc = result.metrics
        if doc is None:
            rows.append([result.group, *["-"] * (len(COLUMNS) - 1)])
            continue
        c, rates = doc["counts"], rates_of(doc["counts"])
        cov = doc["coverage"]
        slow = doc["slowest"][0] if doc["slowest"] else None
        slowest = f"{slow['nodeid']} {slow['duration']:.2f}s" if slow else "-"
        state = "" if doc["complete"] else " (incomplete)"
        rows.append([
            result.group + state, str(c["total"]), str(c["passed"]), str(c["failed"]), str(c["errors"]),
            str(c["skipped"]), _percent(rates["failure"]), _percent(rates["skip"]),
            f"{cov['percent']:.2f}%" if cov else "-", clock(doc["duration"]["wall"]), slowest,
        ])  # fmt: skip
    if len(docs) > 1:
        total = sum_counts(d["counts"] for d in docs)
        rates = rates_of(total)
        rows.append([
            "total", str(total["total"]), str(total["passed"]), str(total["failed"]), str(total["errors"]),
            str(total["skipped"]), _percent(rates["failure"]), _percent(rates["skip"]),
            "combine", clock(sum(d["duration"]["wall"] for d in docs)), "",
        ])  # fmt: skip
    grid = [list(COLUMNS), *rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in grid
    ]
    ran = f"mmpgate: {len(results)} group(s) in {clock(elapsed)}"
    note = "; total coverage: `mmpgate combine`" if len(docs) > 1 else ""
    return "\n".join(["", ran + note, *lines]) + "\n"
