"""`mmpgate doctor --format sarif`: SARIF 2.1.0 for GitHub code scanning, within its limits.

GitHub accepts at most 20 runs per file and 25,000 results per run, stores 5,000, and refuses
uploads over 10 MB: one run, at most `RESULT_CAP` results (the rest counted in a notification),
messages cut to `MESSAGE_CAP` characters.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from mmpgate import __version__
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
RESULT_CAP = 5_000
MESSAGE_CAP = 1_000
SIZE_LIMIT = 10 * 1024 * 1024


def _text(text: str) -> str:
    return text if len(text) <= MESSAGE_CAP else text[: MESSAGE_CAP - 1] + "…"


def _homepage() -> str | None:
    """The project's Homepage URL from the installed metadata (pyproject.toml is its one home)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("mmpgate").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in urls:
        name, _, url = entry.partition(", ")
        if name == "Homepage":
            return str(url)
    return None


def _uri(path: str) -> str:
    return PurePosixPath(path.replace("\\", "/")).as_posix().removeprefix("./")


def sarif_document(findings: tuple[Finding, ...]) -> dict[str, object]:
    """One SARIF log with one run; every rule described, the first RESULT_CAP findings."""
    rules = sorted(RULES.values(), key=lambda rule: rule.id)
    index = {rule.id: number for number, rule in enumerate(rules)}
    results = [
        {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": RULES[finding.rule].severity.value,
            "message": {"text": _text(f"{finding.message}. Fix: {finding.fix}")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": max(finding.line, 1)},
                    }
                }
            ],
        }
        for finding in findings[:RESULT_CAP]
    ]
    invocation: dict[str, object] = {"executionSuccessful": True}
    if len(findings) > RESULT_CAP:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{len(findings) - RESULT_CAP} more findings not included "
                    f"(GitHub stores {RESULT_CAP} per run); run `mmpgate doctor` for all"
                },
            }
        ]
    driver: dict[str, object] = {
        "name": "mmpgate doctor",
        "version": __version__,
        "rules": [
            {
                "id": rule.id,
                "name": "".join(part.capitalize() for part in rule.id.split("-")),
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.message},
                "help": {"text": f"Fix: {rule.fix}"},
                "defaultConfiguration": {"level": rule.severity.value},
            }
            for rule in rules
        ],
    }
    homepage = _homepage()
    if homepage:
        driver["informationUri"] = homepage
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [invocation],
                "columnKind": "utf16CodeUnits",
                "results": results,
            }
        ],
    }


def render_sarif(findings: tuple[Finding, ...]) -> str:
    """The SARIF text (compact: uploads are limited in bytes)."""
    return json.dumps(sarif_document(findings), separators=(",", ":")) + "\n"
