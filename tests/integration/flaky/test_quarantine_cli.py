"""`mmpgate quarantine add|list` and `check` reading quarantine.yml, through `main()`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.flaky.quarantine import load_quarantine

ADD = ["quarantine", "add", "--reason", "chmod is ignored by root", "--owner", "@ml"]


def _add(test: str, expires: str = "2099-12-31", *extra: str) -> int:
    return main([*ADD, test, "--issue", "https://example.org/t/1", "--expires", expires, *extra])


def test_add_writes_a_valid_file_and_replaces_the_same_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two adds and a replacement give a file the loader accepts, entries in order."""
    monkeypatch.chdir(tmp_path)
    assert _add("tests/unit/test_a.py::test_x") == 0
    assert _add("tests/unit/test_b.py") == 0
    assert _add("tests/unit/test_a.py::test_x", "2099-01-01") == 0
    out = capsys.readouterr().out
    assert "added tests/unit/test_a.py::test_x (owner @ml, expires 2099-12-31)" in out
    assert "replaced tests/unit/test_a.py::test_x (owner @ml, expires 2099-01-01)" in out
    quarantine = load_quarantine(tmp_path / "quarantine.yml", required=True)
    assert [(e.test, e.expires) for e in quarantine.entries] == [
        ("tests/unit/test_a.py::test_x", dt.date(2099, 1, 1)),
        ("tests/unit/test_b.py", dt.date(2099, 12, 31)),
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["quarantine.yml"]  # no temp file left


def test_add_refuses_a_past_expiry_and_a_bad_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 with one line; the existing file is left as it was."""
    monkeypatch.chdir(tmp_path)
    assert _add("tests/a.py", "2020-01-01") == 2
    assert "--expires: expected today" in capsys.readouterr().err
    assert not (tmp_path / "quarantine.yml").exists()
    (tmp_path / "quarantine.yml").write_text("version: 1\nquarantine: [{test: a}]\n")
    assert _add("tests/a.py") == 2
    err = capsys.readouterr().err
    assert "quarantine.yml: $.quarantine[0]: missing key: 'expires'" in err
    assert (tmp_path / "quarantine.yml").read_text() == "version: 1\nquarantine: [{test: a}]\n"
    with pytest.raises(SystemExit) as usage:  # argparse's own usage error
        main([*ADD, "t", "--issue", "i", "--expires", "2027-13-01"])
    assert usage.value.code == 2
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err


def test_list_marks_expired_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`list` exits 1 when an entry has expired and names it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "quarantine.yml").write_text(
        "version: 1\nquarantine:\n"
        "  - {test: tests/a.py, reason: r, owner: o, issue: i, expires: 2020-01-01}\n"
        "  - {test: tests/b.py, reason: r, owner: o, issue: i, expires: 2099-01-01}\n"
    )
    assert main(["quarantine", "list"]) == 1
    out = capsys.readouterr().out
    assert "tests/a.py  [EXPIRED until 2020-01-01]" in out
    assert "tests/b.py  [holds until 2099-01-01]" in out
    assert "2 entries, 1 expired" in out


@pytest.fixture
def failing_run(pytester: pytest.Pytester) -> Path:
    """A real run of 3 tests, one failing: its metrics directory."""
    pytester.makepyfile(
        test_q="def test_ok():\n    pass\n\ndef test_other():\n    pass\n\n"
        "def test_chmod():\n    assert False, 'root ignores chmod'\n"
    )
    pytester.runpytest_subprocess(
        "--mmpgate-metrics=results/metrics.unit.json", "-p", "no:cacheprovider"
    )
    (pytester.path / "thresholds.yml").write_text("version: 1\nmetrics: results\n")
    return pytester.path


def test_check_reads_quarantine_beside_the_thresholds(
    failing_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a quarantine the failure fails the gate; with it beside thresholds.yml it passes."""
    assert main(["check", "--format", "json"]) == 1
    capsys.readouterr()
    (failing_run / "quarantine.yml").write_text(
        "version: 1\nquarantine:\n"
        "  - {test: 'test_q.py::test_chmod', reason: r, owner: '@ml', issue: T-1, expires: 2099-01-01}\n"
    )
    assert main(["check", "--format", "json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert [t["nodeid"] for t in verdict["tests"]["quarantined"]] == ["test_q.py::test_chmod"]
    assert verdict["tests"]["failing"] == []


def test_check_fails_an_expired_entry_by_name_and_honours_overrides(
    failing_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An expired entry fails by name; `quarantine:` and --quarantine pick other files."""
    (failing_run / "old.yml").write_text(
        "version: 1\nquarantine:\n"
        "  - {test: 'test_q.py::test_chmod', reason: r, owner: '@ml', issue: T-1, expires: 2020-01-01}\n"
        "  - {test: 'test_q.py::test_gone', reason: r, owner: '@ml', issue: T-2, expires: 2099-01-01}\n"
    )
    assert main(["check", "--quarantine", "old.yml"]) == 1
    out = capsys.readouterr().out
    assert "quarantine_expired    *" in out
    assert "test_q.py::test_chmod expired 2020-01-01 (owner @ml, T-1)" in out
    assert "quarantine_unmatched  *" in out
    assert "entries that hold no test that ran: test_q.py::test_gone" in out
    (failing_run / "thresholds.yml").write_text(
        "version: 1\nmetrics: results\nquarantine: old.yml\n"
    )
    assert main(["check"]) == 1
    assert "expired 2020-01-01" in capsys.readouterr().out
    assert main(["check", "--quarantine", "missing.yml"]) == 2
    assert "missing.yml: quarantine file not found" in capsys.readouterr().err
