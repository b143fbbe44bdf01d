"""The metrics file format: its version, its count keys and the rates derived from them."""

from __future__ import annotations

from collections.abc import Mapping

FORMAT_VERSION = 1

#: Outcome counts that make up `total` (deselected and reruns are reported beside it).
OUTCOME_KEYS: tuple[str, ...] = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")
COUNT_KEYS: tuple[str, ...] = (*OUTCOME_KEYS, "deselected", "reruns", "total")

#: Per-test outcome values in `tests[].outcome`.
TEST_OUTCOMES: tuple[str, ...] = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def empty_counts() -> dict[str, int]:
    """Counts of a group in which nothing ran."""
    return dict.fromkeys(COUNT_KEYS, 0)


def outcome_total(counts: Mapping[str, int]) -> int:
    """The denominator of every rate: passed + failed + errors + skipped + xfailed + xpassed."""
    return sum(int(counts[key]) for key in OUTCOME_KEYS)


def rates(counts: Mapping[str, int]) -> dict[str, float | None]:
    """Failure and skip rates; None (never 0, never a division error) when nothing ran."""
    total = outcome_total(counts)
    if total == 0:
        return {"failure": None, "skip": None}
    return {
        "failure": (counts["failed"] + counts["errors"]) / total,
        "skip": counts["skipped"] / total,
    }
