"""Coverage data recorded in two different checkout directories is remapped to this checkout (the
same total as one directory gives), and data naming files this checkout lacks is refused by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics


def _run_in(directory: Path, group: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(directory)
    assert main(["run", group]) == 0
    return directory / "mmpgate-results"


@pytest.fixture
def checkouts(
    sample: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """Two copies of the sample project in unrelated directories (two jobs, two workspaces)."""
    first = tmp_path_factory.mktemp("job-unit") / "checkout"
    second = tmp_path_factory.mktemp("job-integration") / "workspace" / "calc"
    shutil.copytree(sample.path, first)
    shutil.copytree(sample.path, second)
    return first, second


def _bring(results: Path, into: Path, group: str) -> None:
    for name in (f"metrics.{group}.json", f".coverage.{group}"):
        shutil.copy2(results / name, into / name)


@pytest.mark.parametrize("other_checkout", ["still here", "gone (another machine)"])
def test_data_from_two_checkouts_is_remapped(
    other_checkout: str,
    sample: pytest.Pytester,
    checkouts: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """unit recorded in one directory, integration in another: the total equals a one-place run."""
    assert main(["run"]) == 0
    assert main(["combine"]) == 0
    reference = load_metrics(sample.path / "mmpgate-results" / "metrics.total.json")["coverage"]
    first, second = checkouts
    gate = _run_in(first, "unit", monkeypatch)
    _bring(_run_in(second, "integration", monkeypatch), gate, "integration")
    if other_checkout.startswith("gone"):
        shutil.rmtree(second)
    monkeypatch.chdir(first)
    assert main(["combine"]) == 0, capsys.readouterr().err
    total = load_metrics(gate / "metrics.total.json")["coverage"]
    assert total["lines_valid"] == reference["lines_valid"]
    assert total["lines_covered"] == reference["lines_covered"]
    assert total["percent"] == reference["percent"]


def test_data_naming_files_this_checkout_lacks_is_refused(
    checkouts: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A measured file with no counterpart here is one line naming the data file and the path."""
    first, second = checkouts
    (second / "src" / "calc" / "extra.py").write_text("VALUE = 1\n")
    (second / "tests" / "integration" / "test_extra.py").write_text(
        "from calc.extra import VALUE\n\ndef test_extra():\n    assert VALUE == 1\n"
    )
    gate = _run_in(first, "unit", monkeypatch)
    _bring(_run_in(second, "integration", monkeypatch), gate, "integration")
    shutil.rmtree(second)  # that job's workspace is on another machine
    monkeypatch.chdir(first)
    capsys.readouterr()
    assert main(["combine"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert ".coverage.integration: names " in err, err
    assert str(second / "src" / "calc" / "extra.py") in err, err
    assert not (gate / "metrics.total.json").exists()
