"""No command writes over its own inputs, a directory, or another group's file; outputs are one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from recorded import build_document

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.writing import write_json

GITHUB_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")


def document(group: str = "unit") -> dict[str, Any]:
    """A valid metrics document of two passing tests."""
    return build_document(group, [("a", "passed", 0.1), ("b", "passed", 0.1)], wall=0.3)


@pytest.fixture(autouse=True)
def _no_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write to the outputs of a CI job that runs them."""
    for name in GITHUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """thresholds.yml and results/metrics.unit.json in the current directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thresholds.yml").write_text("version: 1\n")
    write_json(tmp_path / "results" / "metrics.unit.json", document())
    return tmp_path


def _one_error_line(err: str, command: str, *expected: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith(f"mmpgate {command}: error: "), err
    for text in expected:
        assert text in err, err


def _check(*extra: str) -> int:
    return main(["check", "thresholds.yml", "--metrics", "results", *extra])


def test_check_output_to_a_directory(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check --output DIR` is exit 2 and one line, not an IsADirectoryError traceback."""
    (root / "verdict").mkdir()
    assert _check("--output", "verdict") == 2
    _one_error_line(capsys.readouterr().err, "check", "verdict", "found a directory")


@pytest.mark.parametrize("target", ["thresholds.yml", "results/metrics.unit.json"])
def test_check_output_over_an_input(
    root: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    """`check --output` naming the thresholds or a metrics file is refused; the input is kept."""
    before = (root / target).read_bytes()
    assert _check("--output", target) == 2
    _one_error_line(capsys.readouterr().err, "check", target, "is also the")
    assert (root / target).read_bytes() == before


def test_check_output_over_a_baseline_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The baseline is an input too: `--output` equal to `--baseline` is refused."""
    write_json(root / "base.json", document())
    before = (root / "base.json").read_bytes()
    assert _check("--baseline", "base.json", "--output", "base.json") == 2
    _one_error_line(capsys.readouterr().err, "check", "is also the baseline input")
    assert (root / "base.json").read_bytes() == before


def test_github_output_that_is_a_directory(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GITHUB_OUTPUT that cannot be appended to is exit 2 and one line, before any verdict."""
    (root / "out").mkdir()
    monkeypatch.setenv("GITHUB_OUTPUT", str(root / "out"))
    assert _check() == 2
    captured = capsys.readouterr()
    _one_error_line(captured.err, "check", "GITHUB_OUTPUT=", "is a directory")
    assert captured.out == ""


def test_github_output_in_a_missing_directory(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GITHUB_OUTPUT whose directory is missing is exit 2 naming that directory."""
    monkeypatch.setenv("GITHUB_OUTPUT", str(root / "gone" / "output"))
    assert _check() == 2
    _one_error_line(capsys.readouterr().err, "check", "does not exist")


@pytest.mark.parametrize("shape", ["directory", "missing parent"])
def test_step_summary_problem_warns_and_keeps_the_verdict(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """The job summary is display only: a bad GITHUB_STEP_SUMMARY is one warning, exit stays 0."""
    target = root / "summary"
    if shape == "directory":
        target.mkdir()
    else:
        target = root / "gone" / "summary"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    assert _check() == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("mmpgate: warning: GITHUB_STEP_SUMMARY="), err


@pytest.fixture
def junit(pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> Path:
    """A JUnit XML from a real (in-process) pytest run of one passing test."""
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    pytester.runpytest("--junitxml=junit.xml", "-p", "no:cacheprovider")
    capsys.readouterr()
    return pytester.path / "junit.xml"


def test_collect_output_equal_to_junit(junit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`collect --output` equal to `--junit` is refused and the JUnit file is kept."""
    before = junit.read_bytes()
    argv = ["collect", "--junit", str(junit), "--group", "unit", "--output", str(junit)]
    assert main(argv) == 2
    _one_error_line(capsys.readouterr().err, "collect", "is also the --junit input")
    assert junit.read_bytes() == before


def test_collect_output_to_a_directory(junit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`collect --output DIR` is exit 2 and one line."""
    (junit.parent / "out").mkdir()
    argv = [
        "collect",
        "--junit",
        str(junit),
        "--group",
        "unit",
        "--output",
        str(junit.parent / "out"),
    ]
    assert main(argv) == 2
    _one_error_line(capsys.readouterr().err, "collect", "found a directory")


def test_collect_over_another_groups_file(junit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`collect --group unit` never replaces metrics.integration.json (another group's file)."""
    other = junit.parent / "results" / "metrics.integration.json"
    write_json(other, document("integration"))
    before = other.read_bytes()
    argv = ["collect", "--junit", str(junit), "--group", "unit", "--output", str(other)]
    assert main(argv) == 2
    _one_error_line(capsys.readouterr().err, "collect", "named for group 'integration'")
    assert other.read_bytes() == before


def test_collect_over_a_file_holding_another_group(
    junit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file of any name that holds another group's metrics is not overwritten."""
    other = junit.parent / "integration.json"
    write_json(other, document("integration"))
    argv = ["collect", "--junit", str(junit), "--group", "unit", "--output", str(other)]
    assert main(argv) == 2
    _one_error_line(capsys.readouterr().err, "collect", "holds the metrics of group 'integration'")
    assert load_metrics(other)["group"] == "integration"


def test_collect_may_replace_its_own_groups_file(
    junit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Re-collecting a group over its own metrics file (or a shard of it) is allowed."""
    for name in ("metrics.unit.json", "metrics.unit-shard2.json"):
        target = junit.parent / name
        write_json(target, document("unit"))
        argv = ["collect", "--junit", str(junit), "--group", "unit", "--output", str(target)]
        assert main(argv) == 0, capsys.readouterr().err
        assert load_metrics(target)["source"]["junit"] == str(junit)
