"""combine's total set (metrics, coverage XML, coverage data) is replaced whole or left untouched,
and coverage data that cannot be read is an input error naming the file, never a smaller total."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics

TOTAL_SET = ("metrics.total.json", "coverage.total.xml", ".coverage.total")


@pytest.fixture
def results(sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> Path:
    """A real `run` and `combine` of the sample: both groups with coverage data, a total set."""
    assert main(["run"]) == 0
    assert main(["combine"]) == 0
    capsys.readouterr()
    return sample.path / "mmpgate-results"


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in TOTAL_SET}


@pytest.mark.parametrize("in_the_way", TOTAL_SET)
def test_a_directory_in_the_total_set_leaves_every_file_untouched(
    results: Path, capsys: pytest.CaptureFixture[str], in_the_way: str
) -> None:
    """A directory in place of one total file: exit 2 naming it, the other two keep their bytes."""
    before = _snapshot(results)
    (results / in_the_way).unlink()
    (results / in_the_way).mkdir()
    assert main(["combine"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"{in_the_way}: expected a file to write, found a directory" in err, err
    for name, content in before.items():
        if name != in_the_way:
            assert (results / name).read_bytes() == content, name
    assert not [p.name for p in results.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("damage", ["corrupt", "directory"])
def test_unreadable_group_coverage_data_is_an_input_error(
    results: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    """A corrupt `.coverage.unit` or a directory in its place is exit 2 naming the file."""
    data = results / ".coverage.unit"
    data.unlink()
    if damage == "corrupt":
        data.write_bytes(b"not a coverage database\n" * 10)
    else:
        data.mkdir()
    before = _snapshot(results)
    assert main(["combine"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert ".coverage.unit" in err, err
    assert "directory" in err if damage == "directory" else "cannot be read" in err, err
    assert _snapshot(results) == before


def test_missing_data_file_of_a_group_with_coverage(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A group whose metrics carry coverage but whose data file is gone is refused by name."""
    assert load_metrics(results / "metrics.unit.json")["coverage"] is not None
    (results / ".coverage.unit").unlink()
    assert main(["combine"]) == 2
    err = capsys.readouterr().err
    assert ".coverage.unit: coverage data file not found" in err, err


def test_stale_total_coverage_is_removed_with_the_set(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without any group data file the total has no coverage, and no older total XML survives."""
    for group in ("unit", "integration"):
        (results / f".coverage.{group}").unlink()
    assert (results / "coverage.total.xml").is_file()
    assert main(["combine"]) == 0, capsys.readouterr().err
    assert load_metrics(results / "metrics.total.json")["coverage"] is None
    assert not (results / "coverage.total.xml").exists()
    assert not (results / ".coverage.total").exists()
