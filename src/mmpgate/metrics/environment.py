"""Describes where a run happened: versions, workers, commit, command line, timestamps."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from importlib import metadata
from typing import TYPE_CHECKING

import pytest

from mmpgate import __version__

if TYPE_CHECKING:
    from mmpgate.metrics.document import Environment


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def iso(timestamp: float) -> str:
    """UTC ISO 8601 with seconds."""
    return dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).isoformat(timespec="seconds")


def git_commit(cwd: object) -> str | None:
    """The checkout's commit: GITHUB_SHA in Actions, else `git rev-parse HEAD`, else None."""
    import os

    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=str(cwd),
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def describe(
    config: pytest.Config | None, *, workers: int, started: float, producer: str = "plugin"
) -> Environment:
    """The `environment` object of a metrics file."""
    import time

    xdist_active = bool(config and config.pluginmanager.has_plugin("xdist") and workers)
    return {
        "python": platform.python_version(),
        "platform": f"{sys.platform}-{platform.machine()}",
        "pytest": pytest.__version__,
        "xdist": _version("pytest-xdist") if xdist_active else None,
        "workers": workers,
        "git_commit": git_commit(config.invocation_params.dir if config else "."),
        "command": list(config.invocation_params.args) if config else [],
        "started": iso(started),
        "finished": iso(time.time()),
        "producer": f"{producer} mmpgate {__version__}",
    }
