"""Rules `shared-tracking-store` and `shared-database`: stores at fixed, shared locations."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mmpgate.doctor.context import ModuleContext, last_part, string_value
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import SHARED_DATABASE, SHARED_TRACKING_STORE

_TRACKING_ENV = frozenset({"MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"})
_TRACKING_NAMES = ("tracking_uri", "registry_uri", "backend_store_uri")
_TRACKING_SETTERS = frozenset({"set_tracking_uri", "set_registry_uri"})
_STORE_OPTIONS = frozenset({"--backend-store-uri", "--registry-store-uri"})
_SQLITE_URL = re.compile(r"sqlite(?:\+\w+)?:///(?P<path>\S+)")
_SQLITE_CONNECT = frozenset({"sqlite3.connect", "aiosqlite.connect", "sqlite3.dbapi2.connect"})


def _in_memory(path: str) -> bool:
    return not path or path == ":memory:" or path.startswith("file::memory:")


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of both store rules in one module, at the line of the fixed literal."""
    tracking: dict[ast.Constant, str] = {}
    for value in _tracking_values(ctx):
        literal = ctx.resolve(value)
        if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
            text = literal.value
            if text and not text.endswith(":memory:") and text != "databricks":
                tracking[literal] = text
    for literal, text in tracking.items():
        yield ctx.finding(SHARED_TRACKING_STORE, literal, f"`{text}`")
    databases: dict[ast.Constant, str] = {}
    for node in ctx.nodes(ast.Constant):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        match = _SQLITE_URL.fullmatch(node.value)
        if match and node not in tracking and not _in_memory(match["path"]):
            databases[node] = node.value
    for call in ctx.calls:
        if ctx.callee(call) in _SQLITE_CONNECT and call.args:
            literal = ctx.resolve(call.args[0])
            if (
                isinstance(literal, ast.Constant)
                and isinstance(literal.value, str)
                and not _in_memory(literal.value)
            ):
                databases[literal] = literal.value
    for literal in sorted(databases, key=lambda node: (node.lineno, node.col_offset)):
        yield ctx.finding(SHARED_DATABASE, literal, f"`{databases[literal]}`")


def _tracking_values(ctx: ModuleContext) -> Iterator[ast.expr]:
    """Every expression used as an MLflow tracking or registry URI."""
    for call in ctx.calls:
        name = last_part(ctx.callee(call))
        if name in _TRACKING_SETTERS and call.args:
            yield call.args[0]
        if len(call.args) >= 2 and string_value(call.args[0]) in _TRACKING_ENV:
            yield call.args[1]  # setenv / setdefault / getenv / environ.get / putenv
        for keyword in call.keywords:
            if keyword.arg and (
                keyword.arg in _TRACKING_ENV or keyword.arg.lower().endswith(_TRACKING_NAMES)
            ):
                yield keyword.value
    for key, values in ctx.assignments.items():
        if last_part(key).lower().endswith(_TRACKING_NAMES):
            yield from values
    for node in ctx.nodes(ast.Assign, ast.AugAssign, ast.Dict, ast.List, ast.Tuple, ast.arguments):
        if isinstance(node, ast.Assign | ast.AugAssign) and _is_tracking_env_target(node):
            yield node.value
        elif isinstance(node, ast.Dict):
            for dict_key, value in zip(node.keys, node.values, strict=True):
                if dict_key is not None and string_value(dict_key) in _TRACKING_ENV:
                    yield value
        elif isinstance(node, ast.List | ast.Tuple):
            for option, value in zip(node.elts, node.elts[1:], strict=False):
                if string_value(option) in _STORE_OPTIONS:
                    yield value
        elif isinstance(node, ast.arguments):
            yield from _tracking_defaults(node)


def _is_tracking_env_target(node: ast.Assign | ast.AugAssign) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if isinstance(target, ast.Subscript) and string_value(target.slice) in _TRACKING_ENV:
            return True
    return False


def _tracking_defaults(arguments: ast.arguments) -> Iterator[ast.expr]:
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = list(
        zip(
            positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True
        )
    )
    pairs += [
        (arg, default)
        for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if default is not None
    ]
    for arg, default in pairs:
        if arg.arg.lower().endswith(_TRACKING_NAMES):
            yield default
