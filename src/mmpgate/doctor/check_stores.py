"""Rules `shared-tracking-store` and `shared-database`: stores at fixed, shared locations.

A location is reported only when it is fixed (see `flow.fixed_text`) and reaches something that
opens it: an MLflow client or the variables it reads, an SQLAlchemy engine, `sqlite3.connect`,
a server's store option, a builder's default, or a config file the test writes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from mmpgate.doctor.context import ModuleContext, last_part, string_value
from mmpgate.doctor.flow import asserted_texts, fixed_text, has_per_test_cwd
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import SHARED_DATABASE, SHARED_TRACKING_STORE

_TRACKING_ENV = frozenset({"MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"})
_TRACKING_NAMES = ("tracking_uri", "registry_uri", "backend_store_uri")
_TRACKING_SETTERS = frozenset({"set_tracking_uri", "set_registry_uri"})
_TRACKING_CLIENTS = frozenset({"MlflowClient", "TrackingServiceClient"})
_STORE_OPTIONS = frozenset({"--backend-store-uri", "--registry-store-uri"})
_DATABASE_NAMES = ("database_url", "database_uri", "db_url", "db_uri", "sqlalchemy_url", "dsn")
_ENGINES = frozenset({"create_engine", "create_async_engine", "engine_from_config"})
_SQLITE_URL = re.compile(r"sqlite(?:\+\w+)?:///(?P<path>[^\s'\"]+)")
_SQLITE_CONNECT = frozenset({"sqlite3.connect", "aiosqlite.connect", "sqlite3.dbapi2.connect"})
_ENV_READERS = frozenset({"get", "getenv"})
_WRITERS = frozenset({"write", "write_text", "writelines"})
_DUMPERS = frozenset({"dump", "safe_dump", "dump_all", "safe_dump_all"})
#: Ports below this one are never a test server's: an URI on them is meant to be unreachable.
_FIRST_UNRESERVED_PORT = 1024

#: (value expression, the node whose function decides, strong): weak sinks (names, keywords,
#: defaults of builders) are dropped when the test only compares the value.
Sink = tuple[ast.expr, ast.AST, bool]


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of both store rules in one module, at the line of the fixed value."""
    reported: dict[tuple[int, str], tuple[str, ast.AST, str]] = {}
    for value, where, strong in _tracking_sinks(ctx):
        text = _shared_value(ctx, value, where, strong)
        if text is not None and shared_tracking(text):
            node = ctx.resolve(value)
            reported.setdefault((id(node), text), (SHARED_TRACKING_STORE, node, text))
    for value, where, strong in _database_sinks(ctx):
        text = _shared_value(ctx, value, where, strong)
        if text is None:
            continue
        match = _SQLITE_URL.fullmatch(text)
        path = match["path"] if match else text
        if _in_memory(path) or (match is None and "://" in text):
            continue
        node = ctx.resolve(value)
        if not any(key[0] == id(node) for key in reported):
            reported[(id(node), text)] = (SHARED_DATABASE, node, text)
    for written, text in _written_urls(ctx):
        reported.setdefault((id(written), text), (SHARED_DATABASE, written, text))
    for rule, where, text in sorted(reported.values(), key=lambda item: _position(item[1])):
        yield ctx.finding(rule, where, f"`{text}`")


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _shared_value(ctx: ModuleContext, value: ast.expr, where: ast.AST, strong: bool) -> str | None:
    """The fixed text of a store location, unless this test makes it private or only compares it."""
    text = fixed_text(ctx, value)
    if not text:
        return None
    function = ctx.enclosing_function(where)
    if not strong and text in asserted_texts(ctx, function):
        return None
    if _relative(text) and has_per_test_cwd(ctx, function):
        return None
    return text


def _relative(text: str) -> bool:
    match = _SQLITE_URL.fullmatch(text)
    path = match["path"] if match else text.removeprefix("file:")
    return not path.startswith(("/", "<tempdir>")) and "://" not in path


def _in_memory(path: str) -> bool:
    return not path or path.endswith(":memory:") or path.startswith("file::memory:")


def shared_tracking(text: str) -> bool:
    """A tracking URI every worker would share (not in memory, not on a reserved port)."""
    if text.endswith(":memory:") or text.startswith("databricks"):
        return False
    if text.startswith(("http://", "https://")):
        try:
            port = urlsplit(text).port
        except ValueError:
            return False
        return port is None or port >= _FIRST_UNRESERVED_PORT
    return True


def _tracking_sinks(ctx: ModuleContext) -> Iterator[Sink]:
    """Every expression used as an MLflow tracking or registry URI."""
    for call in ctx.calls:
        name = last_part(ctx.callee(call))
        if name in _TRACKING_SETTERS and call.args:
            yield call.args[0], call, True
        if name in _TRACKING_CLIENTS and call.args:
            yield call.args[0], call, True
        if len(call.args) >= 2 and string_value(call.args[0]) in _TRACKING_ENV:
            if last_part(ctx.callee(call)) in _ENV_READERS:
                if ctx.is_test_side:  # a product's fallback when unset is its own configuration
                    yield call.args[1], call, True
            else:  # setenv / setdefault / putenv: weak, a test may only compare what it set
                yield call.args[1], call, False
        for keyword in call.keywords:
            if keyword.arg in _TRACKING_ENV:
                yield keyword.value, call, True
            elif keyword.arg and keyword.arg.lower().endswith(_TRACKING_NAMES):
                yield keyword.value, call, name in _TRACKING_CLIENTS
    for key, values in ctx.assignments.items():
        if last_part(key).lower().endswith(_TRACKING_NAMES):
            for value in values:
                yield value, value, False
    for node in ctx.nodes(ast.Assign, ast.AugAssign, ast.Dict, ast.List, ast.Tuple, ast.arguments):
        if isinstance(node, ast.Assign | ast.AugAssign) and _is_env_target(node, _TRACKING_ENV):
            yield node.value, node, False
        elif isinstance(node, ast.Dict):
            for dict_key, value in zip(node.keys, node.values, strict=True):
                if dict_key is not None and string_value(dict_key) in _TRACKING_ENV:
                    yield value, node, False
        elif isinstance(node, ast.List | ast.Tuple):
            for option, value in zip(node.elts, node.elts[1:], strict=False):
                if string_value(option) in _STORE_OPTIONS:
                    yield value, node, False
        elif isinstance(node, ast.arguments):
            for arg, default in _defaults(node):
                if arg.lower().endswith(_TRACKING_NAMES):
                    yield default, default, False


def _database_sinks(ctx: ModuleContext) -> Iterator[Sink]:
    """Every expression that something opens as an SQLite database."""
    for call in ctx.calls:
        name = ctx.callee(call)
        if last_part(name) in _ENGINES or name in _SQLITE_CONNECT:
            first = call.args[0] if call.args else _keyword(call, "url", "database")
            if first is not None:
                yield first, call, True
        if len(call.args) >= 2 and _is_database_env(string_value(call.args[0])):
            yield call.args[1], call, True
    for node in ctx.nodes(ast.Assign, ast.arguments):
        if isinstance(node, ast.Assign) and _is_env_target(node, None):
            yield node.value, node, True
        elif isinstance(node, ast.arguments):
            for arg, default in _defaults(node):
                if arg.lower().endswith(_DATABASE_NAMES):
                    yield default, default, False


def _written_urls(ctx: ModuleContext) -> Iterator[tuple[ast.AST, str]]:
    """SQLite URLs inside text (YAML, TOML, INI, JSON) or data a test writes to a file."""
    for call in ctx.calls:
        func = call.func
        if not isinstance(func, ast.Attribute) or not call.args:
            continue
        if func.attr in _WRITERS or (func.attr in _DUMPERS and len(call.args) >= 2):
            function = ctx.enclosing_function(call)
            private = has_per_test_cwd(ctx, function)
            for node in _content_nodes(ctx, call.args[0]):
                for piece in _constant_pieces(node):
                    for match in _SQLITE_URL.finditer(piece):
                        text = match[0]
                        if _in_memory(match["path"]) or (private and _relative(text)):
                            continue
                        yield _line_of(node, piece, match.start()), text


def _line_of(node: ast.expr, piece: str, offset: int) -> ast.AST:
    """The source line of a match inside a plain string (its first line for f-strings)."""
    spans_lines = (node.end_lineno or node.lineno) > node.lineno
    if isinstance(node, ast.Constant) and piece == node.value and spans_lines:
        line = node.lineno + piece.count("\n", 0, offset)
        return ast.Pass(lineno=line, col_offset=0, end_lineno=line, end_col_offset=0)
    return node


def _content_nodes(ctx: ModuleContext, content: ast.expr) -> Iterator[ast.expr]:
    """The string nodes of written content, following names one step (also inside containers)."""
    for part in ast.walk(ctx.resolve(content)):
        if isinstance(part, ast.Name):
            resolved = ctx.resolve(part)
            if resolved is not part:
                yield from (p for p in ast.walk(resolved) if _is_text(p))  # type: ignore[misc]
        elif _is_text(part):
            yield part  # type: ignore[misc]


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _constant_pieces(node: ast.expr) -> Iterator[str]:
    """Literal text of a string; of an f-string, only URLs ending inside a literal segment."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        values = node.values
        for index, value in enumerate(values):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text = value.value
                if index + 1 < len(values):  # a URL running into a placeholder is not fixed
                    text = re.sub(r"\S+$", "", text)
                yield text


def _keyword(call: ast.Call, *names: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg in names), None)


def _is_database_env(name: str | None) -> bool:
    return name is not None and name.lower().endswith(_DATABASE_NAMES)


def _is_env_target(node: ast.Assign | ast.AugAssign, names: frozenset[str] | None) -> bool:
    """`os.environ["NAME"] = ...` for a tracking variable (or a database URL when names is None)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if isinstance(target, ast.Subscript):
            key = string_value(target.slice)
            if (names is not None and key in names) or (names is None and _is_database_env(key)):
                return True
    return False


def _defaults(arguments: ast.arguments) -> list[tuple[str, ast.expr]]:
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = [
        (arg.arg, default)
        for arg, default in zip(
            positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True
        )
    ]
    pairs += [
        (arg.arg, default)
        for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if default is not None
    ]
    return pairs
