"""Streams the test cases out of a pytest JUnit XML file, safely and in flat memory.

The file is read with defusedxml's `iterparse` (no DTD, no entity declarations, no external
references) and every `<testcase>` is dropped from the tree once read, so a file of any size needs
memory for one test case at a time.
"""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, located

#: What a `<testcase>` child says about the test.
FAILURE, ERROR, SKIPPED = "failure", "error", "skipped"
_RESULT_TAGS = (FAILURE, ERROR, SKIPPED)
_CHUNK = 1 << 16


@dataclasses.dataclass(frozen=True, slots=True)
class Mark:
    """One `<failure>`, `<error>` or `<skipped>` child of a test case."""

    tag: str
    type: str | None
    message: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Case:
    """One `<testcase>` element."""

    classname: str
    name: str
    file: str | None
    line: int | None
    time: float
    marks: tuple[Mark, ...]
    where: str


@dataclasses.dataclass(slots=True)
class Suites:
    """What the `<testsuite>` elements declare, summed over every suite in the file."""

    count: int = 0
    time: float = 0.0
    timestamp: str | None = None
    declared: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"failures": 0, "errors": 0, "skipped": 0}
    )


def read_cases(path: Path, suites: Suites) -> Iterator[Case]:
    """Yield each test case in file order; fill `suites` as suites end. Raises InputError."""
    _check_file(path)
    from defusedxml import ElementTree  # only `collect` needs it
    from defusedxml.common import DefusedXmlException

    # Paths of open elements (tag, index among same-tag siblings) for error messages.
    stack: list[Any] = []
    counters: list[dict[str, int]] = [{}]
    try:
        parser = ElementTree.DefusedXMLParser(forbid_dtd=True)
        for event, elem in ElementTree.iterparse(str(path), events=("start", "end"), parser=parser):
            if event == "start":
                siblings = counters[-1]
                siblings[elem.tag] = siblings.get(elem.tag, 0) + 1
                stack.append((elem, f"{elem.tag}[{siblings[elem.tag]}]"))
                counters.append({})
                if len(stack) == 1 and elem.tag not in ("testsuites", "testsuite"):
                    raise InputError(
                        located(
                            path,
                            f"/{elem.tag}",
                            "expected a JUnit XML root <testsuites> or <testsuite>",
                        )
                    )
                continue
            if elem.tag == "testcase":
                yield _case(path, elem, _where(stack))
                stack.pop()
                if stack:
                    stack[-1][0].remove(elem)  # keep memory flat: the case is consumed
            elif elem.tag == "testsuite":
                where = _where(stack)
                stack.pop()
                # Nested suites (not written by pytest) would count their time twice.
                if not any(parent.tag == "testsuite" for parent, _part in stack):
                    _add_suite(path, elem, where, suites)
                elem.clear()
            else:
                stack.pop()
            counters.pop()
    except DefusedXmlException as exc:
        raise InputError(
            located(path, "", f"expected JUnit XML without a DTD or entity declarations ({exc})")
        ) from exc
    except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
        raise InputError(_syntax_message(path, exc)) from exc
    if suites.count == 0:
        raise InputError(located(path, "/", "expected at least one <testsuite> element"))


def _where(stack: list[Any]) -> str:
    return "/" + "/".join(part for _elem, part in stack)


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise InputError(located(path, "", "expected a JUnit XML file, found a directory"))
    if not path.is_file():
        raise InputError(located(path, "", "file not found"))
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(located(path, "", f"cannot be read ({exc.strerror})")) from exc


def _syntax_message(path: Path, exc: SyntaxError) -> str:
    position = getattr(exc, "position", None)
    where = f"line {position[0]} column {position[1] + 1}" if position else ""
    bad_byte = _first_non_utf8_byte(path)
    if bad_byte is not None:
        return located(path, where, f"expected UTF-8 text, byte {bad_byte} is not")
    reason = str(exc).split(":", 1)[0]
    if "no element found" in reason:
        return located(path, where, "expected well-formed XML, the file ends early (truncated?)")
    return located(path, where, f"expected well-formed XML ({reason})")


def _first_non_utf8_byte(path: Path) -> int | None:
    """Offset of the first byte that is not UTF-8, streamed; None when the file is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return offset + exc.start
    return None


def _float(path: Path, where: str, elem: Any, name: str) -> float:
    raw = elem.get(name)
    if raw is None or raw == "":
        return 0.0
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        raise InputError(
            located(path, f"{where}/@{name}", f"expected a number, got {raw!r}")
        ) from None
    if not value >= 0 or value == float("inf"):
        raise InputError(
            located(path, f"{where}/@{name}", f"expected a finite number >= 0, got {raw!r}")
        )
    return value


def _case(path: Path, elem: Any, where: str) -> Case:
    name = elem.get("name")
    if not name:
        raise InputError(located(path, f"{where}/@name", "expected a non-empty test case name"))
    line_raw = elem.get("line")
    line: int | None = None
    if line_raw is not None:
        try:
            line = int(line_raw)
        except ValueError:
            raise InputError(
                located(path, f"{where}/@line", f"expected an integer, got {line_raw!r}")
            ) from None
    marks = tuple(
        Mark(child.tag, child.get("type"), child.get("message"))
        for child in elem
        if child.tag in _RESULT_TAGS
    )
    return Case(
        classname=elem.get("classname") or "",
        name=name,
        file=elem.get("file"),
        line=line,
        time=_float(path, where, elem, "time"),
        marks=marks,
        where=where,
    )


def _add_suite(path: Path, elem: Any, where: str, suites: Suites) -> None:
    suites.count += 1
    suites.time += _float(path, where, elem, "time")
    if suites.timestamp is None:
        suites.timestamp = elem.get("timestamp")
    for key in suites.declared:
        raw = elem.get(key)
        if raw is None:
            continue
        try:
            suites.declared[key] += int(raw)
        except ValueError:
            raise InputError(
                located(path, f"{where}/@{key}", f"expected an integer, got {raw!r}")
            ) from None
