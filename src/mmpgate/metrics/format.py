"""The metrics file format: its version, its count keys and the rates derived from them."""

from __future__ import annotations

FORMAT_VERSION = 1

#: How many slowest tests a metrics file lists unless told otherwise (plugin, collect, combine, run).
DEFAULT_SLOWEST = 20

#: Outcome counts that make up `total` (deselected and reruns are reported beside it).
OUTCOME_KEYS: tuple[str, ...] = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")
COUNT_KEYS: tuple[str, ...] = (*OUTCOME_KEYS, "deselected", "reruns", "total")

#: Per-test outcome values in `tests[].outcome`.
TEST_OUTCOMES: tuple[str, ...] = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
#: Test outcomes that count against the failure rate.
FAILING_OUTCOMES: frozenset[str] = frozenset(("failed", "error"))
#: The phases a test entry's `duration` may hold (`collect` for a collector).
PHASES: tuple[str, ...] = ("setup", "call", "teardown", "collect")


#: What retries make of a test (`tests[].classification`): passed; failed on every attempt
#: (broken); failed, then passed on a retry (flaky).
CLASSIFICATIONS: tuple[str, ...] = ("passed", "failed", "flaky")
