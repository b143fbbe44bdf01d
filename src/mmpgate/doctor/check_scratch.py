"""Rule `shared-scratch-dir`: a fixed path (system temp dir or repo) written and then deleted."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mmpgate.doctor import check_locks
from mmpgate.doctor.context import ModuleContext, string_value
from mmpgate.doctor.model import Finding
from mmpgate.doctor.paths import TEMP, FixedPath, fixed_path
from mmpgate.doctor.rules import SHARED_SCRATCH_DIR

_WRITE_FUNCTIONS = frozenset({"os.makedirs", "os.mkdir", "sqlite3.connect"})
_COPY_FUNCTIONS = frozenset(
    {
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.copytree",
        "shutil.move",
        "os.rename",
        "os.replace",
        "os.symlink",
    }
)
_WRITE_METHODS = frozenset({"mkdir", "write_text", "write_bytes", "touch", "symlink_to"})
_DELETE_FUNCTIONS = frozenset(
    {"shutil.rmtree", "os.remove", "os.unlink", "os.rmdir", "os.removedirs"}
)
_DELETE_METHODS = frozenset({"unlink", "rmdir"})


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of `shared-scratch-dir`: each deletion of a fixed path this module also writes."""
    writes: list[FixedPath] = []
    deletes: list[tuple[ast.Call, FixedPath]] = []
    for call in ctx.calls:
        for target in _written(ctx, call):
            if (path := fixed_path(ctx, target)) is not None and _shared(path):
                writes.append(path)
        for target in _deleted(ctx, call):
            if (path := fixed_path(ctx, target)) is not None and path.complete and _shared(path):
                deletes.append((call, path))
    lock_paths = {lock.path.parts for lock in check_locks.locks(ctx)}
    for call, path in deletes:
        if path.parts in lock_paths:
            continue  # releasing a home-made lock: `home-made-lock` says what is wrong with it
        if any(_related(path, written) for written in writes):
            yield ctx.finding(SHARED_SCRATCH_DIR, call, f"`{path.text()}`")


def _written(ctx: ModuleContext, call: ast.Call) -> Iterator[ast.expr]:
    name = ctx.callee(call)
    func = call.func
    if name in _WRITE_FUNCTIONS and call.args:
        yield call.args[0]
    elif name in _COPY_FUNCTIONS and len(call.args) >= 2:
        yield call.args[1]
    elif name in {"open", "io.open"} and call.args and _writes_mode(call, 1):
        yield call.args[0]
    elif isinstance(func, ast.Attribute):
        if func.attr in _WRITE_METHODS or (func.attr == "open" and _writes_mode(call, 0)):
            yield func.value
        elif func.attr.startswith(("write", "save", "dump", "to_")):
            yield from call.args[:1]


def _deleted(ctx: ModuleContext, call: ast.Call) -> Iterator[ast.expr]:
    if ctx.callee(call) in _DELETE_FUNCTIONS and call.args:
        yield call.args[0]
    elif (
        isinstance(call.func, ast.Attribute) and call.func.attr in _DELETE_METHODS and not call.args
    ):
        yield call.func.value


def _writes_mode(call: ast.Call, position: int) -> bool:
    mode: ast.expr | None = call.args[position] if len(call.args) > position else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    text = string_value(mode) if mode is not None else None
    return text is not None and any(flag in text for flag in "wax+")


def _shared(path: FixedPath) -> bool:
    """True for paths in the system temp dir or inside the project (not the temp dir itself)."""
    if path.parts[:1] == (TEMP,):
        return len(path.parts) > 1
    if path.parts[:1] == ("/",):
        return len(path.parts) > (2 if path.parts[1] == "tmp" else 3)
    return bool(path.parts)


def _related(deleted: FixedPath, written: FixedPath) -> bool:
    """A deletion touches what was written: one path contains the other."""
    size = min(len(deleted.parts), len(written.parts))
    if deleted.parts[:size] != written.parts[:size]:
        return False
    return written.complete or len(deleted.parts) <= len(written.parts)
