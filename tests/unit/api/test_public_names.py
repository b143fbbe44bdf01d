"""The public API: sorted `__all__`, every name importable, the version from the package metadata."""

from __future__ import annotations

import importlib
from importlib import metadata
from pathlib import Path

import pytest

import mmpgate
import mmpgate.stabilize

README = Path(__file__).resolve().parents[3] / "README.md"


def _isort_style(name: str) -> tuple[int, str]:
    """The order ruff keeps `__all__` in: CONSTANTS, then Classes, then functions and dunders."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[0].isupper() else (2, name)


@pytest.mark.parametrize("module", [mmpgate, mmpgate.stabilize], ids=lambda m: m.__name__)
def test_all_is_sorted_and_every_name_resolves(module):
    """`__all__` is sorted and each listed name is really there."""
    names = list(module.__all__)
    assert names == sorted(names, key=_isort_style)
    for name in names:
        assert getattr(module, name) is not None, name


def test_stabilize_names_are_the_defining_modules_objects():
    """`from mmpgate.stabilize import X` gives the same object as its defining module."""
    from mmpgate.stabilize.factory import ServerFactory
    from mmpgate.stabilize.mlflow_store import TrackingStore
    from mmpgate.stabilize.specs import HttpReady, ServerSpec

    assert mmpgate.stabilize.ServerSpec is ServerSpec
    assert mmpgate.stabilize.HttpReady is HttpReady
    assert mmpgate.stabilize.ServerFactory is ServerFactory
    assert mmpgate.stabilize.TrackingStore is TrackingStore
    with pytest.raises(AttributeError):
        _ = mmpgate.stabilize.NotAThing


def test_version_comes_from_the_package_metadata():
    """One home for the version: the installed metadata (from pyproject.toml)."""
    assert mmpgate.__version__ == metadata.version("mmpgate")
    cli = importlib.import_module("mmpgate.cli")
    assert cli.build_parser().format_usage()


def test_readme_names_the_short_import_path():
    """The README's API table names the short import path of the fixture types."""
    text = README.read_text(encoding="utf-8")
    assert "from mmpgate.stabilize import" in text
