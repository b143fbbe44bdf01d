"""One step of data flow: what a value always is, and what the function around a use does.

The checks ask three questions of a finding's neighbourhood: is the value fixed (literals,
module constants, f-strings and paths built only from those and the temp dir), is it only
compared in this test, and is the callee it reaches patched out (so nothing really starts).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mmpgate.doctor.context import FunctionNode, ModuleContext, last_part, string_value
from mmpgate.doctor.paths import fixed_path

_MAX_DEPTH = 6
#: Callees whose patching means no real server or process starts.
SERVER_TARGETS = frozenset(
    {
        "run",
        "run_app",
        "run_simple",
        "serve",
        "serve_forever",
        "Server",
        "Config",
        "Popen",
        "start",
        "launch",
        "create_subprocess_exec",
        "create_subprocess_shell",
        "uvicorn",
        "subprocess",
    }
)
_SERVER_WORDS = ("serve", "run", "start", "popen", "uvicorn", "launch", "spawn", "subprocess")
_DOTTED = re.compile(r"[A-Za-z_][\w.]*")
_PATCHERS = frozenset({"patch", "patch.object", "patch.multiple", "setattr"})
_PER_TEST_CWD_FIXTURES = frozenset({"pytester", "testdir"})


def is_server_target(name: str) -> bool:
    """A patched name that stands for starting a server or process (`uvicorn.run`, `Popen`,
    the project's own `serve_app`)."""
    lowered = name.lower()
    return name in SERVER_TARGETS or any(word in lowered for word in _SERVER_WORDS)


def fixed_text(ctx: ModuleContext, node: ast.expr, depth: int = 0) -> str | None:
    """The text an expression always evaluates to, or None when any part of it can vary.

    The temp dir reads as `<tempdir>`; f-string placeholders must themselves be fixed.
    """
    if depth > _MAX_DEPTH:
        return None
    node = ctx.resolve(node)
    text = string_value(node)
    if text is not None:
        return text
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                inner = fixed_text(ctx, value.value, depth + 1)
                if inner is None:
                    return None
                parts.append(inner)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = fixed_text(ctx, node.left, depth + 1), fixed_text(ctx, node.right, depth + 1)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if method in {"as_posix", "as_uri", "resolve", "absolute"} and not node.args:
            base = fixed_text(ctx, node.func.value, depth + 1)
            if base is not None and method == "as_uri":
                return "file://" + base
            return base
    if isinstance(node, ast.Call) and ctx.callee(node) == "str" and len(node.args) == 1:
        return fixed_text(ctx, node.args[0], depth + 1)
    path = fixed_path(ctx, node)
    if path is not None and path.complete:
        return path.text()
    return None


def asserted_texts(ctx: ModuleContext, function: FunctionNode | None) -> set[str]:
    """String constants a function compares in an `assert` (values under test, not stores)."""
    if function is None:
        return set()
    key = ("asserted", id(function))
    if key in ctx.memo:
        return ctx.memo[key]  # type: ignore[return-value]
    found: set[str] = set()
    ctx.memo[key] = found
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            for part in ast.walk(node.test):
                text = string_value(part) if isinstance(part, ast.expr) else None
                if text:
                    found.add(text)
    return found


def has_per_test_cwd(ctx: ModuleContext, function: FunctionNode | None) -> bool:
    """The test runs in a directory of its own (pytester, or a chdir to a computed path), so
    relative paths in it are not shared."""
    if function is None:
        return False
    key = ("cwd", id(function))
    if key not in ctx.memo:
        ctx.memo[key] = _per_test_cwd(ctx, function)
    return bool(ctx.memo[key])


def _per_test_cwd(ctx: ModuleContext, function: FunctionNode) -> bool:
    names = {arg.arg for arg in (*function.args.args, *function.args.kwonlyargs)}
    if names & _PER_TEST_CWD_FIXTURES:
        return True
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and last_part(ctx.callee(node)) == "chdir"
            and node.args
            and fixed_text(ctx, node.args[-1]) is None
        ):
            return True
    return False


def patched_targets(ctx: ModuleContext, function: FunctionNode | None) -> set[str]:
    """Last parts of everything patched for a function: its own decorators and body, its class's
    decorators, and the bodies of same-module fixtures it requests (transitively)."""
    if function is None:
        return set()
    found: set[str] = set()
    seen: set[int] = set()
    fixtures = _module_functions(ctx)
    pending: list[FunctionNode] = [function]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found.update(_patches_in(ctx, current))
        for ancestor in ctx.ancestors(current):
            if isinstance(ancestor, ast.ClassDef):
                for decorator in ancestor.decorator_list:
                    found.update(_patch_target(ctx, decorator))
                break
        for arg in (*current.args.args, *current.args.kwonlyargs):
            pending.extend(fixtures.get(arg.arg, ()))
    return found


def _module_functions(ctx: ModuleContext) -> dict[str, list[FunctionNode]]:
    by_name: dict[str, list[FunctionNode]] = {}
    for function in ctx.functions:
        by_name.setdefault(function.name, []).append(function)
    return by_name


def _patches_in(ctx: ModuleContext, function: FunctionNode) -> Iterator[str]:
    for decorator in function.decorator_list:
        yield from _patch_target(ctx, decorator)
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            yield from _patch_target(ctx, node)
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr.startswith(
                ("assert_called", "assert_awaited", "assert_any_call")
            ):
                # `mock_uvicorn.run.assert_called_once_with(...)`: the names of the mocked callee
                yield from ctx.dotted(func.value).split(".")


def _patch_target(ctx: ModuleContext, node: ast.expr) -> Iterator[str]:
    """`mock.patch("a.b.run")`, `patch.object(x, "run")`, `monkeypatch.setattr(x, "run", ...)`,
    `monkeypatch.setattr("a.b.run", ...)`, `mocker.patch(...)`: the patched name's last part."""
    if not isinstance(node, ast.Call):
        return
    name = ctx.callee(node)
    tail = ".".join(name.split(".")[-2:]) if "." in name else name
    if last_part(name) not in {"patch", "object", "multiple", "setattr"} or not (
        tail in _PATCHERS or last_part(name) in _PATCHERS or tail.endswith(".patch")
    ):
        return
    texts = [
        text if text is not None and _DOTTED.fullmatch(text) else None
        for text in (string_value(arg) for arg in node.args[:2])
    ]
    if texts and texts[0] is not None:
        yield last_part(texts[0])
    elif len(texts) > 1 and texts[1] is not None:
        yield texts[1]
        target = ctx.dotted(node.args[0])
        if target:
            yield last_part(target)
