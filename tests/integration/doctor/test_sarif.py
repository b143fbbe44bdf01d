"""`mmpgate doctor --format sarif`: valid SARIF 2.1.0 within GitHub's code-scanning limits.

The schema is the official SARIF 2.1.0 schema, vendored under tests/schemas (see its README).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mmpgate.cli import main
from mmpgate.doctor import RULES, Finding
from mmpgate.doctor.sarif import RESULT_CAP, SIZE_LIMIT, render_sarif

TESTS = Path(__file__).resolve().parents[2]
CORPUS = TESTS / "corpus" / "doctor" / "original"
SCHEMA = json.loads((TESTS / "schemas" / "sarif-2.1.0.json").read_text())


def _errors(document: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return sorted(f"{e.json_path}: {e.message}" for e in validator.iter_errors(document))


def _doctor(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str) -> str:
    monkeypatch.chdir(CORPUS.parent)
    assert main(["doctor", "--format", fmt, CORPUS.name]) == 1
    return capsys.readouterr().out


def test_sarif_of_the_corpus_is_valid_and_complete(capsys, monkeypatch) -> None:
    """Every finding of the JSON format is a SARIF result with a relative file and its line."""
    sarif = json.loads(_doctor(capsys, monkeypatch, "sarif"))
    findings = json.loads(_doctor(capsys, monkeypatch, "json"))["findings"]
    assert _errors(sarif) == []
    (run,) = sarif["runs"]
    got = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["ruleId"],
        )
        for r in run["results"]
    ]
    assert got == [(f["path"], f["line"], f["rule"]) for f in findings]
    assert findings, "the corpus has findings"
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == set(RULES)
    assert all(not uri.startswith("/") for uri, _, _ in got)


def test_the_schema_check_refuses_a_broken_log(capsys, monkeypatch) -> None:
    """A wrong level and a line of 0 are schema errors (the validation is not vacuous)."""
    sarif = json.loads(_doctor(capsys, monkeypatch, "sarif"))
    result = sarif["runs"][0]["results"][0]
    result["level"] = "fatal"
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    errors = _errors(sarif)
    assert any("'fatal' is not one of" in e for e in errors)
    assert any("0 is less than the minimum of 1" in e for e in errors)


def test_results_past_githubs_stored_limit_are_counted_not_written() -> None:
    """More findings than GitHub stores: one run, RESULT_CAP results, the rest in a notification."""
    rule = next(iter(RULES))
    many = tuple(
        Finding(f"tests/test_{n % 50}.py", n + 1, rule, "x" * 5000, "fix")
        for n in range(RESULT_CAP + 7)
    )
    text = render_sarif(many)
    document = json.loads(text)
    assert _errors(document) == []
    (run,) = document["runs"]
    assert len(run["results"]) == RESULT_CAP
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("7 more findings")
    assert len(text.encode()) < SIZE_LIMIT
