"""One base exception; the CLI turns any of them into one line and exit code 2."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """mmpgate's own exit codes (`run` passes pytest's through)."""

    OK = 0
    GATE_FAILED = 1
    USAGE_ERROR = 2


class MmpgateError(Exception):
    """Base of every error mmpgate reports to a user (exit code 2)."""


class UsageError(MmpgateError):
    """The command line asked for something that cannot be done."""


class ConfigError(MmpgateError):
    """A configuration file (`[tool.mmpgate]`, `mmpgate.yml`, `thresholds.yml`) is wrong."""


class InputError(MmpgateError):
    """An input file (metrics, baseline, JUnit, coverage XML) is missing or malformed."""


class OutputError(MmpgateError):
    """A file to write cannot be written: a directory in the way, or one of the command's inputs."""


def located(path: object, json_path: str, message: str) -> str:
    """Format the one-line message every input error uses: file, JSON path, what was expected."""
    where = f"{path}: {json_path}" if json_path else f"{path}"
    return one_line(f"{where}: {message}")


def one_line(text: str) -> str:
    """Line breaks inside a message (a key or value that holds one) written as escapes."""
    return text.replace("\r", "\\r").replace("\n", "\\n")
