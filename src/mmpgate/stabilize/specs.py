"""What a server is: its command, how its port is chosen and how readiness is checked.

Pure values and command builders: nothing here starts a process.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PORT_PLACEHOLDER = "{port}"
HOST = "127.0.0.1"
UVICORN_PORT_LINE = r"Uvicorn running on https?://[^\s:]+:(\d+)"


@dataclass(frozen=True, slots=True)
class HttpReady:
    """Ready when `GET path` answers 2xx (GET, not HEAD: FastAPI answers HEAD with 405)."""

    path: str = "/"


@dataclass(frozen=True, slots=True)
class TcpReady:
    """Ready when the port accepts a TCP connection."""


@dataclass(frozen=True, slots=True)
class LogReady:
    """Ready when a line of the server's log matches `pattern` (a regex)."""

    pattern: str


Readiness = HttpReady | TcpReady | LogReady


@dataclass(frozen=True, slots=True)
class ReadBackPort:
    """The server binds port 0 itself; the real port is the first group of `pattern` in its log."""

    pattern: str = UVICORN_PORT_LINE


@dataclass(frozen=True, slots=True)
class ReservedPort:
    """A port reserved across the run's workers is substituted for `{port}` in the argv;
    `preferred` is tried first and skipped when anything already listens on it."""

    preferred: int | None = None


@dataclass(frozen=True, slots=True)
class NoPort:
    """The command needs no port (readiness must then be a log line)."""


PortMode = ReadBackPort | ReservedPort | NoPort


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """A server command and how to tell it is up."""

    argv: tuple[str, ...]
    readiness: Readiness = field(default_factory=HttpReady)
    port: PortMode = field(default_factory=ReservedPort)
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    startup_timeout: float = 60.0
    grace: float = 5.0
    host: str = HOST
    name: str = "server"

    def __post_init__(self) -> None:
        if not self.argv:
            raise ValueError("ServerSpec.argv must not be empty")
        if isinstance(self.port, ReservedPort) and PORT_PLACEHOLDER not in self.argv:
            raise ValueError(
                f"ServerSpec.argv needs a {PORT_PLACEHOLDER!r} item for a reserved port"
            )
        if isinstance(self.port, ReadBackPort):
            re.compile(self.port.pattern)
        if isinstance(self.port, NoPort) and not isinstance(self.readiness, LogReady):
            raise ValueError("a server without a port can only be probed by a log line (LogReady)")
        if self.startup_timeout <= 0 or self.grace < 0:
            raise ValueError("startup_timeout must be > 0 and grace >= 0")

    def command(self, port: int | None) -> list[str]:
        """The argv to run, with the reserved port filled in."""
        text = "" if port is None else str(port)
        return [text if arg == PORT_PLACEHOLDER else arg for arg in self.argv]


def uvicorn_spec(
    app: str,
    *,
    app_dir: Path | None = None,
    health_path: str = "/",
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    startup_timeout: float = 60.0,
    grace: float = 5.0,
) -> ServerSpec:
    """`python -m uvicorn APP --port 0`; the real port is read back from uvicorn's log."""
    argv = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", "0"]
    argv += ["--timeout-graceful-shutdown", str(max(1, int(grace)))]
    if app_dir is not None:
        argv += ["--app-dir", str(app_dir)]
    argv += list(extra_args)
    return ServerSpec(
        argv=tuple(argv),
        readiness=HttpReady(health_path),
        port=ReadBackPort(),
        env=dict(env or {}),
        startup_timeout=startup_timeout,
        grace=grace,
        name=f"uvicorn {app}",
    )


def mlflow_server_spec(
    *,
    backend_store_uri: str,
    artifact_root: Path,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    startup_timeout: float = 120.0,
    grace: float = 5.0,
) -> ServerSpec:
    """`mlflow server --workers 1` on a reserved port; health is `GET /health`."""
    argv = [sys.executable, "-m", "mlflow", "server", "--host", HOST, "--port", PORT_PLACEHOLDER]
    argv += ["--workers", "1", "--backend-store-uri", backend_store_uri]
    argv += ["--default-artifact-root", artifact_root.as_uri(), *extra_args]
    return ServerSpec(
        argv=tuple(argv),
        readiness=HttpReady("/health"),
        port=ReservedPort(),
        env=dict(env or {}),
        startup_timeout=startup_timeout,
        grace=grace,
        name="mlflow server",
    )


def feast_executable() -> str:
    """The `feast` script beside this interpreter, else whatever PATH finds."""
    beside = Path(sys.executable).parent / "feast"
    return str(beside) if beside.exists() else "feast"


def feast_serve_spec(
    repo_path: Path,
    *,
    workers: int = 1,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    startup_timeout: float = 120.0,
    grace: float = 5.0,
) -> ServerSpec:
    """`feast -c REPO serve -w 1` on a reserved port; `GET /health` is 503 until the registry is
    loaded, then 200, so the 2xx probe waits for a usable server."""
    argv = [feast_executable(), "-c", str(repo_path), "serve", "-h", HOST, "-p", PORT_PLACEHOLDER]
    argv += ["-w", str(workers), *extra_args]
    return ServerSpec(
        argv=tuple(argv),
        readiness=HttpReady("/health"),
        port=ReservedPort(),
        env=dict(env or {}),
        cwd=repo_path,
        startup_timeout=startup_timeout,
        grace=grace,
        name="feast serve",
    )
