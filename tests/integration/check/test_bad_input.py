"""Every bad input exits 2 with one line naming the file, the JSON path or line, and the expectation."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recorded import build_document

from mmpgate.cli import main
from mmpgate.metrics.writing import dumps, write_json


def document(group: str = "unit") -> dict[str, Any]:
    """A valid metrics document of two passing tests."""
    return build_document(group, [("a", "passed", 0.1), ("b", "passed", 0.1)], wall=0.3)


def check(root: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `mmpgate check` on root/thresholds.yml and root/results; return code and stderr."""
    code = main(["check", str(root / "thresholds.yml"), "--metrics", str(root / "results"), *extra])
    err = capsys.readouterr().err
    return code, err


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid setup: thresholds.yml and results/metrics.unit.json (the current directory)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thresholds.yml").write_text("version: 1\nregression: {max_new_failures: 0}\n")
    write_json(tmp_path / "results" / "metrics.unit.json", document())
    return tmp_path


def test_valid_setup_passes(root, capsys):
    """The fixture itself is valid: exit 0 (so every case below fails for its own reason)."""
    assert check(root, capsys=capsys)[0] == 0


def _write(relative: str, content: bytes | str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return change


def _edit(
    change: Callable[[dict[str, Any]], None], relative: str = "results/metrics.unit.json"
) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        doc = document()
        change(doc)
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(dumps(doc))

    return apply


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _make_dir(relative: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / relative
        if path.is_file():
            path.unlink()
        path.mkdir(parents=True)

    return change


def _remove_results(root: Path) -> None:
    for child in (root / "results").iterdir():
        child.unlink()
    (root / "results").rmdir()


def _two_claims(root: Path) -> None:
    write_json(root / "results" / "metrics.unit-shard2.json", document("unit"))


def _truncate(root: Path) -> None:
    path = root / "results" / "metrics.unit.json"
    path.write_bytes(path.read_bytes()[:200])


def _stale_total(doc: dict[str, Any]) -> None:
    doc.update(kind="total", group="total", tests=[])
    doc["counts"].update(passed=3, total=3)


CASES: list[tuple[str, Callable[[Path], None], tuple[str, ...], str, str]] = [
    ("yaml syntax", _write("thresholds.yml", "version: 1\ndefaults: [\n"), (), "thresholds.yml: line 3 column 1", "valid YAML"),
    ("wrong type", _write("thresholds.yml", "version: 1\ndefaults: {min_tests: many}\n"), (), "$.defaults.min_tests", "whole number"),
    ("rate below 0", _write("thresholds.yml", "version: 1\ndefaults: {max_skip_rate: -0.5}\n"), (), "$.defaults.max_skip_rate", "0 or more"),
    ("rate above 1", _write("thresholds.yml", "version: 1\ndefaults: {max_skip_rate: 15}\n"), (), "$.defaults.max_skip_rate", "write '15%'"),
    ("unknown key", _write("thresholds.yml", "version: 1\ntotals: {}\n"), (), "$.totals", "did you mean 'total'?"),
    ("empty thresholds", _write("thresholds.yml", ""), (), "thresholds.yml: $", "the file is empty"),
    ("non-UTF-8 thresholds", _write("thresholds.yml", b"version: 1 \xfe\n"), (), "thresholds.yml", "expected UTF-8"),
    ("thresholds is a directory", _make_dir("thresholds.yml"), (), "thresholds.yml", "found a directory"),
    ("empty metrics", _write("results/metrics.unit.json", ""), (), "metrics.unit.json: $", "the file is empty"),
    ("truncated metrics", _truncate, (), "metrics.unit.json: line", "expected valid JSON"),
    ("other format version", _edit(_set(("format",), 2)), (), "metrics.unit.json: $.format", "expected format version 1"),
    ("counts do not add up", _edit(_set(("counts", "passed"), 5)), (), "metrics.unit.json: $.counts.total", "expected 5"),
    ("wrong type in metrics", _edit(_set(("duration", "wall"), "1s")), (), "metrics.unit.json: $.duration.wall", "expected number, got '1s'"),
    ("coverage percent above 100", _edit(_set(("coverage",), {"percent": 250, "lines_valid": 4, "lines_covered": 4, "branches_valid": None, "branches_covered": None})), (), "metrics.unit.json: $.coverage.percent", "expected a number <= 100, got 250"),
    ("coverage of the wrong kind", _edit(_set(("coverage",), "lots")), (), "metrics.unit.json: $.coverage", "expected null or coverage, got 'lots'"),
    ("bad test entry", _edit(_set(("tests",), [{"nodeid": "x", "outcome": "won", "duration": {}}])), (), "$.tests[0].outcome", "expected one of"),
    ("non-UTF-8 metrics", _write("results/metrics.unit.json", b'{"format": 1, "x": "\xff"}'), (), "metrics.unit.json", "expected UTF-8"),
    ("metrics file is a directory", _make_dir("results/metrics.unit.json"), (), "metrics.unit.json", "found a directory"),
    ("missing metrics dir", _remove_results, (), "results", "metrics directory not found"),
    ("two files claim a group", _two_claims, (), "metrics.unit.json: $.group", "also claimed by"),
    ("baseline of another version", _edit(_set(("format",), 0), "old/metrics.unit.json"), ("--baseline", "old"), "old/metrics.unit.json: $.format", "expected format version 1"),
    ("baseline file of another version", _edit(_set(("format",), "1"), "old.json"), ("--baseline", "old.json"), "old.json: $.format", "expected format version 1"),
    ("total that is not the sum", _edit(_stale_total, "results/metrics.total.json"), (), "metrics.total.json: $.counts", "sum of the group files"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "extra", "where", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_exits_2_with_one_line(root, capsys, change, extra, where, expected):
    """The case exits 2; stderr is one line naming the file, the path and what was expected."""
    change(root)
    code, err = check(root, *extra, capsys=capsys)
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("mmpgate check: error: ")
    assert where in err, err
    assert expected in err, err


def test_unknown_format_is_a_usage_error(root, capsys):
    """argparse refuses an unknown --format with exit 2."""
    with pytest.raises(SystemExit) as info:
        main(["check", str(root / "thresholds.yml"), "--format", "xml"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# -- property: whatever the documents, the exit code is 0, 1 or 2 and nothing escapes -----------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.sampled_from(["15%", "2m", "1h30m", "-1", "unit", "pass", "fail"]),
)  # fmt: skip
_keys = st.one_of(
    st.sampled_from(
        ["version", "metrics", "require_groups", "defaults", "groups", "total", "regression", "unit",
         "max_failure_rate", "max_skip_rate", "min_tests", "max_duration", "min_coverage", "baseline",
         "on_missing_baseline", "max_new_failures", "slow_test", "factor", "min_seconds", "counts", "tests"]
    ),
    st.text(max_size=6),
)  # fmt: skip
_trees = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def _thresholds_text(draw: st.DrawFn) -> bytes:
    tree = draw(st.dictionaries(_keys, _trees, max_size=5))
    if draw(st.booleans()):
        tree["version"] = 1
    mode = draw(st.sampled_from(["yaml", "raw", "bytes"]))
    if mode == "yaml":
        return yaml.safe_dump(tree, allow_unicode=True).encode()
    if mode == "raw":
        return draw(st.text(max_size=60)).encode("utf-8", "surrogatepass")
    return draw(st.binary(max_size=40))


@st.composite
def _metrics_text(draw: st.DrawFn) -> bytes:
    doc = document()
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from([("format",), ("counts", "passed"), ("counts", "total"), ("rates", "failure"),
                                     ("complete",), ("duration", "wall"), ("tests",), ("group",), ("kind",),
                                     ("coverage",), ("empty",), ("extra",)]))  # fmt: skip
        _set(path, draw(_trees))(doc)
    text = json.dumps(doc, allow_nan=True)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(thresholds=_thresholds_text(), metrics=_metrics_text(), baseline=_metrics_text())
def test_any_documents_give_0_1_or_2_and_no_traceback(thresholds, metrics, baseline, capsys):
    """Generated YAML and JSON documents: exit 0, 1 or 2, no exception, no traceback printed."""
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "thresholds.yml").write_bytes(thresholds)
        (root / "results").mkdir()
        (root / "results" / "metrics.unit.json").write_bytes(metrics)
        (root / "base.json").write_bytes(baseline)
        code, err = check(root, "--baseline", str(root / "base.json"), capsys=capsys)
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1, err
        assert err.startswith("mmpgate check: error: "), err
