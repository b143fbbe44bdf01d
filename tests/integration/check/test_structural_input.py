"""Structural shapes where files and numbers are expected: deep nesting, huge and non-finite
numbers, duplicate keys, directories and special files. Each is exit 2 and one line, or (for an
honest but extreme number) a normal verdict; never a traceback."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recorded import build_document

from mmpgate.cli import main
from mmpgate.metrics import io
from mmpgate.metrics.writing import dumps, write_json

METRICS = "results/metrics.unit.json"


def document(group: str = "unit") -> dict[str, Any]:
    """A valid metrics document of two passing tests."""
    return build_document(group, [("a", "passed", 0.1), ("b", "passed", 0.1)], wall=0.3)


@pytest.fixture(autouse=True)
def _no_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write to the outputs of a CI job that runs them."""
    for name in ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid setup in the current directory: thresholds.yml and results/metrics.unit.json."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thresholds.yml").write_text("version: 1\n")
    write_json(tmp_path / METRICS, document())
    return tmp_path


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(root / "thresholds.yml"), "--metrics", str(root / "results")])
    return code, capsys.readouterr().err


def _metrics_text(text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / METRICS).write_text(text)

    return change


def _doc_text(replace: tuple[str, str]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        text = dumps(document())
        assert replace[0] in text
        (root / METRICS).write_text(text.replace(replace[0], replace[1], 1))

    return change


def _thresholds(text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / "thresholds.yml").write_text(text)

    return change


def _replace_metrics(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / METRICS).unlink()
        make(root / METRICS)

    return change


def _loop(path: Path) -> None:
    os.symlink(path.with_name("loop-b"), path)
    os.symlink(path, path.with_name("loop-b"))


DIGITS = "9" * 5000
CASES: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("brackets 100k deep", _metrics_text("[" * 100_000 + "]" * 100_000), "metrics.unit.json: line 1 column 1", "nested at most 64 deep"),
    ("objects 5k deep", _doc_text(('"empty"', '"x": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + ', "empty"')), "metrics.unit.json: $", "nested at most 64 deep"),
    ("wall of 1e400", _doc_text(('"wall": 0.', '"wall": 1e400, "w": 0.')), "metrics.unit.json: line", "expected a finite number, found 1e400"),
    ("wall of -1e400", _doc_text(('"wall": 0.', '"wall": -1e400, "w": 0.')), "metrics.unit.json: line", "expected a finite number"),
    ("Infinity", _doc_text(('"wall": 0.', '"wall": Infinity, "w": 0.')), "metrics.unit.json: line", "found Infinity"),
    ("5000-digit count", _doc_text(('"passed": 2', f'"passed": {DIGITS}')), "metrics.unit.json: line", "at most 400 digits"),
    ("duplicate key", _doc_text(('"format": 1', '"format": 1, "format": 2')), "metrics.unit.json: line", "'format' is repeated"),
    ("named pipe", _replace_metrics(lambda p: os.mkfifo(p)), "metrics.unit.json", "found a named pipe"),
    ("character device", _replace_metrics(lambda p: p.symlink_to(os.devnull)), "metrics.unit.json", "found a character device"),
    ("symlink loop", _replace_metrics(_loop), "metrics.unit.json", "is a symbolic link loop"),
    ("dangling symlink", _replace_metrics(lambda p: p.symlink_to(p.with_name("gone"))), "metrics.unit.json", "symbolic link to a missing file"),
    ("5000-digit duration string", _thresholds(f"version: 1\ndefaults: {{max_duration: '{DIGITS}s'}}\n"), "$.defaults.max_duration", "at most 30 digits"),
    ("5000-digit percent string", _thresholds(f"version: 1\ndefaults: {{max_skip_rate: '{DIGITS}%'}}\n"), "$.defaults.max_skip_rate", "at most 30 digits"),
    ("duplicate thresholds key", _thresholds("version: 1\ndefaults: {max_failure_rate: 0}\ndefaults: {max_failure_rate: 0.5}\n"), "thresholds.yml", "duplicate key 'defaults'"),
    ("40-digit duration number", _thresholds("version: 1\ndefaults: {max_duration: " + "9" * 40 + "}\n"), "$.defaults.max_duration", "at most 30 digits"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "where", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_structural_shape_exits_2_with_one_line(root, capsys, change, where, expected):
    """The shape is exit 2 with one line naming the file, the line or JSON path, and the limit."""
    change(root)
    code, err = _check(root, capsys)
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith("mmpgate check: error: "), err
    assert where in err, err
    assert expected in err, err
    assert "set_int_max_str_digits" not in err


def test_metrics_over_the_size_limit(root, capsys, monkeypatch):
    """A metrics file above the documented size limit is refused before it is parsed."""
    monkeypatch.setattr(io, "MAX_JSON_BYTES", 1024)
    (root / METRICS).write_text(dumps(document()) + " " * 2048)
    code, err = _check(root, capsys)
    assert code == 2, err
    assert "metrics.unit.json: expected at most" in err, err


@pytest.mark.parametrize("wall", ["1e308", "1.7976931348623157e308"])
def test_a_finite_but_huge_wall_time_is_gated(root, capsys, wall):
    """A wall time of 1e308 s is a number like any other: the SLA fails, nothing escapes rounding."""
    (root / "thresholds.yml").write_text("version: 1\ndefaults: {max_duration: 15m}\n")
    _doc_text(('"wall": 0.', f'"wall": {wall}, "w": 0.'))(root)
    text = (root / METRICS).read_text().replace(f'"wall": {wall}, "w": 0.3', f'"wall": {wall}')
    (root / METRICS).write_text(text)
    code = main(["check", str(root / "thresholds.yml"), "--metrics", str(root / "results")])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "Traceback" not in captured.err
    assert "max_duration" in captured.out


# -- property: generated structural shapes never escape as a traceback ---------------------------

_numbers = st.sampled_from(
    [
        "1e400",
        "-1e400",
        "1e308",
        "-0.0",
        "NaN",
        "Infinity",
        "9" * 4301,
        "1" * 401,
        "1E+999",
        "5e-324",
    ]
)


@st.composite
def _nested(draw: st.DrawFn) -> str:
    depth = draw(st.sampled_from([2, 63, 64, 65, 999, 1001, 20_000]))
    kind = draw(st.sampled_from(["[", "{", "mixed"]))
    opens = closes = ""
    for level in range(depth):
        use = kind if kind != "mixed" else "[{"[level % 2]
        opens += "[" if use == "[" else '{"k": '
        closes = ("]" if use == "[" else "}") + closes
    return opens + draw(_numbers | st.just("1")) + closes


@st.composite
def _structural_metrics(draw: st.DrawFn) -> tuple[str, bytes]:
    base = dumps(document())
    shape = draw(st.sampled_from(["nested", "number", "duplicate", "whole"]))
    if shape == "whole":
        return "text", draw(_nested()).encode()
    anchor = draw(
        st.sampled_from(['"wall": ', '"passed": ', '"format": ', '"failure": ', '"line": '])
    )
    if shape == "nested":
        value = draw(_nested())
    elif shape == "number":
        value = draw(_numbers)
    else:
        key = anchor.split('"')[1]
        value = f'{draw(_numbers | st.just("1"))}, "{key}": 1'
    return "text", base.replace(anchor, anchor + value + ", " + '"z": ', 1).encode()


_special = st.sampled_from(["text", "directory", "fifo", "devnull", "loop", "dangling"])


def _materialise(path: Path, kind: str, content: bytes) -> None:
    if kind == "text":
        path.write_bytes(content)
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "devnull":
        path.symlink_to(os.devnull)
    elif kind == "loop":
        _loop(path)
    else:
        path.symlink_to(path.with_name("missing"))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    metrics=_structural_metrics(),
    kind=_special,
    baseline_kind=_special,
    baseline=_structural_metrics(),
)
def test_structural_shapes_give_0_1_or_2_and_no_traceback(
    metrics, kind, baseline_kind, baseline, capsys
):
    """Generated nesting, numbers, duplicate keys and special files: exit 0, 1 or 2, one line."""
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "thresholds.yml").write_text("version: 1\nregression: {max_new_failures: 0}\n")
        (root / "results").mkdir()
        _materialise(root / METRICS, kind, metrics[1])
        _materialise(root / "base.json", baseline_kind, baseline[1])
        code = main(["check", str(root / "thresholds.yml"), "--metrics", str(root / "results"),
                     "--baseline", str(root / "base.json")])  # fmt: skip
        err = capsys.readouterr().err
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1, err
        assert err.startswith("mmpgate check: error: "), err
