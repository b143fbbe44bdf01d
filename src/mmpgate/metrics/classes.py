"""What a test entry of a metrics file says about the test: passed, failed, flaky or skipped.

The one home of the rule: `classification` when retries wrote one; a test pytest-rerunfailures
passed after a rerun is flaky (it failed, then passed); otherwise the first-run outcome decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_BY_OUTCOME = {
    "passed": "passed",
    "xpassed": "passed",
    "failed": "failed",
    "error": "failed",
    "skipped": "skipped",
    "xfailed": "skipped",
}


def status_of(entry: Mapping[str, Any]) -> str:
    """'passed', 'failed' (broken, or not retried), 'flaky' or 'skipped' (also xfailed)."""
    classification = entry.get("classification")
    if classification is not None:
        return str(classification)
    outcome = _BY_OUTCOME[entry["outcome"]]
    if outcome == "passed" and entry.get("reruns"):
        return "flaky"
    return outcome


def flaky_evidence(entry: Mapping[str, Any]) -> str | None:
    """Why a flaky entry is flaky, in words."""
    if "classification" in entry:
        evidence = entry.get("evidence")
        return None if evidence is None else str(evidence)
    return f"passed after {entry['reruns']} pytest-rerunfailures rerun(s)"
