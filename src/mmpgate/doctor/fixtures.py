"""What a module declares to pytest: fixtures (scope, dependencies, whether they start a server),
tests, and the marks and fixtures each test requests."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from mmpgate.doctor.commands import is_starter
from mmpgate.doctor.context import FunctionNode, ModuleContext, last_part, string_value

_SERVER_CALLS = frozenset(
    {"uvicorn.run", "uvicorn.Server", "threading.Thread", "multiprocessing.Process"}
)
_SERVER_METHODS = frozenset({"serve_forever", "make_server", "start_server", "create_server"})
_IGNORED_PARAMS = frozenset({"self", "cls", "request"})


@dataclass(frozen=True, slots=True)
class FixtureFact:
    """A fixture definition."""

    name: str
    scope: str
    autouse: bool
    requests: tuple[str, ...]
    starts_server: bool
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class TestFact:
    """A test function and what it asks for."""

    name: str
    requests: tuple[str, ...]
    marked_server: bool
    line: int


@dataclass(slots=True)
class ModuleFacts:
    """Fixtures and tests of one file; `directory` scopes a conftest's fixtures."""

    path: str
    directory: Path
    is_conftest: bool
    fixtures: list[FixtureFact] = field(default_factory=list)
    tests: list[TestFact] = field(default_factory=list)


def collect(ctx: ModuleContext, location: Path) -> ModuleFacts:
    """Fixtures and tests declared in a module."""
    facts = ModuleFacts(ctx.path, location.parent, location.name == "conftest.py")
    module_marks = _Marks.of_pytestmark(ctx, ctx.tree.body)
    for node in ctx.tree.body:
        _collect_node(ctx, node, module_marks, facts)
    return facts


@dataclass(frozen=True, slots=True)
class _Marks:
    server: bool = False
    uses: tuple[str, ...] = ()

    def plus(self, other: _Marks) -> _Marks:
        return _Marks(self.server or other.server, self.uses + other.uses)

    @classmethod
    def of_expressions(cls, ctx: ModuleContext, expressions: list[ast.expr]) -> _Marks:
        marks = cls()
        for expression in expressions:
            call = expression if isinstance(expression, ast.Call) else None
            name = ctx.dotted(call.func if call else expression)
            if name.endswith("mark.server"):
                marks = marks.plus(cls(server=True))
            elif name.endswith("mark.usefixtures") and call is not None:
                uses = tuple(text for arg in call.args if (text := string_value(arg)) is not None)
                marks = marks.plus(cls(uses=uses))
        return marks

    @classmethod
    def of_pytestmark(cls, ctx: ModuleContext, body: list[ast.stmt]) -> _Marks:
        marks = cls()
        for statement in body:
            if isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "pytestmark"
                for target in statement.targets
            ):
                value = statement.value
                items = list(value.elts) if isinstance(value, ast.List | ast.Tuple) else [value]
                marks = marks.plus(cls.of_expressions(ctx, items))
        return marks


def _collect_node(ctx: ModuleContext, node: ast.stmt, marks: _Marks, facts: ModuleFacts) -> None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        fixture = fixture_fact(ctx, node)
        if fixture is not None:
            facts.fixtures.append(fixture)
        elif node.name.startswith("test"):
            own = marks.plus(_Marks.of_expressions(ctx, node.decorator_list))
            requests = _parameters(node) + own.uses
            facts.tests.append(TestFact(node.name, requests, own.server, node.lineno))
    elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
        class_marks = marks.plus(_Marks.of_expressions(ctx, node.decorator_list))
        class_marks = class_marks.plus(_Marks.of_pytestmark(ctx, node.body))
        for child in node.body:
            _collect_node(ctx, child, class_marks, facts)
    elif isinstance(node, ast.ClassDef):
        for child in node.body:
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                fixture = fixture_fact(ctx, child)
                if fixture is not None:
                    facts.fixtures.append(fixture)


def fixture_fact(ctx: ModuleContext, node: FunctionNode) -> FixtureFact | None:
    """The fixture a function definition declares, or None when it is not one."""
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        if last_part(ctx.dotted(call.func if call else decorator)) != "fixture":
            continue
        scope, autouse, name = "function", False, node.name
        if call is not None:
            if call.args and (text := string_value(call.args[0])) is not None:
                scope = text
            for keyword in call.keywords:
                value = keyword.value
                if keyword.arg == "scope" and (text := string_value(value)) is not None:
                    scope = text
                elif keyword.arg == "autouse":
                    autouse = isinstance(value, ast.Constant) and value.value is True
                elif keyword.arg == "name" and (text := string_value(value)) is not None:
                    name = text
        return FixtureFact(
            name,
            scope,
            autouse,
            _parameters(node),
            _starts_server(ctx, node),
            ctx.path,
            node.lineno,
        )
    return None


def _parameters(node: FunctionNode) -> tuple[str, ...]:
    arguments = node.args
    names = [arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    return tuple(name for name in names if name not in _IGNORED_PARAMS)


def _starts_server(ctx: ModuleContext, node: FunctionNode) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = ctx.callee(child)
            if is_starter(ctx, child) or name in _SERVER_CALLS:
                return True
            if last_part(name) in _SERVER_METHODS:
                return True
    return False
