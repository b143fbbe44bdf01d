"""Writing results files: deterministic JSON, atomic writes, and the refusals that keep a command
from writing over one of its own inputs or over another group's file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmpgate.errors import OutputError, located

_ENTRY_ENCODER = json.JSONEncoder(sort_keys=True, allow_nan=False)
_TESTS_PLACEHOLDER = "\x00tests\x00"


def dumps(document: Mapping[str, Any]) -> str:
    """Deterministic JSON text: indented, with one `tests[]` entry per line.

    `indent=2` forces the pure-Python encoder; the entries (most of a large file) go through the
    C encoder one line each instead, three times faster on 200,000 tests.
    """
    tests = document.get("tests")
    if not isinstance(tests, list) or not tests:
        return json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n"
    head = json.dumps(
        {**document, "tests": _TESTS_PLACEHOLDER}, indent=2, sort_keys=True, allow_nan=False
    )
    body = ",\n".join(f"    {_ENTRY_ENCODER.encode(entry)}" for entry in tests)
    marker = json.dumps(_TESTS_PLACEHOLDER)
    if head.count(marker) != 1:  # a string elsewhere holds the marker: take the slow path
        return json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n"
    return head.replace(marker, f"[\n{body}\n  ]", 1) + "\n"


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Write atomically: readers see the old file or the whole new one, never a partial one."""
    write_text(path, dumps(document))


def write_text(path: Path, text: str) -> None:
    """The one atomic write: a temporary file in the same directory, then `os.replace`."""
    with StagedFiles() as staged:
        staged.stage(path).write_text(text, encoding="utf-8")


def check_target(path: Path) -> None:
    """A file about to be written must not be a directory, nor sit below a file."""
    if path.is_dir():
        raise OutputError(located(path, "", "expected a file to write, found a directory"))
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(
                    located(path, "", f"cannot be written: {parent} is not a directory")
                )
            break


def refuse_inputs(
    output: Path, inputs: Mapping[str, Path | None], option: str = "--output"
) -> None:
    """No command writes over one of its own inputs: `option` naming an input is refused."""
    check_target(output)
    target = _identity(output)
    for name, path in inputs.items():
        if path is not None and target == _identity(path):
            raise OutputError(
                located(output, "", f"{option} is also the {name} input; choose another file")
            )


def refuse_other_group(output: Path, group: str) -> None:
    """A group's metrics go to a file of that group: never over another group's (or the total)."""
    name = output.name
    if name.startswith("metrics.") and name.endswith(".json"):
        named = name[len("metrics.") : -len(".json")]
        shard_of_group = (
            named.startswith(group) and not named[len(group) : len(group) + 1].isalnum()
        )
        if named != group and not shard_of_group:
            raise OutputError(
                located(
                    output,
                    "",
                    f"is named for group {named!r}, not {group!r}; write metrics.{group}.json",
                )
            )
    if output.is_file():
        try:
            held = json.loads(output.read_bytes()).get("group")
        except (OSError, ValueError, AttributeError, RecursionError):
            held = None  # not a metrics document: nothing of another group is lost
        if isinstance(held, str) and held != group:
            raise OutputError(
                located(
                    output,
                    "",
                    f"holds the metrics of group {held!r}; not overwritten with {group!r}",
                )
            )


def _identity(path: Path) -> object:
    try:
        stat = path.stat()
    except OSError:
        return os.path.abspath(path)
    return (stat.st_dev, stat.st_ino)


class StagedFiles:
    """A set of files replaced together: every new file is written to a temporary file first.

    Leaving the block normally moves each temporary file over its target (and removes the targets
    given to `remove`); an exception removes the temporary files and leaves every target untouched.
    Every target is checked before the first one is replaced, so a directory in the way of the
    last file cannot leave the first ones rewritten.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []
        self._removed: list[Path] = []

    def __enter__(self) -> StagedFiles:
        return self

    def stage(self, target: Path) -> Path:
        """A new temporary path (in the target's directory) to write the target's content to."""
        check_target(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
        self._staged.append((Path(tmp), target))
        return Path(tmp)

    def remove(self, target: Path) -> None:
        """Delete `target` (a stale member of the set) when the others are replaced."""
        check_target(target)
        self._removed.append(target)

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        try:
            if kind is None:
                for _tmp, target in self._staged:
                    check_target(target)
                for tmp, target in self._staged:
                    os.replace(tmp, target)
                for target in self._removed:
                    target.unlink(missing_ok=True)
        finally:
            for tmp, _target in self._staged:
                tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
