"""Streams the test cases out of a pytest JUnit XML file, safely and in flat memory.

The file is read by `safe_xml.iter_events` (no DTD, so no entity declarations and no external
references) and every `<testcase>` is dropped from the tree once read, so a file of any size needs
memory for one test case at a time.
"""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmpgate.collect.safe_xml import CHUNK, iter_events
from mmpgate.errors import InputError, located

#: What a `<testcase>` child says about the test.
FAILURE, ERROR, SKIPPED = "failure", "error", "skipped"
_RESULT_TAGS = (FAILURE, ERROR, SKIPPED)
_INF = float("inf")


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
    #: Maven Surefire's rerun elements (mmpgate export writes them; pytest's writer does not):
    #: `<flakyFailure>` per failed run before a pass, `<rerunFailure>` messages per failed retry.
    flaky_failures: int = 0
    rerun_failures: tuple[str | None, ...] = ()


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
    from defusedxml.common import DefusedXmlException  # only `collect` needs defusedxml

    stack: list[Any] = []  # open elements
    where = _Where()
    try:
        for event, elem in iter_events(path):
            if event == "start":
                stack.append(elem)
                if elem.tag == "testsuite":
                    where.enter_suite(elem.tag, stack)
                elif len(stack) == 1 and elem.tag != "testsuites":
                    raise InputError(
                        located(
                            path,
                            f"/{elem.tag}",
                            "expected a JUnit XML root <testsuites> or <testsuite>",
                        )
                    )
                continue
            stack.pop()
            tag = elem.tag
            if tag == "testcase":
                where.case += 1
                yield _case(path, elem, where)
                if stack:
                    stack[-1].remove(elem)  # keep memory flat: the case is consumed
            elif tag == "testsuite":
                # Nested suites (not written by pytest) would count their time twice.
                if not any(parent.tag == "testsuite" for parent in stack):
                    _add_suite(path, elem, where.suite_path, suites)
                elem.clear()
    except DefusedXmlException as exc:
        raise InputError(
            located(path, "", f"expected JUnit XML without a DTD or entity declarations ({exc})")
        ) from exc
    except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
        raise InputError(_syntax_message(path, exc)) from exc
    if suites.count == 0:
        raise InputError(located(path, "/", "expected at least one <testsuite> element"))


class _Where:
    """Where the parser is, for error messages: built into a path only when one is needed."""

    __slots__ = ("case", "suite_path", "suites")

    def __init__(self) -> None:
        self.suites = 0
        self.case = 0
        self.suite_path = ""

    def enter_suite(self, tag: str, stack: list[Any]) -> None:
        self.suites += 1
        self.case = 0
        parents = "".join(f"/{parent.tag}" for parent in stack[:-1])
        self.suite_path = f"{parents}/{tag}[{self.suites}]"

    def case_path(self) -> str:
        return f"{self.suite_path}/testcase[{self.case}]"


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
        while chunk := handle.read(CHUNK):
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


def _float(path: Path, where: str | _Where, raw: str | None, name: str) -> float:
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value >= 0 and value != _INF:
        return value
    at = where if isinstance(where, str) else where.case_path()
    raise InputError(located(path, f"{at}/@{name}", f"expected a finite number >= 0, got {raw!r}"))


def _case(path: Path, elem: Any, where: _Where) -> Case:
    # An unnamed case is real: pytest writes `<testcase time="0.000" />` for the test that
    # pytest.exit() cut short. The tally leaves it out of the counts.
    name = elem.get("name") or ""
    line_raw = elem.get("line")
    line: int | None = None
    if line_raw is not None:
        try:
            line = int(line_raw)
        except ValueError:
            raise InputError(
                located(
                    path, f"{where.case_path()}/@line", f"expected an integer, got {line_raw!r}"
                )
            ) from None
    marks = (
        tuple(
            Mark(child.tag, child.get("type"), child.get("message"))
            for child in elem
            if child.tag in _RESULT_TAGS
        )
        if len(elem)
        else ()
    )
    flaky = sum(1 for child in elem if child.tag == "flakyFailure") if len(elem) else 0
    reruns = (
        tuple(child.get("message") for child in elem if child.tag == "rerunFailure")
        if len(elem)
        else ()
    )
    return Case(
        classname=elem.get("classname") or "",
        name=name,
        file=elem.get("file"),
        line=line,
        time=_float(path, where, elem.get("time"), "time"),
        marks=marks,
        flaky_failures=flaky,
        rerun_failures=reruns,
    )


def _add_suite(path: Path, elem: Any, where: str, suites: Suites) -> None:
    suites.count += 1
    suites.time += _float(path, where, elem.get("time"), "time")
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
