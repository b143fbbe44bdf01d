"""Options that several subcommands share (argparse wiring only)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any


def _attempts(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {value!r}") from None
    if not 0 <= number <= 100:
        raise argparse.ArgumentTypeError(f"expected 0 to 100, got {number}")
    return number


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by `run` and `ci`."""
    parser.add_argument("groups", nargs="*", metavar="GROUP", help="groups to run (default: all)")
    parser.add_argument(
        "--all", action="store_true", dest="run_all", help="run every configured group"
    )
    parser.add_argument(
        "--results-dir",
        metavar="DIR",
        default=None,
        help="results directory (default: the `output` setting, mmpgate-results)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=None,
        help="mmpgate.yml or pyproject.toml to read",
    )
    parser.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop after the first group whose pytest run failed",
    )
    parser.add_argument(
        "--retries",
        type=_attempts,
        default=None,
        metavar="N",
        help="run each failed or errored test again N times, alone, in a fresh pytest process, "
        "and classify it passed/failed/flaky (overrides `retries` of [tool.mmpgate]; 0: off)",
    )


def with_retries(groups: list[Any], retries: int | None) -> list[Any]:
    """The groups with --retries applied (None keeps each group's configured `retries`)."""
    if retries is None:
        return groups
    return [dataclasses.replace(group, retries=retries) for group in groups]
