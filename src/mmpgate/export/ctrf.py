"""CTRF (Common Test Report Format) JSON of a run: one test object per test of every group.

The group is the test's `type`; `retries` / `retryAttempts` are real re-executions only
(pytest-rerunfailures reruns, `mmpgate run --retries` attempts), never parametrized cases; every
shard of a run carries the same `runId`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from mmpgate import __version__
from mmpgate.metrics.reading import GroupDocument, entry_seconds, is_collector, is_flaky

SPEC_VERSION = "0.0.0"
#: Namespace of mmpgate's name-based UUIDs (testId, runId from a commit, reportId).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "mmpgate")
STATUS = {
    "passed": "passed",
    "failed": "failed",
    "error": "failed",
    "skipped": "skipped",
    "xfailed": "other",
    "xpassed": "other",
}


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _epoch_ms(text: str | None) -> int | None:
    if not text:
        return None
    return round(datetime.datetime.fromisoformat(text).timestamp() * 1000)


def run_id(documents: Iterable[GroupDocument], env: Mapping[str, str], given: str | None) -> str:
    """`--run-id`, else the Actions run (shared by every job of it), else the git commit."""
    if given:
        return given
    if env.get("GITHUB_RUN_ID"):
        repository = env.get("GITHUB_REPOSITORY", "")
        return f"{repository}/{env['GITHUB_RUN_ID']}/{env.get('GITHUB_RUN_ATTEMPT', '1')}"
    commits = {(d.data.get("environment") or {}).get("git_commit") for d in documents} - {None}
    if len(commits) == 1:
        return str(uuid.uuid5(NAMESPACE, f"commit:{commits.pop()}"))
    return str(uuid.uuid4())


def _attempts(entry: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The final status and the attempts before it."""
    outcome = entry["outcome"]
    retried = entry.get("attempts") or []
    if retried:  # mmpgate's retries: the first run, then each attempt; the last one is final
        runs = [{"outcome": outcome, "message": entry.get("message")}, *retried]
        final = runs[-1]["outcome"]
        earlier = runs[:-1]
    else:  # pytest-rerunfailures: every rerun was a failed attempt before the final outcome
        final = outcome
        earlier = [{"outcome": "failed", "message": None}] * int(entry.get("reruns", 0))
    attempts = []
    for number, run in enumerate(earlier, start=1):
        attempt: dict[str, Any] = {"attempt": number, "status": STATUS[run["outcome"]]}
        if run.get("duration") is not None:
            attempt["duration"] = _ms(float(run["duration"]))
        if run.get("message"):
            attempt["message"] = run["message"]
        attempts.append(attempt)
    return final, attempts


def ctrf_test(group: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    """One CTRF test object."""
    nodeid = entry["nodeid"]
    final, attempts = _attempts(entry)
    parts = nodeid.split("::")
    test: dict[str, Any] = {
        "name": nodeid,
        "testId": str(uuid.uuid5(NAMESPACE, f"test:{group}:{nodeid}")),
        "status": STATUS[final],
        "rawStatus": entry["outcome"]
        if final == entry["outcome"]
        else f"{entry['outcome']}, then {final}",
        "duration": _ms(entry_seconds(entry)),
        "type": group,
        "filePath": parts[0],
        "suite": parts[:-1] if len(parts) > 1 else [parts[0]],
        "flaky": is_flaky(entry),
        "retries": len(attempts),
    }
    if attempts:
        test["retryAttempts"] = attempts
    if entry.get("line") is not None:
        test["line"] = int(entry["line"])
    message = entry.get("message") if final == entry["outcome"] else None
    if message:
        test["message"] = message
    if is_collector(entry):
        test["tags"] = ["collection"]
    if entry.get("evidence"):
        test["extra"] = {"evidence": entry["evidence"]}
    return test


def ctrf_document(
    documents: Iterable[GroupDocument], env: Mapping[str, str], given_run_id: str | None = None
) -> dict[str, Any]:
    """The CTRF report of every group document (read once; shards become one report)."""
    docs = list(documents)
    tests = [ctrf_test(d.group, entry) for d in docs for entry in d.data["tests"]]
    summary: dict[str, Any] = dict.fromkeys(("passed", "failed", "skipped", "pending", "other"), 0)
    for test in tests:
        summary[test["status"]] += 1
    envs = [d.data.get("environment") or {} for d in docs]
    starts = [s for s in (_epoch_ms(e.get("started")) for e in envs) if s is not None]
    stops = [s for s in (_epoch_ms(e.get("finished")) for e in envs) if s is not None]
    start = min(starts) if starts else 0
    stop = (
        max(stops) if stops else start + _ms(sum(float(d.data["duration"]["wall"]) for d in docs))
    )
    summary.update(
        tests=len(tests),
        flaky=sum(1 for t in tests if t["flaky"]),
        suites=len({d.group for d in docs}),
        start=start,
        stop=stop,
        duration=_ms(sum(float(d.data["duration"]["wall"]) for d in docs)),
    )
    first = envs[0] if envs else {}
    environment: dict[str, Any] = {"osPlatform": str(first.get("platform", ""))}
    if first.get("git_commit"):
        environment["commit"] = str(first["git_commit"])
    shards = sorted({d.shard for d in docs if d.shard is not None})
    if len(shards) == 1:
        environment["shardId"] = shards[0]
    rid = run_id(docs, env, given_run_id)
    report: dict[str, Any] = {
        "reportFormat": "CTRF",
        "specVersion": SPEC_VERSION,
        "reportId": str(uuid.uuid5(NAMESPACE, f"report:{rid}:{[str(d.path.name) for d in docs]}")),
        "runId": rid,
        "generatedBy": f"mmpgate {__version__}",
        "results": {
            "tool": {"name": "pytest", "version": str(first.get("pytest", ""))},
            "summary": summary,
            "tests": tests,
            "environment": environment,
        },
    }
    if stops:
        report["timestamp"] = datetime.datetime.fromtimestamp(
            max(stops) / 1000, tz=datetime.timezone.utc
        ).isoformat()
    return report
