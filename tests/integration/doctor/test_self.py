"""`mmpgate doctor` on this repository: its own tests and package give no finding."""

from __future__ import annotations

import json
from pathlib import Path

from mmpgate.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_doctor_on_this_repository_exits_zero(monkeypatch, capsys):
    """The default scope here is tests + src/mmpgate (the coverage source), with no finding."""
    monkeypatch.chdir(ROOT)
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "mmpgate doctor: checking tests, src/mmpgate (tests + packages from the coverage source)"
    )
    assert lines[1].startswith("mmpgate doctor: no findings in ")


def test_doctor_before_and_after_the_example_migration(monkeypatch, capsys):
    """The README's walk-through numbers: the example's problem copy gives its 6 findings, the
    migrated suite none."""
    monkeypatch.chdir(ROOT / "examples" / "ml-service" / "problem")
    assert main(["doctor", "--format", "json"]) == 1
    rules = sorted(f["rule"] for f in json.loads(capsys.readouterr().out)["findings"])
    assert rules == [
        "env-without-restore",
        "global-kill",
        "global-state-without-restore",
        "shared-tracking-store",
        "terminate-top-only",
        "terminate-top-only",
    ]
    monkeypatch.chdir(ROOT / "examples" / "ml-service")
    assert main(["doctor"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "mmpgate doctor: checking tests, src/ml_service "
        "(tests + packages from the packages next to tests/)"
    )
