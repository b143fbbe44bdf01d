"""The environment of a pytest process mmpgate starts (a group's run, a retry, a shard)."""

from __future__ import annotations

import os

#: Variables that describe the *calling* pytest process. A child pytest inheriting them would
#: believe it is an xdist worker of another run (`PYTEST_XDIST_WORKER`, `..._WORKER_COUNT`,
#: `..._TESTRUNUID`) or still inside a test (`PYTEST_CURRENT_TEST`).
_CALLER_ONLY_PREFIXES = ("PYTEST_XDIST_",)
_CALLER_ONLY = frozenset({"PYTEST_CURRENT_TEST"})


def pytest_child_env() -> dict[str, str]:
    """This process's environment without what belongs to a calling pytest process."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in _CALLER_ONLY and not name.startswith(_CALLER_ONLY_PREFIXES)
    }
