"""The per-test half of the stabilization plugin, registered only in runs that use it.

`activation.activate()` registers one `StabilizeSession` per pytest process once the run needs
the server lock, the server fixtures or leak detection; a run that uses none of them never has
these wrappers in its hook calls.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from mmpgate.stabilize import runinfo
from mmpgate.stabilize.activation import SERVER_MARKER
from mmpgate.stabilize.state import StabilizeState

LOCK_ERROR_KEY = pytest.StashKey[str]()


def _lock_request(item: pytest.Item, default_timeout: float) -> tuple[list[str], float]:
    from mmpgate.stabilize.locks import check_name

    names: set[str] = set()
    timeout = default_timeout
    for mark in item.iter_markers(SERVER_MARKER):
        if len(mark.args) > 1 or set(mark.kwargs) - {"name", "timeout"}:
            raise ValueError("use @pytest.mark.server, server('name') or server('name', timeout=S)")
        names.add(check_name(mark.args[0] if mark.args else mark.kwargs.get("name", "default")))
        if mark.kwargs.get("timeout") is not None:
            timeout = float(mark.kwargs["timeout"])
    return sorted(names), timeout


def _project_fixture(request: pytest.FixtureRequest, fixturedef: pytest.FixtureDef[Any]) -> bool:
    """Defined in the project's own files (not a plugin's): such a wide fixture may be a server."""
    import inspect

    try:
        source = Path(inspect.getfile(fixturedef.func)).resolve()
    except (TypeError, OSError):
        return False
    parts = set(source.parts)
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return source.is_relative_to(request.config.rootpath.resolve())


class StabilizeSession:
    """Tags each test's processes with its node id, holds the server locks, binds wide fixtures."""

    def __init__(self, state: StabilizeState) -> None:
        self.state = state

    @pytest.hookimpl(tryfirst=True, wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[Any]:
        state = self.state
        os.environ[runinfo.TEST_NODEID] = item.nodeid
        try:
            names, timeout = _lock_request(item, state.lock_timeout)
            state.locks.acquire(
                names,
                directory=state.lock_dir,
                timeout=timeout,
                worker=state.worker,
                nodeid=item.nodeid,
            )
        except Exception as exc:  # a bad mark or a lock timeout fails this test alone
            item.stash[LOCK_ERROR_KEY] = str(exc)
        try:
            return (yield)
        finally:
            state.locks.release_unbound()
            os.environ.pop(runinfo.TEST_NODEID, None)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        error = item.stash.get(LOCK_ERROR_KEY, None)
        if error is not None:
            pytest.fail(error, pytrace=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Any:
        result = yield
        locks = self.state.locks
        if locks.held and fixturedef.scope != "function" and _project_fixture(request, fixturedef):
            locks.bind(("fixture", id(fixturedef)))
        return result

    def pytest_fixture_post_finalizer(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> None:
        self.state.locks.unbind(("fixture", id(fixturedef)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report: pytest.TestReport = yield
        if report.failed:
            for server in self.state.live_servers():
                report.sections.append(
                    (f"mmpgate server log: {server.name} (pid {server.pid})", server.log_tail())
                )
        return report

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.state.locks.release_all()
        self.state.env.restore()
