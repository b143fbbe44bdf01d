"""Rules `env-without-restore` and `global-state-without-restore`: process-wide state that a
test-side fixture, helper or module changes and never puts back.

Only test-side files are checked (tests, conftests, helpers under a tests directory): a product
package setting its own process state at start-up is its business.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mmpgate.doctor.check_stores import shared_tracking
from mmpgate.doctor.context import FunctionNode, ModuleContext, last_part, string_value
from mmpgate.doctor.fixtures import fixture_fact
from mmpgate.doctor.flow import fixed_text
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import ENV_WITHOUT_RESTORE, GLOBAL_STATE_WITHOUT_RESTORE, TRACKING_FIXTURE

_ENV = "os.environ"
_ENV_SETTERS = frozenset({"update", "setdefault"})
_SETUPS = frozenset(
    {"__enter__", "__aenter__", "setup_method", "setup_class", "setUp", "setUpClass", "start"}
)
_TEARDOWNS = frozenset(
    {
        "__exit__",
        "__aexit__",
        "teardown_method",
        "teardown_class",
        "tearDown",
        "tearDownClass",
        "stop",
        "close",
    }
)
_MLFLOW_FIXTURES = frozenset({"mlflow_tracking", TRACKING_FIXTURE})


@dataclass(frozen=True, slots=True)
class _Kind:
    """One kind of process-global state: its setters, what undoes them, and who owns it."""

    label: str
    setters: frozenset[str]
    restorers: frozenset[str]
    fix: str


_MLFLOW = _Kind(
    "MLflow client state",
    frozenset({"mlflow.set_tracking_uri", "mlflow.set_registry_uri", "mlflow.set_experiment"}),
    frozenset({"mlflow.set_tracking_uri", "mlflow.set_registry_uri", "mlflow.set_experiment"}),
    "request mmpgate's `mlflow_tracking` fixture (or set `mmpgate_mlflow_autouse = true`): it "
    "gives the test its own store and restores tracking URI, registry URI and experiment after it",
)
_KINDS = (
    _MLFLOW,
    _Kind(
        "working directory",
        frozenset({"os.chdir"}),
        frozenset({"os.chdir"}),
        "use `monkeypatch.chdir(path)` (restored after the test)",
    ),
    _Kind(
        "import path",
        frozenset({"sys.path.insert", "sys.path.append", "sys.path.extend"}),
        frozenset({"sys.path.remove", "sys.path.pop", "sys.path.clear"}),
        "use `monkeypatch.syspath_prepend(path)` (restored after the test)",
    ),
    _Kind(
        "logging handlers",
        frozenset({"addHandler", "logging.basicConfig"}),
        frozenset({"removeHandler"}),
        "remove the handler in the fixture's teardown, or read logs with pytest's `caplog`",
    ),
)


def owned_by_autouse_store(finding: Finding) -> bool:
    """A finding about MLflow client state, which mmpgate's autouse store restores per test."""
    return finding.rule == GLOBAL_STATE_WITHOUT_RESTORE and _MLFLOW.label in finding.message


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of both rules in one test-side module."""
    if not ctx.is_test_side:
        return
    yield from _environment(ctx)
    yield from _global_state(ctx)


def _environment(ctx: ModuleContext) -> Iterator[Finding]:
    for node, name in _env_writes(ctx):
        function = ctx.enclosing_function(node)
        if function is None:
            if not _under_main_guard(ctx, node):
                yield ctx.finding(ENV_WITHOUT_RESTORE, node, f"module level sets `{name}`")
            continue
        fixture = fixture_fact(ctx, function)
        if fixture is None or _restores_after_yield(ctx, function, node):
            continue
        if _inside_patch_dict(ctx, node):
            continue  # mock.patch.dict(os.environ) puts the whole environment back
        kind = "autouse fixture" if fixture.autouse else "fixture"
        detail = f"{kind} `{fixture.name}` sets `{name}`"
        yield ctx.finding(ENV_WITHOUT_RESTORE, node, detail)


def _env_writes(ctx: ModuleContext) -> Iterator[tuple[ast.AST, str]]:
    """`os.environ[K] = v`, `os.environ.update(...)`, `os.environ.setdefault(K, v)`, `os.putenv`."""
    for node in ctx.nodes(ast.Assign):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and ctx.dotted(target.value) == _ENV:
                    yield node, string_value(target.slice) or "a variable"
    for call in ctx.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _ENV_SETTERS:
            if ctx.dotted(func.value) == _ENV:
                first = string_value(call.args[0]) if call.args else None
                yield call, first or "variables"
        elif ctx.callee(call) == "os.putenv" and call.args:
            yield call, string_value(call.args[0]) or "a variable"


def _inside_patch_dict(ctx: ModuleContext, node: ast.AST) -> bool:
    return any(
        isinstance(ancestor, ast.With | ast.AsyncWith)
        and any(
            isinstance(item.context_expr, ast.Call)
            and ctx.callee(item.context_expr).endswith("patch.dict")
            for item in ancestor.items
        )
        for ancestor in ctx.ancestors(node)
    )


def _under_main_guard(ctx: ModuleContext, node: ast.AST) -> bool:
    return any(
        isinstance(ancestor, ast.If) and "__main__" in ast.dump(ancestor.test)
        for ancestor in ctx.ancestors(node)
    )


def _restores_after_yield(ctx: ModuleContext, function: FunctionNode, node: ast.AST) -> bool:
    """The fixture puts the environment back: an environment write or pop after its `yield`,
    in a `finally`, or a registered finalizer."""
    yields = [n.lineno for n in ast.walk(function) if isinstance(n, ast.Yield | ast.YieldFrom)]
    for child in ast.walk(function):
        if isinstance(child, ast.Call) and last_part(ctx.callee(child)) == "addfinalizer":
            return True
        line = getattr(child, "lineno", 0)
        if _touches_env(ctx, child) and child is not node and yields and line > min(yields):
            return True
        if isinstance(child, ast.Try) and any(
            _touches_env(ctx, inner) for stmt in child.finalbody for inner in ast.walk(stmt)
        ):
            return True
    return False


def _touches_env(ctx: ModuleContext, node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return ctx.dotted(node.func.value) == _ENV or ctx.callee(node) == "os.unsetenv"
    if isinstance(node, ast.Assign | ast.Delete):
        targets = node.targets
        return any(
            isinstance(t, ast.Subscript) and ctx.dotted(t.value) == _ENV for t in targets
        ) or any(ctx.dotted(t) == _ENV for t in targets)
    return False


def _global_state(ctx: ModuleContext) -> Iterator[Finding]:
    for call in ctx.calls:
        kind = _kind_of(ctx, call)
        if kind is None:
            continue
        if (
            kind is _MLFLOW
            and call.args
            and last_part(ctx.callee(call)) != "set_experiment"
            and (text := fixed_text(ctx, call.args[0])) is not None
            and shared_tracking(text)
        ):
            continue  # a fixed shared location is a shared-tracking-store finding already
        function = ctx.enclosing_function(call)
        if function is not None and _restored(ctx, function, call, kind):
            continue
        detail = f"`{ctx.callee(call) or _method(ctx, call)}(...)` changes the {kind.label}"
        yield ctx.finding(GLOBAL_STATE_WITHOUT_RESTORE, call, detail, kind.fix)


def _teardowns(ctx: ModuleContext, function: FunctionNode) -> list[FunctionNode]:
    """The methods that undo what a set-up method does: `__exit__` for `__enter__`, teardown
    methods for set-up ones."""
    if function.name not in _SETUPS:
        return []
    parent = next(iter(ctx.ancestors(function)), None)
    if not isinstance(parent, ast.ClassDef):
        return []
    return [
        node
        for node in parent.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in _TEARDOWNS
    ]


def _method(ctx: ModuleContext, call: ast.Call) -> str:
    """The called name's last part, also on a computed receiver (`getLogger(x).addHandler`)."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else last_part(ctx.callee(call))


def _kind_of(ctx: ModuleContext, call: ast.Call) -> _Kind | None:
    name = ctx.callee(call)
    for kind in _KINDS:
        if name in kind.setters or (
            "addHandler" in kind.setters and _method(ctx, call) == "addHandler"
        ):
            return kind
    return None


def _restored(ctx: ModuleContext, function: FunctionNode, call: ast.Call, kind: _Kind) -> bool:
    """Undone later in the same function (after a yield, in a finally, or simply afterwards), or
    the test uses the fixture that owns and restores this state."""
    if kind is _MLFLOW:
        requested = {arg.arg for arg in (*function.args.args, *function.args.kwonlyargs)}
        if requested & _MLFLOW_FIXTURES:
            return True
    if function.name in _TEARDOWNS:
        return True  # this is the restore
    restorers = {last_part(r) for r in kind.restorers}
    symmetric = kind.setters == kind.restorers  # set again to the old value: before or after
    for child in ast.walk(function):
        if not isinstance(child, ast.Call) or child is call:
            continue
        if (symmetric or child.lineno > call.lineno) and _method(ctx, child) in restorers:
            return True
    for teardown in _teardowns(ctx, function):
        for child in ast.walk(teardown):
            if isinstance(child, ast.Call) and last_part(ctx.callee(child)) in restorers:
                return True
    if kind.label == "working directory" and any(
        isinstance(child, ast.Call)
        and last_part(ctx.callee(child)) == "chdir"
        and ctx.callee(child) != "os.chdir"
        for child in ast.walk(function)
    ):
        return True  # monkeypatch.chdir / pytester.chdir put the first directory back at teardown
    if kind.label == "import path":
        return any(
            isinstance(child, ast.Assign)
            and any(
                ctx.dotted(t) == "sys.path"
                or (isinstance(t, ast.Subscript) and ctx.dotted(t.value) == "sys.path")
                for t in child.targets
            )
            for child in ast.walk(function)
        )
    return False
