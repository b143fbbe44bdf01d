"""Unit tests that keep every file in their own tmp dir (named so pytest never collects it)."""

import shutil
import sqlite3
import tempfile
from pathlib import Path


def export_report(rows, directory=None):
    """Code under test: write a report in a fresh directory, never a fixed shared one."""
    target = Path(directory or tempfile.mkdtemp(prefix="report-"))
    target.mkdir(parents=True, exist_ok=True)
    (target / "report.csv").write_text("\n".join(rows))
    return target


def test_database_is_private(tmp_path):
    connection = sqlite3.connect(tmp_path / "app.db")
    connection.execute("create table t (x)")
    assert connection.execute("select count(*) from t").fetchone() == (0,)


def test_scratch_is_private(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "data.txt").write_text("x")
    shutil.rmtree(scratch)
    assert not scratch.exists()


def test_report_in_tmp(tmp_path):
    target = export_report(["a", "b"], tmp_path / "out")
    assert (target / "report.csv").read_text() == "a\nb"


def test_in_memory_database():
    connection = sqlite3.connect(":memory:")
    assert connection.execute("select 1").fetchone() == (1,)
