"""pytest hooks of the stabilization features: the `server` lock, server fixtures, the opt-in
global sweep and leak detection. Options and hooks only; the work is in the sibling modules,
imported lazily so this module stays cheap to load in every pytest run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mmpgate.stabilize import runinfo
from mmpgate.stabilize.state import StabilizeState

if TYPE_CHECKING:
    from mmpgate.stabilize.factory import ServerFactory

STATE_KEY = pytest.StashKey[StabilizeState]()
LOCK_ERROR_KEY = pytest.StashKey[str]()
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
        help="what to do with processes of this run alive at the end (ini mmpgate_leaks, "
        "default warn).",
    )
    group.addoption(
        "--mmpgate-kill-dry-run",
        action="store_true",
        default=False,
        help="with MMP_ENABLE_GLOBAL_KILL=1: list what the sweep matches, kill nothing.",
    )
    parser.addini("mmpgate_lock_timeout", "seconds a server-marked test waits", default="600")
    parser.addini("mmpgate_lock_dir", "directory of the server locks", default="")
    parser.addini("mmpgate_leaks", "warn, fail or kill leaked processes", default="warn")
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


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "server(name='default', *, timeout=None): run one at a time with every other test "
        "holding the same server lock, across all xdist workers; the lock covers the test's "
        "fixtures of any scope.",
    )
    leaks = config.getoption("mmpgate_leaks") or str(config.getini("mmpgate_leaks"))
    if leaks not in LEAK_MODES:
        raise pytest.UsageError(f"mmpgate_leaks: expected one of {', '.join(LEAK_MODES)}")
    lock_timeout = config.getoption("mmpgate_lock_timeout") or _ini_seconds(
        config, "mmpgate_lock_timeout"
    )
    state = StabilizeState(
        lock_timeout=lock_timeout or 600.0,
        leaks_mode=leaks,
        startup_timeout=_ini_seconds(config, "mmpgate_server_startup_timeout"),
    )
    if _is_worker(config):
        inputs: dict[str, Any] = config.workerinput  # type: ignore[attr-defined]
        state.worker = str(inputs.get("workerid", "gw?"))
        state.run_id = str(inputs.get("mmpgate_run_id") or os.environ.get(runinfo.RUN_ID, ""))
        state.run_dir = Path(inputs.get("mmpgate_run_dir") or tempfile.gettempdir())
        state.lock_dir = Path(inputs.get("mmpgate_lock_dir") or state.run_dir / "locks")
    else:
        state.worker = "master"
        state.run_id = runinfo.new_run_id()
        state.env.set(runinfo.OUTER_RUN_IDS, runinfo.nested_outer_ids(os.environ))
        state.env.set(runinfo.RUN_ID, state.run_id)
        base = Path(tempfile.gettempdir()) / f"mmpgate-{os.getuid()}"
        state.run_dir = base / state.run_id
        state.run_dir.mkdir(parents=True, exist_ok=True)
        state.own_run_dir = True
        chosen = config.getoption("mmpgate_lock_dir") or str(config.getini("mmpgate_lock_dir"))
        state.lock_dir = Path(chosen).resolve() if chosen else state.run_dir / "locks"
    state.env.set(runinfo.RUN_ID, state.run_id)
    state.env.set(runinfo.WORKER, state.worker)
    state.env.set(runinfo.OWNER_PID, str(os.getpid()))
    config.stash[STATE_KEY] = state


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    state = node.config.stash[STATE_KEY]
    node.workerinput["mmpgate_run_id"] = state.run_id
    node.workerinput["mmpgate_run_dir"] = str(state.run_dir)
    node.workerinput["mmpgate_lock_dir"] = str(state.lock_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return
    state.locks.release_all()
    state.env.restore()
    if state.own_run_dir and state.run_dir is not None:
        shutil.rmtree(state.run_dir, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    state = session.config.stash[STATE_KEY]
    state.session_start = time.time()
    if not _is_worker(session.config):
        _global_sweep(session.config, state)


def _global_sweep(config: pytest.Config, state: StabilizeState) -> None:
    from mmpgate.stabilize import globalkill
    from mmpgate.stabilize.processes import sweep

    if not globalkill.enabled():
        return
    result = sweep(
        list(config.getini("mmpgate_kill_patterns")),
        started_before=state.session_start,
        grace=float(str(config.getini("mmpgate_kill_grace"))),
        dry_run=config.getoption("mmpgate_kill_dry_run") or globalkill.dry_run_requested(),
    )
    state.swept.extend(result.processes)


def _lock_request(item: pytest.Item, default_timeout: float) -> tuple[list[str], float]:
    from mmpgate.stabilize.locks import check_name

    names: set[str] = set()
    timeout = default_timeout
    for mark in item.iter_markers("server"):
        if len(mark.args) > 1 or set(mark.kwargs) - {"name", "timeout"}:
            raise ValueError("use @pytest.mark.server, server('name') or server('name', timeout=S)")
        names.add(check_name(mark.args[0] if mark.args else mark.kwargs.get("name", "default")))
        if mark.kwargs.get("timeout") is not None:
            timeout = float(mark.kwargs["timeout"])
    return sorted(names), timeout


@pytest.hookimpl(tryfirst=True, wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[Any]:
    state = item.config.stash[STATE_KEY]
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
def pytest_runtest_setup(item: pytest.Item) -> None:
    error = item.stash.get(LOCK_ERROR_KEY, None)
    if error is not None:
        pytest.fail(error, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Any:
    result = yield
    state = request.config.stash[STATE_KEY]
    if (
        state.locks.held
        and fixturedef.scope != "function"
        and _project_fixture(request, fixturedef)
    ):
        state.locks.bind(("fixture", id(fixturedef)))
    return result


def pytest_fixture_post_finalizer(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> None:
    request.config.stash[STATE_KEY].locks.unbind(("fixture", id(fixturedef)))


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.failed:
        for server in item.config.stash[STATE_KEY].live_servers():
            report.sections.append(
                (f"mmpgate server log: {server.name} (pid {server.pid})", server.log_tail())
            )
    return report


def _factory(request: pytest.FixtureRequest, tmp: Path) -> Iterator[ServerFactory]:
    from mmpgate.stabilize.factory import ServerFactory

    state = request.config.stash[STATE_KEY]
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
    return request.config.stash[STATE_KEY].run_id


@pytest.fixture(scope="session")
def mmpgate_shared_dir(request: pytest.FixtureRequest) -> Path:
    """A directory shared by this run's workers and unique to the run."""
    run_dir = request.config.stash[STATE_KEY].run_dir
    assert run_dir is not None
    return run_dir


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    if not error:
        return
    from mmpgate.stabilize.orphans import stop_orphans_of_worker

    state = node.config.stash[STATE_KEY]
    worker = str(getattr(node, "workerinput", {}).get("workerid", ""))
    state.crashed_workers.add(worker)
    state.orphans.extend(stop_orphans_of_worker(state.run_id, worker))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash[STATE_KEY]
    if _is_worker(config):
        return
    if config.getini("mmpgate_kill_at_end"):
        _global_sweep(config, state)
    from mmpgate.stabilize.leaks import find_tagged, own_run_processes
    from mmpgate.stabilize.orphans import stop_orphans_of_worker
    from mmpgate.stabilize.processes import stop_process_tree

    # Servers of a crashed worker never got their teardown: stop them before listing leaks. Only
    # crashed workers: a worker that ended normally and left a process behind made a leak.
    for worker in sorted(state.crashed_workers):
        state.orphans.extend(stop_orphans_of_worker(state.run_id, worker))

    state.leaks = find_tagged(state.run_id, exclude=own_run_processes())
    if state.leaks and state.leaks_mode == "kill":
        for leak in state.leaks:
            stop_process_tree(leak.pid, grace=2.0)
    if state.leaks and state.leaks_mode == "fail" and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return
    for title, lines in state.summary_sections():
        terminalreporter.write_sep("=", title)
        for line in lines:
            terminalreporter.write_line(line)
