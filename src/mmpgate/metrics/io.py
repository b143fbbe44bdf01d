"""Reading metrics files: strict reads that never accept partial data (writes: `metrics.writing`)."""

from __future__ import annotations

import errno
import json
import math
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mmpgate.config.schemas import METRICS, validate
from mmpgate.errors import InputError, located
from mmpgate.metrics.entries import check_tests
from mmpgate.metrics.format import FORMAT_VERSION, OUTCOME_KEYS

if TYPE_CHECKING:
    from mmpgate.metrics.document import MetricsDocument

RATE_TOLERANCE = 1e-6


#: Limits on a metrics file (documented in the README's reliability section). 200,000 tests make
#: about 40 MB; a file over the size limit, nested deeper or holding longer numbers is refused.
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_NUMBER_DIGITS = 400
#: Text that may hold a non-finite or over-long number: only then do the slower checking hooks run.
_SUSPECT_NUMBER = re.compile(rb"[eE][+-]?[0-9]{3}|[0-9]{%d}" % (MAX_NUMBER_DIGITS + 1))
_NESTING = re.compile(rb"[\[{]{%d}" % MAX_JSON_DEPTH)


def read_regular(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; every other case is one InputError."""
    try:
        info = path.stat()
    except FileNotFoundError:
        message = (
            "is a symbolic link to a missing file" if path.is_symlink() else f"{what} not found"
        )
        raise InputError(located(path, "", message)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(located(path, "", "is a symbolic link loop")) from None
        raise InputError(located(path, "", f"cannot be read ({exc.strerror})")) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(located(path, "", f"expected a {what}, found a directory"))
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            located(path, "", f"expected a regular {what}, found a {_file_kind(info.st_mode)}")
        )
    if info.st_size > limit:
        raise InputError(
            located(
                path,
                "",
                f"expected at most {limit // (1024 * 1024)} MiB, the file has {info.st_size} bytes",
            )
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(located(path, "", f"cannot be read ({exc.strerror})")) from None
    if len(raw) > limit:
        raise InputError(located(path, "", f"expected at most {limit // (1024 * 1024)} MiB"))
    return raw


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
    )
    return next((name for test, name in kinds if test(mode)), "special file")


def read_json(path: Path) -> Any:
    """Parse a JSON file; every failure is one InputError line naming the file."""
    raw = read_regular(path, MAX_JSON_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            located(path, "", f"expected UTF-8 text, byte {exc.start} is not")
        ) from exc
    if not text or text.isspace():
        raise InputError(located(path, "$", "expected a JSON document, the file is empty"))
    deep = _NESTING.search(raw)
    if deep is not None:
        raise InputError(
            located(
                path,
                _line_column(text, deep.start()),
                f"expected JSON nested at most {MAX_JSON_DEPTH} deep",
            )
        )
    checked = _SUSPECT_NUMBER.search(raw) is not None
    try:
        if checked:
            return json.loads(
                text,
                parse_constant=_reject_constant,
                parse_float=_finite_float,
                parse_int=_bounded_int,
                object_pairs_hook=_unique_keys,
            )
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(
            located(
                path, f"line {exc.lineno} column {exc.colno}", f"expected valid JSON ({exc.msg})"
            )
        ) from exc
    except _BadNumber as exc:
        where = _line_column(text, text.find(exc.token)) if exc.token else "$"
        raise InputError(located(path, where, str(exc))) from None
    except _DuplicateKey as exc:
        found = list(re.finditer(re.escape(json.dumps(exc.key)) + r"\s*:", text))
        where = _line_column(text, found[1].start()) if len(found) > 1 else "$"
        raise InputError(located(path, where, str(exc))) from None
    except RecursionError:
        raise InputError(
            located(path, "$", f"expected JSON nested at most {MAX_JSON_DEPTH} deep")
        ) from None
    except ValueError:  # Python's own integer digit limit; the hooks above normally come first
        raise InputError(
            located(path, "$", f"expected numbers of at most {MAX_NUMBER_DIGITS} digits")
        ) from None


def _line_column(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line} column {column}"


class _BadNumber(ValueError):
    def __init__(self, message: str, token: str) -> None:
        super().__init__(message)
        self.token = token


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"expected each key once in an object, {key!r} is repeated")
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Duplicate keys are refused: JSON parsers disagree on which one wins."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return document


def _reject_constant(name: str) -> Any:
    raise _BadNumber(f"expected a finite number, found {name}", name)


def _finite_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _BadNumber(f"expected a number of at most {MAX_NUMBER_DIGITS} characters", text)
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"expected a finite number, found {text} (beyond a double)", text)
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _BadNumber(
            f"expected an integer of at most {MAX_NUMBER_DIGITS} digits, found {len(text)}", text
        )
    return int(text)


def load_metrics(path: Path) -> MetricsDocument:
    """Read, check the format version, validate against the schema and check the arithmetic."""
    try:
        return _load_metrics(path)
    except RecursionError:  # nesting the bracket scan cannot see (`{"a": {"a": ...`)
        raise InputError(
            located(path, "$", f"expected JSON nested at most {MAX_JSON_DEPTH} deep")
        ) from None


def _load_metrics(path: Path) -> MetricsDocument:
    document = read_json(path)
    if not isinstance(document, dict):
        raise InputError(located(path, "$", f"expected an object, got {type(document).__name__}"))
    version = document.get("format")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise InputError(
            located(path, "$.format", f"expected format version {FORMAT_VERSION}, got {version!r}")
        )
    tests = document.get("tests")
    if isinstance(tests, list):
        # The entries are checked by hand: a generic validator costs ~30x the parse on big files.
        validate({**document, "tests": []}, METRICS, file=path)
        check_tests(tests, path)
    else:
        validate(document, METRICS, file=path)
    check_arithmetic(document, path)
    return cast("MetricsDocument", document)


def check_arithmetic(document: dict[str, Any], path: object) -> None:
    """Counts must add up and rates must follow from them: a hand-edited file is refused."""
    counts = document["counts"]
    total = sum(counts[key] for key in OUTCOME_KEYS)
    if counts["total"] != total:
        raise InputError(
            located(
                path,
                "$.counts.total",
                f"expected {total} (the sum of the outcome counts), got {counts['total']}",
            )
        )
    if document["empty"] != (total == 0):
        raise InputError(located(path, "$.empty", f"expected {total == 0} for total {total}"))
    expected = {
        "failure": (counts["failed"] + counts["errors"]) / total if total else None,
        "skip": counts["skipped"] / total if total else None,
    }
    for key, want in expected.items():
        got = document["rates"][key]
        if (want is None) != (got is None) or (
            want is not None and not math.isclose(got, want, abs_tol=RATE_TOLERANCE)
        ):
            raise InputError(
                located(path, f"$.rates.{key}", f"expected {want!r} from the counts, got {got!r}")
            )
