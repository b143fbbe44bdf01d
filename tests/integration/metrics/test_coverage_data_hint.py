"""A group's coverage data naming a file of the temporary directory says what most likely wrote it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import coverage
import pytest

from mmpgate.errors import InputError
from mmpgate.metrics.coverage_data import read_data_file


def _data_naming(data_file: Path, measured: Path) -> None:
    data = coverage.CoverageData(basename=str(data_file))
    data.add_lines({str(measured): [1]})
    data.write()


@pytest.mark.parametrize("checkout_in_temp", [False, True], ids=["checkout", "checkout-in-temp"])
def test_a_temporary_file_in_the_data_names_the_inherited_coverage_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkout_in_temp: bool
) -> None:
    """A test's own `pytest --cov` that inherited COVERAGE_FILE is named as the likely writer."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    root = (temporary if checkout_in_temp else tmp_path) / "checkout"
    root.mkdir()
    data_file = root / ".coverage.integration"
    _data_naming(data_file, temporary / "pytest-of-ci" / "test_cov0" / "mod.py")
    with pytest.raises(InputError) as caught:
        read_data_file(data_file, root)
    message = str(caught.value)
    assert message.startswith(f"{data_file}: names {temporary / 'pytest-of-ci'}"), message
    inherited = "inherited COVERAGE_FILE and wrote into this group's data" in message
    assert inherited is not checkout_in_temp, message
    assert ("relative_files = true" in message) is checkout_in_temp, message
