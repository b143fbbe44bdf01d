"""The gate's fast read of a metrics file: typed decoding that validates the entries while parsing.

`tests[]` is decoded straight into compact structs whose types mirror the schema's `$defs/test`
(msgspec), so no dict per test is built and no second pass checks them; the rest of the document
(small) goes through the same schema and arithmetic checks as `load_metrics`. The fast path only
ever accepts: whatever it does not vouch for (a decode or type error, an unusual number, deep
nesting, a repeated key, an unreadable or special file) is read again by `load_metrics`, the one
owner of every error message, which then accepts or refuses the file exactly as before.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from mmpgate.config.schemas import METRICS, validate
from mmpgate.metrics import io as metrics_io
from mmpgate.metrics.format import FORMAT_VERSION

#: Non-negative seconds; JSON Schema's "number" (an integer is accepted as a float).
_Seconds = Annotated[float, msgspec.Meta(ge=0)]
#: Integers beyond 64 bits go to the exact path, which owns the rules on long numbers.
_Int = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
_Count = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Outcome = Literal["passed", "failed", "error", "skipped", "xfailed", "xpassed"]
Phase = Literal["setup", "call", "teardown", "collect"]
Classification = Literal["passed", "failed", "flaky"]
#: Raw text the fast path leaves to the exact one: a run of 64 digits or more (the exact path
#: owns the limits on long numbers) and escapes of `0`-`?` (`\u003a` is a colon the key count
#: below would not see). Checked with `bytes.translate` + `find`: a regex is 50x slower here.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 64
_ESCAPED_COLON = b"\\u003"
#: The schema's documents are shallow; anything nested deeper is for the exact path to judge.
_MAX_HEAD_DEPTH = 8


class Attempt(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One retry by `mmpgate run --retries` of a test (`attempts[]` of an entry)."""

    outcome: Outcome
    duration: _Seconds
    message: str | msgspec.UnsetType | None = msgspec.UNSET


class Entry(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One `tests[]` entry, typed as the schema's `$defs/test` (optional keys stay UNSET)."""

    nodeid: str
    outcome: Outcome
    duration: dict[Phase, _Seconds]
    reruns: _Count | msgspec.UnsetType = msgspec.UNSET
    message: str | msgspec.UnsetType | None = msgspec.UNSET
    line: _Int | msgspec.UnsetType | None = msgspec.UNSET
    attempts: list[Attempt] | msgspec.UnsetType = msgspec.UNSET
    classification: Classification | msgspec.UnsetType = msgspec.UNSET
    evidence: str | msgspec.UnsetType | None = msgspec.UNSET


class _Document(msgspec.Struct, forbid_unknown_fields=True):
    """A metrics file with typed entries; every other key is checked by the schema afterwards."""

    tests: list[Entry]
    format: Any = msgspec.UNSET
    kind: Any = msgspec.UNSET
    group: Any = msgspec.UNSET
    complete: Any = msgspec.UNSET
    stopped_early: Any = msgspec.UNSET
    interrupted: Any = msgspec.UNSET
    empty: Any = msgspec.UNSET
    exit_status: Any = msgspec.UNSET
    reason: Any = msgspec.UNSET
    collected: Any = msgspec.UNSET
    counts: Any = msgspec.UNSET
    rates: Any = msgspec.UNSET
    duration: Any = msgspec.UNSET
    slowest: Any = msgspec.UNSET
    coverage: Any = msgspec.UNSET
    environment: Any = msgspec.UNSET
    source: Any = msgspec.UNSET
    groups: Any = msgspec.UNSET


_HEAD_KEYS = tuple(name for name in _Document.__struct_fields__ if name != "tests")
_DECODER = msgspec.json.Decoder(_Document)


class Fallback(Exception):
    """The fast path does not vouch for this file: read it with `load_metrics`."""


def decode(path: Path) -> tuple[dict[str, Any], list[Entry]]:
    """The validated head (every key but `tests`) and the typed entries of one metrics file.

    Raises Fallback for anything the exact path must judge, InputError for a head the schema
    or the arithmetic refuses (the same line `load_metrics` gives).
    """
    from mmpgate.metrics.io import check_arithmetic

    raw = _read(path)
    if raw.find(_ESCAPED_COLON) >= 0 or raw.translate(_DIGITS_AS_ZERO).find(_LONG_NUMBER) >= 0:
        raise Fallback
    try:
        document = _DECODER.decode(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        raise Fallback from None
    head = {
        key: value for key in _HEAD_KEYS if (value := getattr(document, key)) is not msgspec.UNSET
    }
    keys = _head_keys(head) + sum(map(_entry_keys, document.tests))
    if raw.count(b":") != keys:
        raise Fallback  # a repeated key: the decoder kept one of them silently
    version = head.get("format")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise Fallback  # the exact path names the version problem first
    validate({**head, "tests": []}, METRICS, file=path)
    check_arithmetic(head, path)
    return head, document.tests


def _read(path: Path) -> bytes:
    try:
        info = path.stat()
        # The exact path's limit (one home: metrics.io); a larger file is its to refuse.
        limit = metrics_io.MAX_JSON_BYTES
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise Fallback
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError:
        raise Fallback from None


def _entry_keys(entry: Entry) -> int:
    """Colons one entry accounts for: one per key, plus those inside its strings."""
    unset = msgspec.UNSET
    count = 3 + len(entry.duration) + entry.nodeid.count(":")
    if entry.reruns is not unset:
        count += 1
    if entry.line is not unset:
        count += 1
    message = entry.message
    if message is not unset:
        count += 1 + (message.count(":") if message else 0)
    if entry.classification is not unset:
        count += 1
    evidence = entry.evidence
    if evidence is not unset:
        count += 1 + (evidence.count(":") if evidence else 0)
    attempts = entry.attempts
    if attempts is not unset:
        count += 1
        for attempt in attempts:
            count += 2
            if attempt.message is not unset:
                count += 1 + (attempt.message.count(":") if attempt.message else 0)
    return count


def _as_dict(entry: Entry) -> dict[str, Any]:
    """A rerun or retried entry as the document holds it (UNSET keys left out), for `status_of`."""
    document = msgspec.to_builtins(entry)
    assert isinstance(document, dict)
    return document


def _head_keys(head: dict[str, Any]) -> int:
    """Colons the head accounts for (the `tests` key included); Fallback when nested deeply."""
    count = 1
    for key, value in head.items():
        count += 1 + key.count(":") + _colons(value, 1)
    return count


def _colons(value: object, depth: int) -> int:
    if depth > _MAX_HEAD_DEPTH:
        raise Fallback
    if isinstance(value, str):
        return value.count(":")
    if isinstance(value, dict):
        return sum(1 + key.count(":") + _colons(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return sum(_colons(item, depth + 1) for item in value)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise Fallback
    return 0


def entry_rows(
    entries: list[Entry],
) -> Iterator[
    tuple[str, str, Mapping[Phase, float], str | None, int | None, dict[str, Any] | None]
]:
    """(nodeid, outcome, phases, message, line, retried) of each entry, as the gate's reduction
    reads them; `retried` is the entry as a dict when it was rerun or retried, else None."""
    unset = msgspec.UNSET
    for entry in entries:
        message, line, reruns = entry.message, entry.line, entry.reruns
        retried = (reruns is not unset and reruns > 0) or entry.classification is not unset
        yield (
            entry.nodeid,
            entry.outcome,
            entry.duration,
            None if message is unset else message,
            None if line is unset else line,
            _as_dict(entry) if retried else None,
        )
