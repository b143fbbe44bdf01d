"""A throwaway PostgreSQL server for the history tests: the real server, never a mock.

`.ci/run` starts one and exports MMPGATE_TEST_POSTGRES_URL; without it, `start()` runs
initdb + pg_ctl from the Debian `postgresql` package in a temporary directory (as the
`postgres` user when running as root, which initdb refuses), listening on a Unix socket only.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

ENV_URL = "MMPGATE_TEST_POSTGRES_URL"


def binaries() -> Path | None:
    """The directory of initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _as_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    user = "postgres" if _exists("postgres") else "nobody"
    return ["runuser", "-u", user, "--", *command]


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


class Server:
    """A running cluster in `directory`; `url` connects to its `postgres` database."""

    def __init__(self) -> None:
        bindir = binaries()
        if bindir is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found: install the `postgresql` package "
                f"(.ci/run does) or set {ENV_URL}"
            )
        self.bindir = bindir
        self.directory = Path(tempfile.mkdtemp(prefix="mmpgate-pg-"))
        if os.geteuid() == 0:
            user = "postgres" if _exists("postgres") else "nobody"
            entry = pwd.getpwnam(user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
            self.user = user
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        data = self.directory / "data"
        subprocess.run(
            _as_user([str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", self.user]),
            check=True,
            capture_output=True,
        )
        options = f"-k {self.directory} -c listen_addresses='' -c fsync=off"
        subprocess.run(
            _as_user(
                [str(bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-o", options,
                 "-l", str(self.directory / "server.log")]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.url = f"postgresql://{self.user}@/postgres?host={self.directory}"

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        subprocess.run(
            _as_user(
                [
                    str(self.bindir / "pg_ctl"),
                    "stop",
                    "-m",
                    "fast",
                    "-D",
                    str(self.directory / "data"),
                ]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def fresh_database(admin_url: str, name: str) -> str:
    """Create database `name` on the server of `admin_url`; the URL of the new database."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin_url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")
