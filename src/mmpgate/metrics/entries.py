"""The check of a metrics file's `tests[]` entries against `$defs/test`, by hand.

A generic JSON Schema validator spends ~30x the parse time on 100,000 `tests[]` entries, so
`metrics_io.load_metrics` validates the document against the schema without its `tests` array and
each entry is checked here. A property test holds this check equal to the schema's verdict.
"""

from __future__ import annotations

from typing import Any

from mmpgate.errors import InputError, located
from mmpgate.metrics.format import PHASES, TEST_OUTCOMES

_TEST_KEYS = frozenset(("nodeid", "outcome", "duration", "reruns", "message", "line"))
#: Written by `mmpgate run --retries` on retried tests only; checked outside the common case.
_RETRY_KEYS = frozenset(("attempts", "classification", "evidence"))
_ALL_KEYS = _TEST_KEYS | _RETRY_KEYS
_ATTEMPT_KEYS = frozenset(("outcome", "duration", "message"))
_REQUIRED = ("nodeid", "outcome", "duration")
_PHASES = frozenset(PHASES)
_OUTCOMES = frozenset(TEST_OUTCOMES)
_OUTCOMES_TEXT = {outcome: True for outcome in TEST_OUTCOMES}
_REQUIRED_SET = frozenset(_REQUIRED)


def _is_number(value: object) -> bool:
    return (type(value) is float or type(value) is int) and value >= 0


def _is_integer(value: object) -> bool:
    # JSON Schema's "integer" also admits 2.0.
    return type(value) is int or (type(value) is float and value.is_integer())


def _common_case(entry: Any) -> bool:
    # The shape the plugin writes (ints for reruns/line, floats for phases), checked in one
    # expression; anything else goes through `entry_problem`, which decides exactly.
    if (
        type(entry) is not dict
        or not _TEST_KEYS.issuperset(entry)
        or not entry.keys() >= _REQUIRED_SET
    ):
        return False
    duration = entry["duration"]
    reruns, message, line = entry.get("reruns", 0), entry.get("message"), entry.get("line")
    return (
        type(entry["nodeid"]) is str
        and type(entry["outcome"]) is str
        and entry["outcome"] in _OUTCOMES_TEXT
        and type(duration) is dict
        and _PHASES.issuperset(duration)
        and all(type(v) is float and v >= 0 for v in duration.values())
        and type(reruns) is int
        and reruns >= 0
        and (message is None or type(message) is str)
        and (line is None or type(line) is int)
    )


def check_tests(tests: list[Any], path: object) -> None:
    """Raise InputError at the first `tests[i]` that `$defs/test` of the schema would refuse."""
    for index, entry in enumerate(tests):
        if _common_case(entry):
            continue
        problem = entry_problem(entry)
        if problem is not None:
            where, message = problem
            raise InputError(located(path, f"$.tests[{index}]{where}", message))


def entry_problem(entry: Any) -> tuple[str, str] | None:
    """(JSON path suffix, expectation) of the first problem of one entry, or None when valid."""
    if type(entry) is not dict:
        return "", f"expected an object, got {entry!r:.60}"
    for key in _REQUIRED:
        if key not in entry:
            return "", f"missing key: '{key}' is a required property"
    if not _ALL_KEYS.issuperset(entry):
        extra = sorted(set(entry) - _ALL_KEYS)
        return "", f"unexpected key: {extra[0]!r}"
    if type(entry["nodeid"]) is not str:
        return ".nodeid", f"expected a string, got {entry['nodeid']!r:.60}"
    if type(entry["outcome"]) is not str or entry["outcome"] not in _OUTCOMES:
        return (
            ".outcome",
            f"expected one of {', '.join(TEST_OUTCOMES)}, got {entry['outcome']!r:.60}",
        )
    duration = entry["duration"]
    if type(duration) is not dict:
        return ".duration", f"expected an object, got {duration!r:.60}"
    for phase, seconds in duration.items():
        if phase not in _PHASES:
            return ".duration", f"unexpected key: {phase!r}"
        if not _is_number(seconds):
            return f".duration.{phase}", f"expected a number of 0 or more, got {seconds!r:.60}"
    if "reruns" in entry and not (_is_integer(entry["reruns"]) and entry["reruns"] >= 0):
        return ".reruns", f"expected an integer of 0 or more, got {entry['reruns']!r:.60}"
    message = entry.get("message")
    if message is not None and type(message) is not str:
        return ".message", f"expected a string or null, got {message!r:.60}"
    line = entry.get("line")
    if line is not None and not _is_integer(line):
        return ".line", f"expected an integer or null, got {line!r:.60}"
    return _retry_problem(entry)


def _retry_problem(entry: dict[str, Any]) -> tuple[str, str] | None:
    from mmpgate.metrics.format import CLASSIFICATIONS

    classification = entry.get("classification", "passed")
    if type(classification) is not str or classification not in CLASSIFICATIONS:
        return (
            ".classification",
            f"expected one of {', '.join(CLASSIFICATIONS)}, got {entry['classification']!r:.60}",
        )
    evidence = entry.get("evidence")
    if evidence is not None and type(evidence) is not str:
        return ".evidence", f"expected a string or null, got {evidence!r:.60}"
    if "attempts" not in entry:
        return None
    attempts = entry["attempts"]
    if type(attempts) is not list:
        return ".attempts", f"expected a list, got {attempts!r:.60}"
    for index, attempt in enumerate(attempts):
        where = f".attempts[{index}]"
        if type(attempt) is not dict:
            return where, f"expected an object, got {attempt!r:.60}"
        for key in ("outcome", "duration"):
            if key not in attempt:
                return where, f"missing key: '{key}' is a required property"
        if not _ATTEMPT_KEYS.issuperset(attempt):
            return where, f"unexpected key: {sorted(set(attempt) - _ATTEMPT_KEYS)[0]!r}"
        if type(attempt["outcome"]) is not str or attempt["outcome"] not in _OUTCOMES:
            return (
                f"{where}.outcome",
                f"expected one of {', '.join(TEST_OUTCOMES)}, got {attempt['outcome']!r:.60}",
            )
        if not _is_number(attempt["duration"]):
            return (
                f"{where}.duration",
                f"expected a number of 0 or more, got {attempt['duration']!r:.60}",
            )
        message = attempt.get("message")
        if message is not None and type(message) is not str:
            return f"{where}.message", f"expected a string or null, got {message!r:.60}"
    return None
