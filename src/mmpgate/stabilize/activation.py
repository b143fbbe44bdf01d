"""When the stabilization machinery switches on, and where a run keeps its shared state.

An installed mmpgate must cost a pytest run nothing until the run asks for it (the way
pytest-xdist registers its `DSession` only in distribution mode). So the always-loaded
`stabilize.plugin` only decides; the stateful part (`stabilize.session.StabilizeSession`: the
per-test lock and tag wrappers, the run directory, the environment tags) is registered by
`activate()` only when the run needs it:

- at `pytest_configure`, when leak detection is asked for explicitly (`--mmpgate-leaks` or the
  ini key `mmpgate_leaks`): the whole run is watched, as documented;
- at `pytest_collection_finish`, when a collected item carries `@pytest.mark.server` or uses a
  fixture of the feature (`TRIGGER_FIXTURES`, anywhere in its fixture closure, so a conftest
  fixture built on `module_server_factory` counts), before any test or fixture runs;
- lazily, when one of those fixtures is requested dynamically (`request.getfixturevalue`).

Under pytest-xdist the controller does not collect, so it cannot make the collection-time
decision itself. Every worker collects the whole suite, so every worker reaches the same
decision on its own. The controller therefore only names the run (`RunPlace`: a fresh run id, the
ids of enclosing runs and a per-run directory path, none of it created) and hands it to each
worker in `pytest_configure_node`. A worker that activates creates that directory; at the end of
the session the controller finds the directory and knows the run used the feature: it stops the
servers of crashed workers, scans for leaked processes and removes the directory. A run where
the directory never appeared is not scanned at all. A worker started by a controller that did
not name the run (mmpgate's plugin disabled there only) derives the same place as its siblings
from xdist's `testrunuid`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mmpgate.stabilize.state import StabilizeState

#: Fixtures whose use switches the machinery on for the run.
TRIGGER_FIXTURES = frozenset(
    {
        "server_factory",
        "module_server_factory",
        "session_server_factory",
        "mmpgate_run_id",
        "mmpgate_shared_dir",
    }
)
SERVER_MARKER = "server"
SESSION_PLUGIN_NAME = "mmpgate-stabilize-session"
PLACE_KEY = "mmpgate_run_place"  # the workerinput key the controller fills


@dataclass(frozen=True, slots=True)
class Settings:
    """The stabilization options of a run, read once at `pytest_configure`."""

    lock_timeout: float
    leaks_mode: str
    leaks_asked: bool
    startup_timeout: float | None


@dataclass(frozen=True, slots=True)
class RunPlace:
    """A run's identity and its shared directories; naming them creates nothing."""

    run_id: str
    outer_ids: str
    run_dir: Path
    lock_dir: Path

    def as_input(self) -> dict[str, str]:
        """The form sent to a pytest-xdist worker (workerinput travels as plain values)."""
        return {
            "run_id": self.run_id,
            "outer_ids": self.outer_ids,
            "run_dir": str(self.run_dir),
            "lock_dir": str(self.lock_dir),
        }

    @classmethod
    def from_input(cls, data: dict[str, str]) -> RunPlace:
        return cls(data["run_id"], data["outer_ids"], Path(data["run_dir"]), Path(data["lock_dir"]))


SETTINGS_KEY = pytest.StashKey[Settings]()
PLACE_STASH_KEY = pytest.StashKey[RunPlace]()
STATE_KEY = pytest.StashKey["StabilizeState"]()


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def item_needs(item: pytest.Item) -> bool:
    """True when this test takes the server lock or uses a fixture of the feature."""
    names: Sequence[str] = getattr(item, "fixturenames", ())
    if not TRIGGER_FIXTURES.isdisjoint(names):
        return True
    # `keywords` holds the markers of the item and of its parents (and their names): one dict
    # lookup per level, where `get_closest_marker` walks generators for every test of every run.
    # A name that only looks like the marker is ruled out by the marker lookup itself.
    return SERVER_MARKER in item.keywords and item.get_closest_marker(SERVER_MARKER) is not None


def _runs_base() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / f"mmpgate-{os.getuid()}"


def _lock_dir(config: pytest.Config, run_dir: Path) -> Path:
    chosen = config.getoption("mmpgate_lock_dir") or str(config.getini("mmpgate_lock_dir"))
    return Path(chosen).resolve() if chosen else run_dir / "locks"


def place(config: pytest.Config) -> RunPlace:
    """This run's place: named once per process (by the controller for the whole run)."""
    known = config.stash.get(PLACE_STASH_KEY, None)
    if known is not None:
        return known
    from mmpgate.stabilize import runinfo

    if is_worker(config):
        inputs: dict[str, Any] = config.workerinput  # type: ignore[attr-defined]
        sent = inputs.get(PLACE_KEY)
        if sent:
            found = RunPlace.from_input(sent)
        else:
            run_id = f"mmp-xdist-{inputs.get('testrunuid', 'unknown')}"
            run_dir = _runs_base() / run_id
            outer = runinfo.nested_outer_ids(os.environ)
            found = RunPlace(run_id, outer, run_dir, _lock_dir(config, run_dir))
    else:
        run_id = runinfo.new_run_id()
        run_dir = _runs_base() / run_id
        outer = runinfo.nested_outer_ids(os.environ)
        found = RunPlace(run_id, outer, run_dir, _lock_dir(config, run_dir))
    config.stash[PLACE_STASH_KEY] = found
    return found


def activate(config: pytest.Config) -> StabilizeState:
    """Switch the machinery on for this process (idempotent): run directory, tags, per-test hooks."""
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        return state
    from mmpgate.stabilize import runinfo
    from mmpgate.stabilize.session import StabilizeSession
    from mmpgate.stabilize.state import StabilizeState

    settings = config.stash[SETTINGS_KEY]
    where = place(config)
    worker = "master"
    if is_worker(config):
        worker = str(config.workerinput.get("workerid", "gw?"))  # type: ignore[attr-defined]
    state = StabilizeState(
        lock_timeout=settings.lock_timeout,
        leaks_mode=settings.leaks_mode,
        startup_timeout=settings.startup_timeout,
        worker=worker,
        run_id=where.run_id,
        run_dir=where.run_dir,
        lock_dir=where.lock_dir,
    )
    where.run_dir.mkdir(parents=True, exist_ok=True)
    state.env.set(runinfo.OUTER_RUN_IDS, where.outer_ids)
    state.env.set(runinfo.RUN_ID, where.run_id)
    state.env.set(runinfo.WORKER, worker)
    state.env.set(runinfo.OWNER_PID, str(os.getpid()))
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(StabilizeSession(state), SESSION_PLUGIN_NAME)
    return state


def run_in_use(config: pytest.Config) -> bool:
    """On the controller at the end: did this process or any worker switch the machinery on?"""
    if STATE_KEY in config.stash:
        return True
    known = config.stash.get(PLACE_STASH_KEY, None)  # named only if workers were started
    return known is not None and known.run_dir.is_dir()
