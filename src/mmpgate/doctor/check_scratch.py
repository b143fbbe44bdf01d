"""Rule `shared-scratch-dir`: a fixed path (system temp dir or repo) written and then deleted."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mmpgate.doctor.context import ModuleContext, last_part, string_value
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import SHARED_SCRATCH_DIR

_TEMP = "$TMP"
_HERE = "$FILE"
_TEMP_ROOTS = ("/tmp", "/var/tmp", "/dev/shm")  # noqa: S108 - recognised in scanned code, never used
_RELATIVE = re.compile(r"\.?/?[\w.-]+(?:/[\w.-]+)*/?")
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
_PATH_TYPES = frozenset({"pathlib.Path", "Path", "pathlib.PurePath", "PurePath"})
_MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class FixedPath:
    """Known leading components of a path; `complete` when every component is a literal."""

    parts: tuple[str, ...]
    complete: bool

    def text(self) -> str:
        """A readable form for messages."""
        text = "/".join(self.parts).replace("//", "/")
        return text.replace(_TEMP, "<tempdir>").replace(_HERE, "<this file>")


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
    for call, path in deletes:
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


def fixed_path(ctx: ModuleContext, node: ast.expr, depth: int = 0) -> FixedPath | None:
    """The fixed path an expression always evaluates to (None when it depends on anything else)."""
    if depth > _MAX_DEPTH:
        return None
    node = ctx.resolve(node)
    text = string_value(node)
    if text is not None:
        return _literal_path(text)
    if isinstance(node, ast.Name) and node.id == "__file__":
        return FixedPath((_HERE,), True)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join(ctx, node.left, [node.right], depth)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = fixed_path(ctx, node.value, depth + 1)
        return FixedPath((*base.parts, ".."), base.complete) if base else None
    if not isinstance(node, ast.Call):
        return None
    name = ctx.callee(node)
    if name == "tempfile.gettempdir":
        return FixedPath((_TEMP,), True)
    if name in _PATH_TYPES or name == "os.path.join":
        return _join(ctx, node.args[0], node.args[1:], depth) if node.args else None
    if name in {"os.path.abspath", "os.path.realpath", "os.path.expanduser", "str"} and node.args:
        return fixed_path(ctx, node.args[0], depth + 1)
    if name == "os.path.dirname" and node.args:
        base = fixed_path(ctx, node.args[0], depth + 1)
        return FixedPath((*base.parts, ".."), base.complete) if base else None
    if isinstance(node.func, ast.Attribute) and last_part(name) in {"resolve", "absolute"}:
        return fixed_path(ctx, node.func.value, depth + 1)
    return None


def _join(ctx: ModuleContext, base: ast.expr, rest: list[ast.expr], depth: int) -> FixedPath | None:
    path = fixed_path(ctx, base, depth + 1)
    if path is None:
        return None
    parts = list(path.parts)
    for part in rest:
        text = string_value(ctx.resolve(part))
        if text is None or not path.complete:
            return FixedPath(tuple(parts), False)
        parts.extend(piece for piece in text.split("/") if piece)
    return FixedPath(tuple(parts), path.complete)


def _literal_path(text: str) -> FixedPath | None:
    if text.startswith(_TEMP_ROOTS):
        return FixedPath(("/", *(piece for piece in text.split("/") if piece)), True)
    if "://" in text or text in {"", ".", "..", "./"} or not _RELATIVE.fullmatch(text):
        return None
    return FixedPath(tuple(piece for piece in text.split("/") if piece not in {"", "."}), True)


def _shared(path: FixedPath) -> bool:
    """True for paths in the system temp dir or inside the project (not the temp dir itself)."""
    if path.parts[:1] == (_TEMP,):
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
