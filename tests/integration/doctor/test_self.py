"""`mmpgate doctor` on this repository: its own tests and package give no finding."""

from __future__ import annotations

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
