"""pytest hooks of the stabilization features: the `server` lock, server fixtures, the opt-in
global sweep and leak detection.

This module is loaded in every pytest run of an environment where mmpgate is installed, so it
holds options, markers, fixtures and once-per-session hooks only, and imports nothing but pytest
at import time. It has no per-test hook: the per-test wrappers live in `stabilize.session` and are
registered by `stabilize.activation` only when the run uses the feature (that module says when,
and how the decision is made under pytest-xdist, whose controller does not collect).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mmpgate.stabilize.activation import (
    PLACE_KEY,
    SETTINGS_KEY,
    STATE_KEY,
    Settings,
    activate,
    is_worker,
    item_needs,
    place,
    run_in_use,
)

if TYPE_CHECKING:
    from mmpgate.stabilize.factory import ServerFactory
    from mmpgate.stabilize.state import Findings

FINDINGS_KEY = pytest.StashKey["Findings"]()
SESSION_START_KEY = pytest.StashKey[float]()
LEAK_MODES = ("warn", "fail", "kill")


def _seconds(option: str) -> Any:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise pytest.UsageError(
                f"{option}: expected a number of seconds, got {value!r}"
            ) from None
        if number <= 0:
            raise pytest.UsageError(f"{option}: expected more than 0 seconds, got {value!r}")
        return number

    return parse


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mmpgate-stabilize", "mmpgate: server lock, servers, process leaks")
    group.addoption(
        "--mmpgate-lock-timeout",
        type=_seconds("--mmpgate-lock-timeout"),
        default=None,
        help="seconds a @pytest.mark.server test waits for its lock (ini mmpgate_lock_timeout, "
        "default 600).",
    )
    group.addoption(
        "--mmpgate-lock-dir",
        default=None,
        help="directory of the server locks (ini mmpgate_lock_dir; default: a directory of this "
        "run shared by its workers). A fixed directory serialises across runs.",
    )
    group.addoption(
        "--mmpgate-leaks",
        choices=LEAK_MODES,
        default=None,
        help="what to do with processes of this run alive at the end; given, it watches every "
        "test of the run (ini mmpgate_leaks; default warn, in runs that use the server fixtures "
        "or marker).",
    )
    group.addoption(
        "--mmpgate-kill-dry-run",
        action="store_true",
        default=False,
        help="with MMP_ENABLE_GLOBAL_KILL=1: list what the sweep matches, kill nothing.",
    )
    parser.addini("mmpgate_lock_timeout", "seconds a server-marked test waits", default="600")
    parser.addini("mmpgate_lock_dir", "directory of the server locks", default="")
    parser.addini(
        "mmpgate_leaks",
        "warn, fail or kill leaked processes; setting it watches every test of the run "
        "(default: warn, in runs that use the server fixtures or marker)",
        default="",
    )
    parser.addini(
        "mmpgate_kill_patterns",
        "regexes of command lines the MMP_ENABLE_GLOBAL_KILL sweep stops",
        type="linelist",
        default=[r"mlflow\.server", r"uvicorn.*mlflow"],
    )
    parser.addini("mmpgate_kill_at_end", "sweep again at session end", type="bool", default=False)
    parser.addini("mmpgate_kill_grace", "seconds between SIGTERM and SIGKILL", default="5")
    parser.addini("mmpgate_server_startup_timeout", "default server start-up timeout", default="")


def _ini_seconds(config: pytest.Config, name: str) -> float | None:
    raw = str(config.getini(name)).strip()
    return _seconds(name)(raw) if raw else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "server(name='default', *, timeout=None): run one at a time with every other test "
        "holding the same server lock, across all xdist workers; the lock covers the test's "
        "fixtures of any scope.",
    )
    leaks = config.getoption("mmpgate_leaks") or str(config.getini("mmpgate_leaks"))
    if leaks and leaks not in LEAK_MODES:
        raise pytest.UsageError(f"mmpgate_leaks: expected one of {', '.join(LEAK_MODES)}")
    lock_timeout = config.getoption("mmpgate_lock_timeout") or _ini_seconds(
        config, "mmpgate_lock_timeout"
    )
    config.stash[SETTINGS_KEY] = Settings(
        lock_timeout=lock_timeout or 600.0,
        leaks_mode=leaks or "warn",
        leaks_asked=bool(leaks),
        startup_timeout=_ini_seconds(config, "mmpgate_server_startup_timeout"),
    )
    if leaks:
        activate(config)  # leak detection asked for: every test of the run is watched


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[PLACE_KEY] = place(node.config).as_input()


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if STATE_KEY in config.stash or config.option.collectonly:
        return
    if any(item_needs(item) for item in session.items):
        activate(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        state.locks.release_all()
        state.env.restore()
    if not is_worker(config) and run_in_use(config):
        import shutil

        shutil.rmtree(place(config).run_dir, ignore_errors=True)


def _findings(config: pytest.Config) -> Findings:
    found = config.stash.get(FINDINGS_KEY, None)
    if found is None:
        from mmpgate.stabilize.state import Findings

        found = config.stash[FINDINGS_KEY] = Findings(config.stash[SETTINGS_KEY].leaks_mode)
    return found


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if is_worker(config):
        return
    config.stash[SESSION_START_KEY] = time.time()
    _global_sweep(config)


def _global_sweep(config: pytest.Config) -> None:
    from mmpgate.stabilize import globalkill

    if not globalkill.enabled():
        return
    from mmpgate.stabilize.processes import sweep

    result = sweep(
        list(config.getini("mmpgate_kill_patterns")),
        started_before=config.stash.get(SESSION_START_KEY, time.time()),
        grace=float(str(config.getini("mmpgate_kill_grace"))),
        dry_run=config.getoption("mmpgate_kill_dry_run") or globalkill.dry_run_requested(),
        run_id=place(config).run_id,  # this run's id even before (or without) its tags are set
    )
    _findings(config).swept.extend(result.processes)


def _factory(request: pytest.FixtureRequest, tmp: Path) -> Iterator[ServerFactory]:
    from mmpgate.stabilize.factory import ServerFactory

    state = activate(request.config)
    factory = ServerFactory(
        log_dir=tmp,
        shared_dir=state.run_dir or tmp,
        on_start=state.register_server,
        startup_timeout=state.startup_timeout,
    )
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def server_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerFactory]:
    """Start servers for one test; all are stopped (group + descendants) at its teardown."""
    yield from _factory(request, tmp_path_factory.mktemp("servers"))


@pytest.fixture(scope="module")
def module_server_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerFactory]:
    """Start servers shared by a module's tests; stopped after its last test."""
    yield from _factory(request, tmp_path_factory.mktemp("servers"))


@pytest.fixture(scope="session")
def session_server_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerFactory]:
    """Start servers shared by the whole session (of one worker); stopped at its end."""
    yield from _factory(request, tmp_path_factory.mktemp("servers"))


@pytest.fixture(scope="session")
def mmpgate_run_id(request: pytest.FixtureRequest) -> str:
    """This run's id, as carried by every process the run starts (MMPGATE_RUN_ID)."""
    return activate(request.config).run_id


@pytest.fixture(scope="session")
def mmpgate_shared_dir(request: pytest.FixtureRequest) -> Path:
    """A directory shared by this run's workers and unique to the run."""
    run_dir = activate(request.config).run_dir
    assert run_dir is not None
    return run_dir


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    if not error:
        return
    config = node.config
    worker = str(getattr(node, "workerinput", {}).get("workerid", ""))
    _findings(config).crashed_workers.add(worker)
    if run_in_use(config):
        from mmpgate.stabilize.orphans import stop_orphans_of_worker

        _findings(config).orphans.extend(stop_orphans_of_worker(place(config).run_id, worker))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if is_worker(config):
        return
    if config.getini("mmpgate_kill_at_end"):
        _global_sweep(config)
    if not run_in_use(config):
        return  # nothing of this run was tagged: there is nothing to scan for
    from mmpgate.stabilize.leaks import find_tagged, own_run_processes
    from mmpgate.stabilize.orphans import stop_orphans_of_worker
    from mmpgate.stabilize.processes import stop_process_tree

    found = _findings(config)
    run_id = place(config).run_id
    # Servers of a crashed worker never got their teardown: stop them before listing leaks. Only
    # crashed workers: a worker that ended normally and left a process behind made a leak.
    for worker in sorted(found.crashed_workers):
        found.orphans.extend(stop_orphans_of_worker(run_id, worker))

    found.leaks = find_tagged(run_id, exclude=own_run_processes())
    if found.leaks and found.leaks_mode == "kill":
        for leak in found.leaks:
            stop_process_tree(leak.pid, grace=2.0)
    if found.leaks and found.leaks_mode == "fail" and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    found = config.stash.get(FINDINGS_KEY, None)
    if found is None:
        return
    for title, lines in found.summary_sections():
        terminalreporter.write_sep("=", title)
        for line in lines:
            terminalreporter.write_line(line)
