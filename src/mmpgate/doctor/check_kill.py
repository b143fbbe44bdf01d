"""Rule `global-kill`: processes killed by name, or by pids taken from a machine-wide listing."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mmpgate.doctor.commands import basename, command_words, is_runner
from mmpgate.doctor.context import ModuleContext
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import GLOBAL_KILL

_KILLERS = frozenset({"pkill", "pgrep", "killall", "pidof"})
#: Options that scope pkill/pgrep to a parent, a process group or a session instead of a name.
_SCOPED = frozenset({"-P", "--parent", "-g", "--pgroup", "-s", "--session"})
_LISTINGS = frozenset({"psutil.process_iter", "psutil.pids"})
_SIGNAL_METHODS = frozenset({"kill", "terminate", "send_signal", "suspend"})

_UNIQUE_SOURCES = ("uuid.", "secrets.", "os.getpid")

Scope = tuple[int, str]


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of `global-kill` in one module."""
    listing_calls: set[ast.Call] = set()
    for call in ctx.calls:
        name = ctx.callee(call)
        if name in _LISTINGS or (name == "os.listdir" and _lists_proc(call)):
            listing_calls.add(call)
        elif is_runner(ctx, call):
            killer = _killer_command(ctx, call)
            if killer is not None:
                yield ctx.finding(GLOBAL_KILL, call, f"`{killer}`")
                if name != "subprocess.Popen":
                    listing_calls.add(call)
    if not listing_calls:
        return
    tainted = _tainted_names(ctx, listing_calls)
    for call in ctx.calls:
        func = call.func
        if ctx.callee(call) == "os.kill" and call.args:
            if _derived(ctx, call.args[0], tainted, listing_calls):
                yield ctx.finding(GLOBAL_KILL, call, "`os.kill` of a pid from a process listing")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in _SIGNAL_METHODS
            and _derived(ctx, func.value, tainted, listing_calls)
        ):
            yield ctx.finding(
                GLOBAL_KILL, call, f"`{func.attr}()` of a process from a process listing"
            )


def _killer_command(ctx: ModuleContext, call: ast.Call) -> str | None:
    for words in command_words(ctx, call):
        for index, word in enumerate(words):
            if basename(word) in _KILLERS:
                if basename(word) != "killall" and _SCOPED.intersection(words):
                    break
                if _unique_pattern(ctx, call):
                    break  # a pattern with a fresh uuid in it matches only this test's processes
                return " ".join(w for w in words[index:] if w)
    return None


def _unique_pattern(ctx: ModuleContext, call: ast.Call) -> bool:
    """The command's last word is built from a fresh random token (uuid, secrets, pid)."""
    command = ctx.resolve(call.args[0]) if call.args else None
    if not isinstance(command, ast.List | ast.Tuple) or not command.elts:
        return False
    pattern = ctx.resolve(command.elts[-1])
    return any(
        isinstance(node, ast.Call) and ctx.callee(node).startswith(_UNIQUE_SOURCES)
        for node in ast.walk(pattern)
    )


def _lists_proc(call: ast.Call) -> bool:
    return (
        bool(call.args) and isinstance(call.args[0], ast.Constant) and call.args[0].value == "/proc"
    )


def _scope(ctx: ModuleContext, node: ast.AST) -> int:
    function = ctx.enclosing_function(node)
    return id(function) if function is not None else 0


def _tainted_names(ctx: ModuleContext, sources: set[ast.Call]) -> set[Scope]:
    """Names (per function) bound to a process listing or to anything derived from one."""
    bindings: list[tuple[ast.expr, ast.expr]] = []
    for node in ctx.nodes(
        ast.For,
        ast.AsyncFor,
        ast.comprehension,
        ast.Assign,
        ast.AnnAssign,
        ast.NamedExpr,
        ast.withitem,
    ):
        if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            bindings.append((node.target, node.iter))
        elif isinstance(node, ast.Assign):
            bindings.extend((target, node.value) for target in node.targets)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            bindings.append((node.target, node.value))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            bindings.append((node.optional_vars, node.context_expr))
    tainted: set[Scope] = set()
    changed = True
    while changed:
        changed = False
        for target, value in bindings:
            if not _derived(ctx, value, tainted, sources):
                continue
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    key = (_scope(ctx, name), name.id)
                    if key not in tainted:
                        tainted.add(key)
                        changed = True
    return tainted


def _derived(
    ctx: ModuleContext, node: ast.expr, tainted: set[Scope], sources: set[ast.Call]
) -> bool:
    for part in ast.walk(node):
        if part in sources:
            return True
        if isinstance(part, ast.Name) and (_scope(ctx, part), part.id) in tainted:
            return True
    return False
