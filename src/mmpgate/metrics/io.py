"""Reading and writing metrics files: atomic writes, strict reads that never accept partial data."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mmpgate.config.schemas import METRICS, validate
from mmpgate.errors import InputError, located
from mmpgate.metrics.entries import check_tests
from mmpgate.metrics.format import FORMAT_VERSION, OUTCOME_KEYS

if TYPE_CHECKING:
    from mmpgate.metrics.document import MetricsDocument

RATE_TOLERANCE = 1e-6


_ENTRY_ENCODER = json.JSONEncoder(sort_keys=True, allow_nan=False)
_TESTS_PLACEHOLDER = "\x00tests\x00"


def dumps(document: Mapping[str, Any]) -> str:
    """Deterministic JSON text: indented, with one `tests[]` entry per line.

    `indent=2` forces the pure-Python encoder; the entries (most of a large file) go through the
    C encoder one line each instead, three times faster on 200,000 tests.
    """
    tests = document.get("tests")
    if not isinstance(tests, list) or not tests:
        return json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n"
    head = json.dumps(
        {**document, "tests": _TESTS_PLACEHOLDER}, indent=2, sort_keys=True, allow_nan=False
    )
    body = ",\n".join(f"    {_ENTRY_ENCODER.encode(entry)}" for entry in tests)
    marker = json.dumps(_TESTS_PLACEHOLDER)
    if head.count(marker) != 1:  # a string elsewhere holds the marker: take the slow path
        return json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n"
    return head.replace(marker, f"[\n{body}\n  ]", 1) + "\n"


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Write atomically: readers see the old file or the whole new one, never a partial one."""
    write_text(path, dumps(document))


def write_text(path: Path, text: str) -> None:
    """Write text atomically (temp file + rename in the same directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_json(path: Path) -> Any:
    """Parse a JSON file; every failure is one InputError line naming the file."""
    if path.is_dir():
        raise InputError(located(path, "", "expected a file, found a directory"))
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(located(path, "", "file not found")) from exc
    except OSError as exc:
        raise InputError(located(path, "", f"cannot be read ({exc.strerror})")) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            located(path, "", f"expected UTF-8 text, byte {exc.start} is not")
        ) from exc
    if not text or text.isspace():
        raise InputError(located(path, "$", "expected a JSON document, the file is empty"))
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            located(
                path, f"line {exc.lineno} column {exc.colno}", f"expected valid JSON ({exc.msg})"
            )
        ) from exc
    except ValueError as exc:
        raise InputError(located(path, "$", str(exc))) from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"expected a finite number, found {name}")


def load_metrics(path: Path) -> MetricsDocument:
    """Read, check the format version, validate against the schema and check the arithmetic."""
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
