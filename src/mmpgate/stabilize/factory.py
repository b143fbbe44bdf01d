"""The object the server fixtures hand to tests: start servers, remember them, stop them all."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from mmpgate.stabilize.runinfo import OUTER_RUN_IDS, OWNER_PID, RUN_ID, TEST_NODEID, WORKER
from mmpgate.stabilize.servers import RunningServer, ServerStartError, start_server
from mmpgate.stabilize.specs import (
    ServerSpec,
    feast_serve_spec,
    mlflow_server_spec,
    uvicorn_spec,
)

TAG_NAMES = (RUN_ID, OUTER_RUN_IDS, TEST_NODEID, WORKER, OWNER_PID)
UVICORN_MISSING = (
    "uvicorn is not installed (pip install 'mmpgate[server]'): server_factory.uvicorn() needs it"
)


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def current_tags() -> dict[str, str]:
    """The run tags of this process right now (the plugin keeps them in os.environ)."""
    return {name: os.environ[name] for name in TAG_NAMES if name in os.environ}


class ServerFactory:
    """Starts servers with logs in `log_dir`; `stop_all()` stops every one it started."""

    def __init__(
        self,
        *,
        log_dir: Path,
        shared_dir: Path,
        on_start: Callable[[RunningServer], None] | None = None,
        startup_timeout: float | None = None,
    ) -> None:
        self.log_dir = log_dir
        self.shared_dir = shared_dir
        self.servers: list[RunningServer] = []
        self._on_start = on_start
        self._startup_timeout = startup_timeout

    def start(self, spec: ServerSpec, *, name: str | None = None) -> RunningServer:
        label = re.sub(r"[^A-Za-z0-9_.-]+", "-", name or spec.name).strip("-") or "server"
        log_path = self.log_dir / f"{len(self.servers):02d}-{label}.log"
        server = start_server(
            spec, log_path=log_path, shared_dir=self.shared_dir, tag_env=current_tags()
        )
        self.servers.append(server)
        if self._on_start is not None:
            self._on_start(server)
        return server

    def _timeout(self, given: float | None, default: float) -> float:
        if given is not None:
            return given
        return self._startup_timeout if self._startup_timeout is not None else default

    def uvicorn(
        self,
        app: str,
        *,
        app_dir: Path | None = None,
        health_path: str = "/",
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        startup_timeout: float | None = None,
    ) -> RunningServer:
        """A uvicorn app on port 0 (the real port is read back from its log)."""
        if not _importable("uvicorn"):
            raise ServerStartError(UVICORN_MISSING)
        spec = uvicorn_spec(
            app,
            app_dir=app_dir,
            health_path=health_path,
            extra_args=extra_args,
            env=env,
            startup_timeout=self._timeout(startup_timeout, 60.0),
        )
        return self.start(spec)

    def mlflow(
        self,
        *,
        backend_store_uri: str | None = None,
        artifact_root: Path | None = None,
        env: Mapping[str, str] | None = None,
        startup_timeout: float | None = None,
    ) -> RunningServer:
        """`mlflow server --workers 1`; by default a fresh SQLite store and artifacts in the log dir."""
        index = len(self.servers)
        store_dir = self.log_dir / f"mlflow-{index:02d}"
        store_dir.mkdir(parents=True, exist_ok=True)
        spec = mlflow_server_spec(
            backend_store_uri=backend_store_uri or f"sqlite:///{store_dir / 'mlflow.db'}",
            artifact_root=artifact_root or store_dir / "artifacts",
            env=env,
            startup_timeout=self._timeout(startup_timeout, 120.0),
        )
        return self.start(spec)

    def feast(
        self,
        repo_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        startup_timeout: float | None = None,
    ) -> RunningServer:
        """`feast serve` for the feature repository at `repo_path`."""
        home = self.log_dir / f"feast-home-{len(self.servers):02d}"
        home.mkdir(parents=True, exist_ok=True)
        # gunicorn puts its control socket under $HOME: one per server keeps them apart.
        spec = feast_serve_spec(
            repo_path,
            env={"HOME": str(home), **(env or {})},
            startup_timeout=self._timeout(startup_timeout, 120.0),
        )
        return self.start(spec)

    def stop_all(self) -> None:
        """Stop every server this factory started, newest first."""
        for server in reversed(self.servers):
            server.stop()
