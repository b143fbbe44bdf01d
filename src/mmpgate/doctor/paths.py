"""Fixed paths: what a path expression always is (literals, the temp dir, this file, joins)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from mmpgate.doctor.context import ModuleContext, last_part, string_value

TEMP = "$TMP"
HERE = "$FILE"
TEMP_ROOTS = ("/tmp", "/var/tmp", "/dev/shm")  # noqa: S108 - recognised in scanned code, never used
_RELATIVE = re.compile(r"\.?/?[\w.-]+(?:/[\w.-]+)*/?")
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
        return text.replace(TEMP, "<tempdir>").replace(HERE, "<this file>")


def fixed_path(ctx: ModuleContext, node: ast.expr, depth: int = 0) -> FixedPath | None:
    """The fixed path an expression always evaluates to (None when it depends on anything else)."""
    if depth > _MAX_DEPTH:
        return None
    node = ctx.resolve(node)
    text = string_value(node)
    if text is not None:
        return _literal_path(text)
    if isinstance(node, ast.Name) and node.id == "__file__":
        return FixedPath((HERE,), True)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join(ctx, node.left, [node.right], depth)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = fixed_path(ctx, node.value, depth + 1)
        return FixedPath((*base.parts, ".."), base.complete) if base else None
    if not isinstance(node, ast.Call):
        return None
    name = ctx.callee(node)
    if name == "tempfile.gettempdir":
        return FixedPath((TEMP,), True)
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
    if text.startswith(TEMP_ROOTS):
        return FixedPath(("/", *(piece for piece in text.split("/") if piece)), True)
    if "://" in text or text in {"", ".", "..", "./"} or not _RELATIVE.fullmatch(text):
        return None
    return FixedPath(tuple(piece for piece in text.split("/") if piece not in {"", "."}), True)
