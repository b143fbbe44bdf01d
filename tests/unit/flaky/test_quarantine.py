"""quarantine.yml: parsing, validation errors with their path, matching by prefix, rendering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mmpgate.errors import ConfigError
from mmpgate.flaky.quarantine import Entry, Quarantine, load_quarantine, parse_quarantine, render

GOOD = """\
version: 1
quarantine:
  - test: tests/unit/test_files.py::TestWrite::test_readonly_dir
    reason: relies on chmod, which root ignores
    owner: "@ml-platform"
    issue: https://example.org/tracker/123
    expires: 2027-01-31
  - test: tests/integration/test_drift.py
    reason: library drift
    owner: "@data"
    issue: DATA-7
    expires: "2027-02-01"
"""


def _entry(test: str, expires: dt.date = dt.date(2027, 1, 31)) -> Entry:
    return Entry(test, "r", "@o", "ISSUE-1", expires)


def test_parses_the_documented_shape() -> None:
    """The issue's example file parses; a bare and a quoted date mean the same day."""
    quarantine = parse_quarantine(GOOD, "quarantine.yml")
    assert [e.test for e in quarantine.entries] == [
        "tests/unit/test_files.py::TestWrite::test_readonly_dir",
        "tests/integration/test_drift.py",
    ]
    assert quarantine.entries[0].owner == "@ml-platform"
    assert quarantine.entries[0].expires == dt.date(2027, 1, 31)
    assert quarantine.entries[1].expires == dt.date(2027, 2, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 2\nquarantine: []\n", "quarantine.yml: $.version: expected const 1, got 2"),
        ("version: 1\n", "quarantine.yml: $: missing key: 'quarantine' is a required property"),
        (
            "version: 1\nquarantine:\n  - test: a.py\n    reason: r\n    issue: i\n    expires: 2027-01-01\n",
            "quarantine.yml: $.quarantine[0]: missing key: 'owner' is a required property",
        ),
        (
            "version: 1\nquarantine:\n  - {test: a.py, reason: r, owner: o, issue: i, expires: 2027-02-30}\n",
            "quarantine.yml: $.quarantine[0].expires: expected a real date, got '2027-02-30'",
        ),
        (
            "version: 1\nquarantine:\n  - {test: a.py, reason: r, owner: o, issue: i, expires: 2027-01-01}\n"
            "  - {test: a.py, reason: r, owner: o, issue: i, expires: 2027-01-01}\n",
            "quarantine.yml: $.quarantine[1].test: expected each test once, 'a.py' is also entry 0",
        ),
        ("version: 1\nquarantine: [\n", "quarantine.yml: line 3 column 1: expected valid YAML"),
        ("", "quarantine.yml: $: expected a mapping with `version: 1`"),
    ],
)
def test_bad_files_are_one_line_with_the_path(text: str, message: str) -> None:
    """Every problem is one ConfigError line naming the file, the JSON path and the expectation."""
    with pytest.raises(ConfigError) as caught:
        parse_quarantine(text, "quarantine.yml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("test", "nodeid", "held"),
    [
        ("tests/a.py::test_x", "tests/a.py::test_x", True),
        ("tests/a.py::test_x", "tests/a.py::test_x[1-2]", True),
        ("tests/a.py::test_x", "tests/a.py::test_xy", False),
        ("tests/a.py", "tests/a.py::TestK::test_y", True),
        ("tests/a", "tests/a.py::test_x", False),
        ("tests/unit", "tests/unit/a.py::test_x", True),
        ("tests/unit/", "tests/unit/a.py::test_x", True),
        ("tests/a.py::TestK", "tests/a.py::TestKey::test_y", False),
    ],
)
def test_an_entry_holds_node_ids_at_a_boundary(test: str, nodeid: str, held: bool) -> None:
    """A prefix holds what lies below it (module, class, parameters), never a longer name."""
    assert _entry(test).holds(nodeid) is held


def test_expiry_holds_through_its_day() -> None:
    """An entry expires the day after its `expires` date."""
    entry = _entry("a.py", dt.date(2027, 1, 31))
    assert not entry.expired(dt.date(2027, 1, 31))
    assert entry.expired(dt.date(2027, 2, 1))


def test_render_round_trips() -> None:
    """The written text parses back to the same entries, strings with YAML's specials included."""
    entries = (
        Entry(
            "tests/a.py::test_x[a: b]",
            "it's #1: 'quoted' \"x\"",
            "@o",
            "https://x/1?a=b#c",
            dt.date(2027, 3, 4),
        ),
        _entry("tests/b.py"),
    )
    assert parse_quarantine(render(entries), "q.yml").entries == entries
    assert parse_quarantine(render(()), "q.yml") == Quarantine(source="q.yml")


def test_missing_default_file_is_empty_but_a_given_one_is_an_error(tmp_path: Path) -> None:
    """No default file: an empty quarantine; a named file that is missing: ConfigError."""
    assert load_quarantine(tmp_path / "quarantine.yml", required=False).entries == ()
    with pytest.raises(ConfigError, match="quarantine file not found"):
        load_quarantine(tmp_path / "quarantine.yml", required=True)
