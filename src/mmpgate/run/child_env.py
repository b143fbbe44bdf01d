"""The environment of a pytest process mmpgate starts (a group's run, a retry, a shard)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

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


@contextlib.contextmanager
def sigint_live() -> Iterator[None]:
    """Processes started inside get SIGINT at its default disposition, even if this one ignores it.

    mmpgate stops a pytest run with SIGINT (a SIGTERM it receives is passed on as SIGINT, so pytest
    writes its incomplete metrics). A process started with SIGINT ignored (`cmd &` in a
    non-interactive shell) would hand the ignored disposition to its children through fork and
    exec, and Python then installs no KeyboardInterrupt handler: the stop would never arrive.
    exec resets a caught signal to its default but keeps an ignored one, so a handler set for the
    time of the spawn is enough; the ignored disposition is put back afterwards.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    ):
        yield  # signal.signal works in the main thread only; nothing to do when SIGINT is live
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
