"""The gate's typed read of a metrics file agrees with `load_metrics` on every file."""

from __future__ import annotations

import json
import tempfile
import typing
from pathlib import Path
from typing import Any

import pytest
from entry_shapes import any_entry
from hypothesis import given, settings
from hypothesis import strategies as st
from recorded import build_document

from mmpgate.errors import InputError
from mmpgate.metrics import typed
from mmpgate.metrics.format import PHASES, TEST_OUTCOMES
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.results import GroupMetrics, group_from_document, load_group
from mmpgate.metrics.writing import dumps

TESTS = [("test_a", "passed", 0.1), ("test_b", "failed", 0.2), ("test_c", "skipped", 0.0)]


def _exact(path: Path) -> tuple[str, GroupMetrics] | str:
    """What `load_metrics` + the dict reduction make of a file: its view, or its error line."""
    try:
        document = load_metrics(path)
    except InputError as exc:
        return str(exc)
    return document["kind"], group_from_document(document, str(path))


def _fast(path: Path) -> tuple[str, GroupMetrics] | str:
    try:
        return load_group(path)
    except InputError as exc:
        return str(exc)


def _vouched(path: Path) -> bool:
    try:
        typed.decode(path)
    except typed.Fallback:
        return False
    except InputError:
        return True
    return True


def test_types_mirror_the_format():
    """The typed entry lists exactly the format's outcomes and phases."""
    assert typing.get_args(typed.Outcome) == TEST_OUTCOMES
    assert typing.get_args(typed.Phase) == PHASES


def test_a_recorded_document_takes_the_fast_path(tmp_path):
    """A document the plugin writes is decoded by the typed path, to the same view."""
    path = tmp_path / "metrics.unit.json"
    path.write_text(dumps(build_document("unit", TESTS, wall=0.5)))
    assert _vouched(path)
    assert _fast(path) == _exact(path)


def test_a_flaky_test_is_told_on_the_fast_path(tmp_path):
    """A test passed after reruns, and one classified by retries, are flaky on both paths."""
    document = build_document("unit", TESTS, wall=0.5, reruns=2)
    document["tests"][1].update(
        classification="flaky",
        evidence="failed with 2 workers: passed alone",
        attempts=[{"outcome": "passed", "duration": 0.1, "message": None}],
    )
    path = tmp_path / "metrics.unit.json"
    path.write_text(dumps(document))
    assert _vouched(path)
    fast = _fast(path)
    assert fast == _exact(path)
    assert not isinstance(fast, str)
    assert set(fast[1].flaky) == {document["tests"][0]["nodeid"], document["tests"][1]["nodeid"]}


@settings(max_examples=300, deadline=None)
@given(entry=any_entry, index=st.integers(0, 2))
def test_any_entry_gives_the_exact_verdict(entry: Any, index: int):
    """Whatever one entry holds, the typed read accepts or refuses as `load_metrics` does,
    with the same view or the same error line."""
    document = build_document("unit", TESTS, wall=0.5)
    document["tests"][index] = entry
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "metrics.unit.json"
        path.write_text(json.dumps(document, indent=1))
        assert _fast(path) == _exact(path)


def _text(document: dict[str, Any], old: str, new: str) -> str:
    text = dumps(document)
    assert old in text
    return text.replace(old, new, 1)


DOCUMENT = build_document("unit", TESTS, wall=0.5)
UNVOUCHED = {
    "a key repeated in an entry": _text(DOCUMENT, '"outcome": "failed"', '"outcome": "failed", "outcome": "passed"'),
    "a key repeated in the head": _text(DOCUMENT, '"format": 1', '"format": 1, "format": 1'),
    "a key repeated in a nested object": _text(DOCUMENT, '"wall": 0.5', '"wall": 0.5, "wall": 0.5'),
    "an escaped colon": _text(DOCUMENT, "::test_a", "\\u003a:test_a"),
    "a 70-digit number": _text(DOCUMENT, '"wall": 0.5', '"wall": 0.' + "5" * 70),
    "a number beyond a double": _text(DOCUMENT, '"wall": 0.5', '"wall": 1e400'),
    "an integer beyond 64 bits": _text(DOCUMENT, '"line": ', '"line": 99999999999999999999'),
    "deep nesting in the head": _text(DOCUMENT, '"source": {', '"source": {"x": ' + "[" * 20 + "]" * 20 + ", "),
    "Infinity": _text(DOCUMENT, '"wall": 0.5', '"wall": Infinity'),
    "an unknown key": _text(DOCUMENT, '"format": 1', '"format": 1, "extra": 1'),
    "a wrong format": _text(DOCUMENT, '"format": 1', '"format": 2'),
    "not JSON": "{",
}  # fmt: skip


@pytest.mark.parametrize("text", UNVOUCHED.values(), ids=UNVOUCHED.keys())
def test_what_the_fast_path_does_not_vouch_for_goes_to_the_exact_path(tmp_path, text):
    """Repeated keys, odd numbers, deep nesting and bad JSON are judged by `load_metrics`."""
    path = tmp_path / "metrics.unit.json"
    path.write_text(text)
    assert not _vouched(path)
    assert _fast(path) == _exact(path)


def test_a_head_refused_by_the_schema_gives_the_same_line(tmp_path):
    """A bad head (the entries fine) is refused by the typed path with `load_metrics`' line."""
    path = tmp_path / "metrics.unit.json"
    path.write_text(_text(DOCUMENT, '"group": "unit"', '"group": "Unit!"'))
    assert _vouched(path)
    assert isinstance(_exact(path), str)
    assert _fast(path) == _exact(path)


def test_a_directory_or_missing_file_gives_the_same_line(tmp_path):
    """Files that cannot be read are the exact path's to report."""
    (tmp_path / "metrics.dir.json").mkdir()
    for path in (tmp_path / "metrics.dir.json", tmp_path / "metrics.gone.json"):
        assert not _vouched(path)
        assert _fast(path) == _exact(path)
        assert isinstance(_fast(path), str)


def test_the_gate_view_keeps_every_test_outcome_and_seconds():
    """(outcome, seconds) per test as in the file; a nodeid listed twice reads as its later entry."""
    document = build_document("unit", TESTS, wall=0.5)
    first = document["tests"][1]  # test_b, failed
    document["tests"].append({**first, "outcome": "passed", "message": None})
    view = group_from_document(document, "metrics.unit.json")
    assert view.tests is not None
    assert dict(view.tests) == {
        "tests/unit/test_mod.py::test_a": ("passed", pytest.approx(0.1)),
        "tests/unit/test_mod.py::test_b": ("passed", pytest.approx(0.2)),
        "tests/unit/test_mod.py::test_c": ("skipped", pytest.approx(0.0)),
    }
    assert dict(view.tests.not_passed) == {"tests/unit/test_mod.py::test_c": "skipped"}
    assert "tests/unit/test_mod.py::test_a" in view.tests
    assert "tests/unit/test_mod.py::missing" not in view.tests
