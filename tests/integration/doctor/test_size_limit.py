"""doctor on a Python file above its documented size limit reports it instead of parsing it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from mmpgate.cli import main

doctor_scan = importlib.import_module("mmpgate.doctor.scan")


def test_file_over_the_limit_is_one_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file above MAX_SOURCE_BYTES is one parse-error finding naming the limit; exit 1."""
    monkeypatch.setattr(doctor_scan, "MAX_SOURCE_BYTES", 1024)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_big.py").write_text("x = 1\n" * 1000)
    assert main(["doctor", "tests"]) == 1
    out = capsys.readouterr().out
    assert "test_big.py" in out
    assert "6000 bytes, over the limit of 1024 bytes" in out
