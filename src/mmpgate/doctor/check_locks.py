"""Rules `home-made-lock` and `own-server-lock`: cross-process locks a suite builds itself, and a
`server` marker or lock fixture of its own next to mmpgate's.

A lock is an exclusive create of a fixed path (`mkdir`, `os.open` with `O_EXCL`) retried in a
loop, or an `flock` of a file opened at a fixed path. It is diagnosed as a lock, not as a shared
scratch directory: `tmp_path` would make it lock nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mmpgate.doctor.context import ModuleContext, last_part, string_value
from mmpgate.doctor.fixtures import fixture_fact
from mmpgate.doctor.model import Finding
from mmpgate.doctor.paths import FixedPath, fixed_path
from mmpgate.doctor.rules import HOME_MADE_LOCK, OWN_SERVER_LOCK

_LOOPS = (ast.While, ast.For, ast.AsyncFor)
_LOCK_LIBRARIES = frozenset({"FileLock", "SoftFileLock", "UnixFileLock", "InterProcessLock"})
_STALE = "a holder killed with kill -9 leaves it behind, stale, for every later run"
_HELD = "the OS frees an flock when its holder dies, but not while the file stays open"


@dataclass(frozen=True, slots=True)
class HomeMadeLock:
    """One lock: the call that takes it, the fixed path, and how it fails."""

    call: ast.Call
    path: FixedPath
    how: str


def locks(ctx: ModuleContext) -> list[HomeMadeLock]:
    """Every home-made lock in a module."""
    found: list[HomeMadeLock] = []
    for call in ctx.calls:
        name = ctx.callee(call)
        func = call.func
        target: ast.expr | None = None
        how = ""
        if name in {"os.mkdir", "os.makedirs"} and call.args and not _exist_ok(call):
            target, how = call.args[0], f"`{last_part(name)}`"
        elif isinstance(func, ast.Attribute) and func.attr == "mkdir" and not _exist_ok(call):
            if name not in {"os.mkdir", "os.makedirs"}:
                target, how = func.value, "`mkdir`"
        elif name == "os.open" and len(call.args) >= 2 and "O_EXCL" in ast.dump(call.args[1]):
            target, how = call.args[0], "`os.open(O_EXCL)`"
        if target is not None and _in_retry_loop(ctx, call):
            path = fixed_path(ctx, target)
            if path is not None and path.complete:
                found.append(HomeMadeLock(call, path, how))
        elif name == "fcntl.flock" and call.args:
            path = _flocked_path(ctx, call.args[0])
            if path is not None:
                found.append(HomeMadeLock(call, path, "`flock`"))
    return found


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of both rules in one module."""
    for lock in locks(ctx):
        failure = _HELD if lock.how == "`flock`" else _STALE
        detail = f"{lock.how} on `{lock.path.text()}` is a lock; {failure}"
        yield ctx.finding(HOME_MADE_LOCK, lock.call, detail)
    if not ctx.is_test_side:
        return  # a marker registered by a plugin package is that plugin's own (mmpgate's, too)
    for call in ctx.calls:
        if last_part(ctx.callee(call)) == "addinivalue_line" and len(call.args) >= 2:
            line = string_value(call.args[1]) or ""
            if string_value(call.args[0]) == "markers" and line.split("(")[0].split(":")[0] == (
                "server"
            ):
                yield ctx.finding(OWN_SERVER_LOCK, call, "registers its own `server` marker")
    for function in ctx.functions:
        fixture = fixture_fact(ctx, function)
        if fixture is not None and _reads_server_marker(function) and _takes_a_lock(ctx, function):
            detail = f"fixture `{fixture.name}` locks tests marked `server`"
            yield ctx.finding(OWN_SERVER_LOCK, function, detail)


def _exist_ok(call: ast.Call) -> bool:
    return any(
        kw.arg == "exist_ok" and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in call.keywords
    )


def _in_retry_loop(ctx: ModuleContext, call: ast.Call) -> bool:
    """Inside a loop (in the same function) that catches the failure or sleeps between tries."""
    for ancestor in ctx.ancestors(call):
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef):
            return False
        if isinstance(ancestor, _LOOPS):
            return any(
                isinstance(node, ast.Try)
                or (isinstance(node, ast.Call) and last_part(ctx.callee(node)) == "sleep")
                for node in ast.walk(ancestor)
            )
    return False


def _flocked_path(ctx: ModuleContext, handle: ast.expr) -> FixedPath | None:
    """The fixed path of the file an `flock` locks: `open(PATH)` bound to the handle, or its
    `.fileno()`."""
    if isinstance(handle, ast.Call) and isinstance(handle.func, ast.Attribute):
        handle = handle.func.value  # f.fileno()
    opened = ctx.resolve(handle)
    if isinstance(opened, ast.Call) and last_part(ctx.callee(opened)) == "open" and opened.args:
        path = fixed_path(ctx, opened.args[0])
        return path if path is not None and path.complete else None
    return None


def _reads_server_marker(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"get_closest_marker", "iter_markers"}
        and any(string_value(arg) == "server" for arg in node.args)
        for node in ast.walk(function)
    )


def _takes_a_lock(ctx: ModuleContext, function: ast.AST) -> bool:
    """The fixture takes a lock: a lock library, a home-made lock, or a helper here that does."""
    found = locks(ctx)
    own = {id(lock.call) for lock in found}
    helpers = {
        enclosing.name
        for lock in found
        if (enclosing := ctx.enclosing_function(lock.call)) is not None
    }
    return any(
        isinstance(node, ast.Call)
        and (last_part(ctx.callee(node)) in _LOCK_LIBRARIES | helpers or id(node) in own)
        for node in ast.walk(function)
    )
