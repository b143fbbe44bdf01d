"""Rule `global-kill`: processes killed by name, or by pids taken from a machine-wide listing."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mmpgate.doctor.commands import basename, command_words, is_runner
from mmpgate.doctor.context import FunctionNode, ModuleContext, last_part, string_value
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import GLOBAL_KILL, GUARDED_GLOBAL_KILL

_KILLERS = frozenset({"pkill", "pgrep", "killall", "pidof"})
#: Options that scope pkill/pgrep to a parent, a process group or a session instead of a name.
_SCOPED = frozenset({"-P", "--parent", "-g", "--pgroup", "-s", "--session"})
_LISTINGS = frozenset({"psutil.process_iter", "psutil.pids"})
_SIGNAL_METHODS = frozenset({"kill", "terminate", "send_signal", "suspend"})

_UNIQUE_SOURCES = ("uuid.", "secrets.", "os.getpid")

Scope = tuple[int, str]


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of `global-kill` in one module; `guarded-global-kill` behind an env variable."""
    for node, detail in _kills(ctx):
        guard = env_guard(ctx, node)
        if guard is None:
            yield ctx.finding(GLOBAL_KILL, node, detail)
        else:
            yield ctx.finding(GUARDED_GLOBAL_KILL, node, f"{detail}, guarded by `{guard}`")


def env_guard(ctx: ModuleContext, node: ast.AST, depth: int = 0) -> str | None:
    """The environment variable a statement runs only under: an enclosing `if` on it, an early
    return when it is unset, or (one step) a function called only under such a guard."""
    child: ast.AST = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.If) and child in ancestor.body:
            name = _env_name(ctx, ancestor.test)
            if name is not None:
                return name
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef):
            return _early_return_guard(ctx, ancestor, node) or (
                _caller_guard(ctx, ancestor, depth) if depth == 0 else None
            )
        child = ancestor
    return None


def _early_return_guard(ctx: ModuleContext, function: FunctionNode, node: ast.AST) -> str | None:
    for statement in function.body:
        if statement.lineno >= getattr(node, "lineno", 0):
            break
        if (
            isinstance(statement, ast.If)
            and statement.body
            and isinstance(statement.body[-1], ast.Return | ast.Raise | ast.Expr)
        ):
            name = _env_name(ctx, statement.test)
            if name is not None:
                return name
    return None


def _caller_guard(ctx: ModuleContext, function: FunctionNode, depth: int) -> str | None:
    calls = [call for call in ctx.calls if last_part(ctx.callee(call)) == function.name]
    guards = [env_guard(ctx, call, depth + 1) for call in calls]
    if guards and all(guard is not None for guard in guards):
        return guards[0]
    return None


def _env_name(ctx: ModuleContext, test: ast.expr) -> str | None:
    """The variable a condition reads: `os.environ.get("X")`, `os.getenv("X")`, `os.environ["X"]`,
    `"X" in os.environ` (negated or compared, too)."""
    for node in ast.walk(test):
        if isinstance(node, ast.Call) and node.args:
            name = ctx.callee(node)
            if name in {"os.environ.get", "os.getenv", "environ.get"}:
                return string_value(node.args[0])
        if isinstance(node, ast.Subscript) and ctx.dotted(node.value) == "os.environ":
            return string_value(node.slice)
        if (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            and any(ctx.dotted(c) == "os.environ" for c in node.comparators)
        ):
            return string_value(node.left)
    return None


def _kills(ctx: ModuleContext) -> Iterator[tuple[ast.AST, str]]:
    """Each kill by name, or of a pid from a process listing, with what it runs."""
    listing_calls: set[ast.Call] = set()
    for call in ctx.calls:
        name = ctx.callee(call)
        if name in _LISTINGS or (name == "os.listdir" and _lists_proc(call)):
            listing_calls.add(call)
        elif is_runner(ctx, call):
            killer = _killer_command(ctx, call)
            if killer is not None:
                yield call, f"`{killer}`"
                if name != "subprocess.Popen":
                    listing_calls.add(call)
    if not listing_calls:
        return
    tainted = _tainted_names(ctx, listing_calls)
    for call in ctx.calls:
        func = call.func
        if ctx.callee(call) == "os.kill" and call.args:
            if _derived(ctx, call.args[0], tainted, listing_calls):
                yield call, "`os.kill` of a pid from a process listing"
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in _SIGNAL_METHODS
            and _derived(ctx, func.value, tainted, listing_calls)
        ):
            yield call, f"`{func.attr}()` of a process from a process listing"


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
