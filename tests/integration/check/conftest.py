"""Real pytest runs that write metrics through the plugin, and a clean GitHub environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

GITHUB_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")


@pytest.fixture(autouse=True)
def _no_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write to the outputs of a CI job that runs them."""
    for name in GITHUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def record(pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> Callable[..., Path]:
    """Run `source` as group `group` in a real (in-process) pytest run; return the metrics dir."""

    def run_group(group: str, source: str, directory: str = "results") -> Path:
        out = pytester.path / directory
        pytester.makepyfile(**{f"test_{group}": source})
        result = pytester.runpytest(
            f"test_{group}.py",
            f"--mmpgate-metrics={out}/metrics.{group}.json",
            f"--mmpgate-group={group}",
        )
        assert (out / f"metrics.{group}.json").is_file(), result.stdout.str()
        capsys.readouterr()  # the inner run's report is not the output under test
        return out

    return run_group
