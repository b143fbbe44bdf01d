"""One parsed module and the indexes every check reads: calls, assignments, parents, imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import RULES

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_TEST_DIRS = frozenset({"tests", "test", "testing"})


@dataclass(slots=True)
class ModuleContext:
    """A parsed file with the indexes built in one walk over its tree."""

    path: str
    tree: ast.Module
    _parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    calls: list[ast.Call] = field(default_factory=list)
    functions: list[FunctionNode] = field(default_factory=list)
    assignments: dict[str, list[ast.expr]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    by_type: dict[type[ast.AST], list[ast.AST]] = field(default_factory=dict)
    _callees: dict[ast.Call, str] = field(default_factory=dict)
    #: Per-function answers of the flow helpers (keyed by helper name and function id).
    memo: dict[tuple[str, int], object] = field(default_factory=dict)

    @classmethod
    def build(cls, path: str, tree: ast.Module) -> ModuleContext:
        """Index the tree in one pass: parents, nodes by type, calls, assignments, import aliases."""
        ctx = cls(path, tree)
        by_type = ctx.by_type
        parents = ctx._parents
        stack: list[ast.AST] = [tree]
        while stack:  # one walk for both indexes: nodes by type and each node's parent
            node = stack.pop()
            kind = type(node)
            if kind in by_type:
                by_type[kind].append(node)
            else:
                by_type[kind] = [node]
            for child in ast.iter_child_nodes(node):
                parents[child] = node
                stack.append(child)
        ctx.calls = sorted(ctx.nodes(ast.Call), key=_position)  # type: ignore[arg-type]
        ctx.functions = ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef)  # type: ignore[assignment]
        for node in ctx.nodes(ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.withitem):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    ctx._bind(target, node.value)
            elif isinstance(node, ast.withitem):
                if node.optional_vars is not None:
                    ctx._bind(node.optional_vars, node.context_expr)
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
                ctx._bind(node.target, node.value)
        for node in ctx.nodes(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        ctx.aliases[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    ctx.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        return ctx

    def nodes(self, *kinds: type[ast.AST]) -> list[ast.AST]:
        """Every node of the given types (in no particular order)."""
        found: list[ast.AST] = []
        for kind in kinds:
            found.extend(self.by_type.get(kind, ()))
        return found

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        key = target_key(target)
        if key is not None:
            self.assignments.setdefault(key, []).append(value)

    def dotted(self, node: ast.expr) -> str:
        """`a.b.c` of a name or attribute chain with import aliases resolved ('' otherwise)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return ""
        parts.append(self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))

    def callee(self, call: ast.Call) -> str:
        """The dotted name of what a call calls ('' for computed callees); cached per call."""
        name = self._callees.get(call)
        if name is None:
            name = self._callees[call] = self.dotted(call.func)
        return name

    def resolve(self, node: ast.expr) -> ast.expr:
        """Follow a name bound exactly once in this file to its value (one step); else the node."""
        key = target_key(node)
        if key is not None:
            values = self.assignments.get(key, [])
            if len(values) == 1:
                return values[0]
            if values:  # bound in several functions: the one binding in this node's function
                here = self.enclosing_function(node)
                local = [value for value in values if self.enclosing_function(value) is here]
                if len(local) == 1:
                    return local[0]
        return node

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        """The innermost function definition around a node."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef):
                return ancestor
        return None

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        """Parents of a node, innermost first."""
        parents = self._parents
        current = parents.get(node)
        while current is not None:
            yield current
            current = parents.get(current)

    def finding(self, rule_id: str, node: ast.AST, detail: str = "", fix: str = "") -> Finding:
        """A finding of a rule at a node's first line; `detail` is prefixed to the rule's message,
        `fix` (when given) replaces the rule's generic fix."""
        rule = RULES[rule_id]
        message = f"{detail}: {rule.message}" if detail else rule.message
        return Finding(self.path, getattr(node, "lineno", 1), rule_id, message, fix or rule.fix)

    @property
    def is_test_side(self) -> bool:
        """A test module, a conftest, or a helper under a tests directory."""
        parts = self.path.replace("\\", "/").split("/")
        name = parts[-1]
        return (
            name == "conftest.py"
            or name.startswith("test_")
            or name.endswith("_test.py")
            or any(part in _TEST_DIRS for part in parts[:-1])
        )


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def target_key(node: ast.expr) -> str | None:
    """A stable key for a simple assignment target: `name`, `self.attr`, `a.b.c`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = target_key(node.value)
        return f"{inner}.{node.attr}" if inner is not None else None
    return None


def string_value(node: ast.expr) -> str | None:
    """The value of a plain string literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def literal_text(node: ast.expr) -> str:
    """The constant text of a string or f-string ('' for anything else); placeholders become '{}'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "{}"
            for part in node.values
        )
    return ""


def last_part(dotted: str) -> str:
    """The last component of a dotted name."""
    return dotted.rsplit(".", 1)[-1]
