"""Ports for servers that cannot bind port 0 themselves: reserved across a run's workers."""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
MAX_TRIES = 50


@dataclass(frozen=True, slots=True)
class PortReservation:
    """A port number this process owns within the run until `release()`."""

    port: int
    sentinel: Path

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.sentinel.unlink()


def _os_free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def something_listens(port: int, host: str = HOST) -> bool:
    """True when a connection to host:port is accepted (someone else may own the port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _claim(ports_dir: Path, port: int) -> PortReservation | None:
    sentinel = ports_dir / str(port)
    try:
        fd = os.open(sentinel, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return None
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{os.getpid()}\n")
    return PortReservation(port, sentinel)


def reserve_port(
    shared_dir: Path, host: str = HOST, *, first_choice: int | None = None
) -> PortReservation | None:
    """Pick a free port and claim it with an O_EXCL sentinel file in the run's shared dir, so
    no other worker of the run is handed the same number (other programs are caught later by
    the start-up retry on an early exit or a foreign listener). With `first_choice`, only that
    port is tried, and None means another worker of the run holds it."""
    ports_dir = shared_dir / "mmpgate-ports"
    ports_dir.mkdir(parents=True, exist_ok=True)
    if first_choice is not None:
        return _claim(ports_dir, first_choice)  # None when another worker holds it
    for _ in range(MAX_TRIES):
        reservation = _claim(ports_dir, _os_free_port(host))
        if reservation is not None:
            return reservation
    raise RuntimeError(f"no free port could be reserved in {ports_dir} after {MAX_TRIES} tries")
