"""One JUnit XML of every group: a `<testsuite>` per group (its shards merged), `file` and `line`.

pytest's own JUnit writer names no file for a test (unless `junit_family=xunit1`) and drops rerun
attempts; here every `<testcase>` has `file` and a 1-based `line`, and failed attempts before a
pass are written as Maven Surefire's `<flakyFailure>` / `<rerunFailure>` elements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from mmpgate.metrics.format import FAILING_OUTCOMES
from mmpgate.metrics.reading import GroupDocument, entry_seconds

#: Characters XML 1.0 cannot hold at all (test messages can contain them).
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID.sub("\N{REPLACEMENT CHARACTER}", text)


def _attr(value: object) -> str:
    return quoteattr(_clean(str(value)))


def _names(nodeid: str) -> tuple[str, str, str]:
    """(file, classname, name) of a node id, named the way pytest's writer names them."""
    path, _, rest = nodeid.partition("::")
    parts = rest.split("::") if rest else []
    module = path.removesuffix(".py").replace("/", ".")
    classname = ".".join([module, *parts[:-1]])
    return path, classname, parts[-1] if parts else path


def _case(entry: Mapping[str, Any]) -> str:
    file, classname, name = _names(entry["nodeid"])
    head = (
        f"<testcase classname={_attr(classname)} name={_attr(name)} file={_attr(file)}"
        + (f" line={_attr(entry['line'])}" if entry.get("line") is not None else "")
        + f' time="{entry_seconds(entry):.3f}"'
    )
    message = _clean(entry.get("message") or "")
    body = []
    outcome = entry["outcome"]
    if outcome == "failed":
        body.append(f"<failure message={_attr(message)}>{escape(message)}</failure>")
    elif outcome == "error":
        body.append(f"<error message={_attr(message)}>{escape(message)}</error>")
    elif outcome in ("skipped", "xfailed"):
        body.append(f"<skipped type={_attr('pytest.' + outcome)} message={_attr(message)}/>")
    for attempt in entry.get("attempts") or []:
        if attempt["outcome"] in FAILING_OUTCOMES:
            text = _clean(attempt.get("message") or "")
            body.append(f"<rerunFailure message={_attr(text)}>{escape(text)}</rerunFailure>")
    if outcome == "passed":
        body += ['<flakyFailure message="failed before a rerun passed"/>'] * int(
            entry.get("reruns", 0)
        )
    return head + (">" + "".join(body) + "</testcase>" if body else "/>")


def junit_xml(documents: Iterable[GroupDocument]) -> str:
    """The merged JUnit XML text."""
    suites: dict[str, dict[str, Any]] = {}
    for document in documents:
        suite = suites.setdefault(
            document.group,
            {"cases": [], "tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0},
        )
        counts = document.data["counts"]
        suite["tests"] += counts["total"]
        suite["failures"] += counts["failed"]
        suite["errors"] += counts["errors"]
        suite["skipped"] += counts["skipped"] + counts["xfailed"]
        suite["time"] += float(document.data["duration"]["wall"])
        suite["cases"] += [_case(entry) for entry in document.data["tests"]]
    totals = {
        key: sum(s[key] for s in suites.values())
        for key in ("tests", "failures", "errors", "skipped")
    }
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<testsuites name="mmpgate"'
        + "".join(f' {key}="{value}"' for key, value in totals.items())
        + f' time="{sum(s["time"] for s in suites.values()):.3f}">',
    ]
    for name, suite in suites.items():
        out.append(
            f'<testsuite name={_attr(name)} tests="{suite["tests"]}" failures="{suite["failures"]}"'
            f' errors="{suite["errors"]}" skipped="{suite["skipped"]}" time="{suite["time"]:.3f}">'
        )
        out += suite["cases"]
        out.append("</testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
