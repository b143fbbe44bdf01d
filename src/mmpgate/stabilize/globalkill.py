"""The opt-in by-name process sweep (`MMP_ENABLE_GLOBAL_KILL=1`), callable from a conftest."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # psutil is imported only when a sweep runs: the plugin checks `enabled()` often
    from mmpgate.stabilize.processes import SweepResult

ENABLE_VAR = "MMP_ENABLE_GLOBAL_KILL"
DRY_RUN_VAR = "MMP_GLOBAL_KILL_DRY_RUN"
DEFAULT_PATTERNS = (r"mlflow\.server", r"uvicorn.*mlflow")


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """The sweep runs only when the variable is exactly `1`."""
    return (os.environ if env is None else env).get(ENABLE_VAR) == "1"


def dry_run_requested(env: Mapping[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get(DRY_RUN_VAR) == "1"


def sweep_if_enabled(
    patterns: Sequence[str] = DEFAULT_PATTERNS,
    *,
    started_before: float | None = None,
    grace: float = 5.0,
    dry_run: bool | None = None,
) -> SweepResult | None:
    """What a conftest calls instead of `pkill -f`: None unless `MMP_ENABLE_GLOBAL_KILL=1`, and
    never inside a pytest-xdist worker (the controller sweeps once for the whole run)."""
    if not enabled() or "PYTEST_XDIST_WORKER" in os.environ:
        return None
    from mmpgate.stabilize.processes import sweep

    return sweep(
        patterns,
        started_before=time.time() if started_before is None else started_before,
        grace=grace,
        dry_run=dry_run_requested() if dry_run is None else dry_run,
    )
