"""Finding the files to check: directories, single files, exclusions, skipped directories."""

from __future__ import annotations

import pytest

from mmpgate.doctor.scan import discover
from mmpgate.errors import InputError


def _touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def test_walk_is_sorted_and_skips_tool_directories(tmp_path, monkeypatch):
    """Python files only, sorted; hidden, cache and virtualenv directories are skipped."""
    _touch(
        tmp_path,
        "t/b.py",
        "t/a/c.py",
        "t/x.txt",
        "t/.hidden/d.py",
        "t/__pycache__/e.py",
        "t/venv/f.py",
        "t/pkg.egg-info/g.py",
    )
    monkeypatch.chdir(tmp_path)
    assert [display for display, _ in discover(["t"])] == ["t/a/c.py", "t/b.py"]


def test_excludes_and_duplicates(tmp_path, monkeypatch):
    """Exclusions match directory prefixes and globs; a file given twice is checked once."""
    _touch(tmp_path, "t/a.py", "t/corpus/b.py", "t/gen_1.py")
    monkeypatch.chdir(tmp_path)
    found = [display for display, _ in discover(["t", "t/a.py"], ["t/corpus", "t/gen_*.py"])]
    assert found == ["t/a.py"]


def test_explicit_file_is_checked_whatever_its_name(tmp_path, monkeypatch):
    """A file named on the command line is checked even without a .py suffix."""
    _touch(tmp_path, "script")
    monkeypatch.chdir(tmp_path)
    assert [display for display, _ in discover(["script"])] == ["script"]


def test_missing_path_is_an_input_error(tmp_path, monkeypatch):
    """A path that does not exist is one InputError naming it."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"^nope: no such file or directory$"):
        list(discover(["nope"]))
