"""Starting a server in its own session, waiting until it is ready, and stopping all of it."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import psutil

from mmpgate.stabilize.ports import PortReservation, reserve_port, something_listens
from mmpgate.stabilize.processes import StopResult, descendants, stop_process_tree
from mmpgate.stabilize.runinfo import SERVER_ID
from mmpgate.stabilize.specs import (
    HttpReady,
    LogReady,
    NoPort,
    ReadBackPort,
    ReservedPort,
    ServerSpec,
    TcpReady,
)

POLL_S = 0.1
TAIL_LINES = 40
START_ATTEMPTS = 3
_ADDRESS_IN_USE = re.compile(r"address already in use|errno 98|port .* is in use", re.IGNORECASE)


class ServerStartError(Exception):
    """A server did not become ready: exited during start-up or timed out (message has the log tail)."""


def read_tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last `lines` lines of a log file (empty when it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            data = handle.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


class RunningServer:
    """A started server: where it listens, its log, and how to stop it with all its processes."""

    def __init__(
        self,
        spec: ServerSpec,
        popen: subprocess.Popen[bytes],
        port: int | None,
        log_path: Path,
        server_id: str,
        reservation: PortReservation | None,
    ) -> None:
        self.spec = spec
        self.popen = popen
        self.port = port
        self.log_path = log_path
        self.server_id = server_id
        self._reservation = reservation
        self._stopped: StopResult | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return f"http://{self.spec.host}:{self.port}"

    def alive(self) -> bool:
        return self._stopped is None and self.popen.poll() is None

    def log_tail(self, lines: int = TAIL_LINES) -> str:
        return read_tail(self.log_path, lines)

    def stop(self) -> StopResult:
        """SIGTERM the group and every descendant, SIGKILL after the grace period (idempotent)."""
        if self._stopped is None:
            self._stopped = stop_process_tree(
                self.pid,
                grace=self.spec.grace,
                popen=self.popen,
                pgid=self.pid,  # start_new_session: the server leads its own group
                server_id=self.server_id,
            )
            if self._reservation is not None:
                self._reservation.release()
        return self._stopped


def _tree_listens(pid: int, port: int) -> bool:
    procs = [psutil.Process(pid), *descendants(pid)] if psutil.pid_exists(pid) else []
    for proc in procs:
        try:
            conns = proc.net_connections(kind="inet")
        except psutil.Error:
            continue
        if any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in conns):
            return True
    return False


def _http_ok(host: str, port: int, path: str) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2.0)
    try:
        conn.request("GET", path)
        return 200 <= conn.getresponse().status < 300
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _ready(spec: ServerSpec, pid: int, port: int | None, log_path: Path) -> bool:
    readiness = spec.readiness
    if isinstance(readiness, LogReady):
        return re.search(readiness.pattern, read_tail(log_path, 10_000)) is not None
    if port is None or not _tree_listens(pid, port):
        return False  # never trust an answer from a listener that is not ours
    if isinstance(readiness, TcpReady):
        return True
    assert isinstance(readiness, HttpReady)
    return _http_ok(spec.host, port, readiness.path)


def _reserve(spec: ServerSpec, shared_dir: Path) -> PortReservation | None:
    mode = spec.port
    if not isinstance(mode, ReservedPort):
        return None
    if mode.preferred is not None and not something_listens(mode.preferred, spec.host):
        preferred = reserve_port(shared_dir, spec.host, first_choice=mode.preferred)
        if preferred is not None:
            return preferred
    while True:
        reservation = reserve_port(shared_dir, spec.host)
        assert reservation is not None
        if not something_listens(reservation.port, spec.host):
            return reservation
        # Held by some other program: keep the sentinel so no worker tries it again.


def _failure(spec: ServerSpec, what: str, log_path: Path) -> ServerStartError:
    tail = read_tail(log_path) or "(log is empty)"
    return ServerStartError(f"{spec.name}: {what}\nlog {log_path}, last lines:\n{tail}")


def start_server(
    spec: ServerSpec,
    *,
    log_path: Path,
    shared_dir: Path,
    tag_env: Mapping[str, str],
) -> RunningServer:
    """Start `spec` in its own session with output to `log_path` and wait until it is ready.

    Raises ServerStartError at once when the process exits during start-up (any exit code),
    or with the log tail when it is not ready within `spec.startup_timeout` seconds. A reserved
    port that turns out to be taken (address in use) is retried with another port.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, START_ATTEMPTS + 1):
        reservation = _reserve(spec, shared_dir)
        port = reservation.port if reservation else None
        server_id = f"srv-{os.getpid()}-{secrets.token_hex(4)}"
        env = {**os.environ, **tag_env, **spec.env, SERVER_ID: server_id}
        started = time.monotonic()
        with log_path.open("ab") as log:
            log.write(f"--- mmpgate: starting {spec.command(port)}\n".encode())
            log.flush()
            popen = subprocess.Popen(
                spec.command(port),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=spec.cwd,
                env=env,
                start_new_session=True,
            )
        server = RunningServer(spec, popen, port, log_path, server_id, reservation)
        deadline = started + spec.startup_timeout
        while True:
            code = popen.poll()
            if code is not None:
                server.stop()
                elapsed = time.monotonic() - started
                in_use = _ADDRESS_IN_USE.search(read_tail(log_path)) is not None
                if in_use and reservation is not None and attempt < START_ATTEMPTS:
                    break  # lost a race for the port: try another one
                raise _failure(
                    spec,
                    f"exited during start-up with exit code {code} after {elapsed:.1f} s "
                    f"(start-up timeout {spec.startup_timeout:g} s)",
                    log_path,
                )
            if isinstance(spec.port, ReadBackPort) and server.port is None:
                match = re.search(spec.port.pattern, read_tail(log_path, 10_000))
                if match:
                    server.port = int(match.group(1))
            if _ready(spec, popen.pid, server.port, log_path):
                return server
            if time.monotonic() >= deadline:
                server.stop()
                raise _failure(
                    spec,
                    f"not ready after the start-up timeout of {spec.startup_timeout:g} s",
                    log_path,
                )
            time.sleep(POLL_S)
    raise AssertionError("unreachable: the last attempt returns or raises")


__all__ = ["NoPort", "RunningServer", "ServerStartError", "read_tail", "start_server"]
