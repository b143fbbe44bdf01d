"""Rules `sleep-after-start` and `terminate-top-only`: how started processes are awaited and stopped."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mmpgate.doctor.commands import is_starter
from mmpgate.doctor.context import (
    FunctionNode,
    ModuleContext,
    last_part,
    literal_text,
    target_key,
)
from mmpgate.doctor.flow import fixed_text
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import SLEEP_AFTER_START, TERMINATE_TOP_ONLY

_SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "sleep"})
_CONCURRENT = frozenset(
    {"threading.Thread", "multiprocessing.Process", "Thread", "Process", "threading.Timer"}
)
_STOP_METHODS = frozenset({"terminate", "kill", "send_signal"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
#: Words of a `python -c` snippet that may start further processes.
_SPAWNS = ("subprocess", "Popen", "fork", "spawn", "system", "multiprocessing", "os.exec")
_DEDENTS = frozenset({"textwrap.dedent", "inspect.cleandoc"})
_GROUP_STOPPERS = frozenset({"killpg", "stop_process_tree"})


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of both process rules in one module."""
    by_function: dict[FunctionNode | None, list[ast.Call]] = {}
    for call in ctx.calls:
        by_function.setdefault(ctx.enclosing_function(call), []).append(call)
    popen_keys = _started_process_keys(ctx)
    for function, calls in by_function.items():
        starts = [call for call in calls if _starts(ctx, call)]
        for call in calls:
            if (
                starts
                and ctx.callee(call) in _SLEEPS
                and _sleeps_after(ctx, call, starts, function)
            ):
                yield ctx.finding(SLEEP_AFTER_START, call)
        if popen_keys and not any(_stops_group(ctx, call) for call in calls):
            for call in calls:
                key = _stopped_key(ctx, call)
                if key is not None and key in popen_keys:
                    yield ctx.finding(TERMINATE_TOP_ONLY, call, f"`{key}`")


def _starts(ctx: ModuleContext, call: ast.Call) -> bool:
    if is_starter(ctx, call):
        return True
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "start":
        receiver = ctx.resolve(func.value)
        return isinstance(receiver, ast.Call) and ctx.callee(receiver) in _CONCURRENT
    return False


def _sleeps_after(
    ctx: ModuleContext, sleep: ast.Call, starts: list[ast.Call], function: FunctionNode | None
) -> bool:
    """A sleep after a start, unless it sits in a polling loop that does not restart the process."""
    earlier = [start for start in starts if start.lineno < sleep.lineno]
    if not earlier:
        return False
    for ancestor in ctx.ancestors(sleep):
        if ancestor is function:
            return True
        if isinstance(ancestor, _LOOPS):
            inside = {id(node) for node in ast.walk(ancestor)}
            return any(id(start) in inside for start in earlier)
    return True


def _started_process_keys(ctx: ModuleContext) -> set[str]:
    keys: set[str] = set()
    for key, values in ctx.assignments.items():
        for value in values:
            inner = value.value if isinstance(value, ast.Await) else value
            if (
                isinstance(inner, ast.Call)
                and is_starter(ctx, inner)
                and not _childless(ctx, inner)
            ):
                keys.add(key)
    return keys


def _childless(ctx: ModuleContext, call: ast.Call) -> bool:
    """`Popen([sys.executable, "-c", CODE])` whose fixed code starts no process: no tree to stop."""
    argv = ctx.resolve(call.args[0]) if call.args else None
    if not isinstance(argv, ast.List | ast.Tuple) or len(argv.elts) < 3:
        return False
    program, flag, code = argv.elts[:3]
    if ctx.dotted(program) != "sys.executable" or fixed_text(ctx, flag) != "-c":
        return False
    code = ctx.resolve(code)
    if isinstance(code, ast.Call) and ctx.callee(code) in _DEDENTS and len(code.args) == 1:
        code = ctx.resolve(code.args[0])
    text = literal_text(code)
    return bool(text) and not any(word in text for word in _SPAWNS)


def _stopped_key(ctx: ModuleContext, call: ast.Call) -> str | None:
    """The process a call signals: `proc.terminate()`, `proc.kill()`, `os.kill(proc.pid, ...)`."""
    func = call.func
    if ctx.callee(call) == "os.kill":
        pid = call.args[0] if call.args else None
        probe = (
            len(call.args) > 1
            and isinstance(call.args[1], ast.Constant)
            and call.args[1].value == 0
        )
        if isinstance(pid, ast.Attribute) and pid.attr == "pid" and not probe:
            return target_key(pid.value)
        return None
    if isinstance(func, ast.Attribute) and func.attr in _STOP_METHODS:
        return target_key(func.value)
    return None


def _stops_group(ctx: ModuleContext, call: ast.Call) -> bool:
    """The function also signals a process group or the process's descendants."""
    name = ctx.callee(call)
    func = call.func
    return last_part(name) in _GROUP_STOPPERS or (
        isinstance(func, ast.Attribute) and func.attr == "children"
    )
