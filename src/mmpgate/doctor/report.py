"""Render findings as a text report grouped by file, as JSON, or as GitHub annotations."""

from __future__ import annotations

import enum
import json
from collections import Counter
from itertools import groupby

from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import RULES
from mmpgate.doctor.scope import Scope

#: GitHub shows only the first few annotations of a step; the rest are printed as plain lines.
ANNOTATION_CAP = 50


class Format(enum.Enum):
    """Output formats of `mmpgate doctor`."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"


def render(findings: tuple[Finding, ...], files: int, output: Format, scope: Scope) -> str:
    """The whole report in one format (ends with a newline); the text and GitHub forms state the
    scope on their first line, the JSON form under `scope`."""
    if output is Format.SARIF:
        from mmpgate.doctor.sarif import render_sarif

        return render_sarif(findings)
    if output is Format.JSON:
        document = {
            "scope": {"paths": list(scope.paths), "origin": scope.origin},
            "findings": [f.as_dict() for f in findings],
        }
        return json.dumps(document, indent=2) + "\n"
    body = (
        render_github(findings, files) if output is Format.GITHUB else render_text(findings, files)
    )
    return f"{scope.describe()}\n{body}"


def summary(findings: tuple[Finding, ...], files: int) -> str:
    """One line: how many findings, in how many files, per rule."""
    if not findings:
        return f"mmpgate doctor: no findings in {files} file(s)"
    per_rule = Counter(finding.rule for finding in findings)
    rules = ", ".join(f"{rule} {count}" for rule, count in sorted(per_rule.items()))
    affected = len({finding.path for finding in findings})
    return f"mmpgate doctor: {len(findings)} finding(s) in {affected} of {files} file(s) ({rules})"


def render_text(findings: tuple[Finding, ...], files: int) -> str:
    """Findings grouped by file: line, rule id, message, then the fix on its own line."""
    lines: list[str] = []
    for path, group in groupby(findings, key=lambda finding: finding.path):
        lines.append(path)
        for finding in group:
            lines.append(f"  {finding.line:>4}  {finding.rule}  {finding.message}")
            lines.append(f"        fix: {finding.fix}")
        lines.append("")
    lines.append(summary(findings, files))
    return "\n".join(lines) + "\n"


def render_github(findings: tuple[Finding, ...], files: int) -> str:
    """Workflow-command annotations (escaped), capped; findings past the cap as plain lines."""
    lines: list[str] = []
    for index, finding in enumerate(findings):
        if index < ANNOTATION_CAP:
            level = RULES[finding.rule].severity.value
            properties = ",".join(
                f"{key}={_escape_property(value)}"
                for key, value in (
                    ("file", finding.path),
                    ("line", str(finding.line)),
                    ("title", f"mmpgate doctor: {finding.rule}"),
                )
            )
            text = _escape_data(f"{finding.message}. Fix: {finding.fix}")
            lines.append(f"::{level} {properties}::{text}")
        else:
            lines.append(f"{finding.path}:{finding.line}: {finding.rule}: {finding.message}")
    lines.append(summary(findings, files))
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    from mmpgate.github import escape_data  # one home for the runner's escaping

    return escape_data(text)


def _escape_property(text: str) -> str:
    from mmpgate.github import escape_property

    return escape_property(text)
