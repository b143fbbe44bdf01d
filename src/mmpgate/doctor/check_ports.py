"""Rule `fixed-port`: servers started on a port number written in the code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mmpgate.doctor.commands import is_runner
from mmpgate.doctor.context import ModuleContext, last_part, literal_text, string_value
from mmpgate.doctor.flow import is_server_target, patched_targets
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import FIXED_PORT

_PORT_OPTION = re.compile(r"--(?:[\w-]*-)?port")
_PORT_IN_TEXT = re.compile(r"--(?:[\w-]*-)?port[= ]+(\d+)\b")
_HOST = re.compile(r"|localhost|[\d.]+|[\da-fA-F:]*:[\da-fA-F:]*|[\w-]+(?:\.[\w-]+)+")
_SERVER_CALLEES = frozenset({"run", "run_app", "run_simple", "Config", "start", "launch", "bind"})


def check(ctx: ModuleContext) -> Iterator[Finding]:
    """Findings of `fixed-port` in one module, except where the server it reaches is patched."""
    mocked: dict[int, bool] = {}
    for finding, node in _fixed_ports(ctx):
        function = ctx.enclosing_function(node)
        key = id(function)
        if key not in mocked:
            mocked[key] = any(is_server_target(t) for t in patched_targets(ctx, function))
        if not mocked[key]:
            yield finding


def _fixed_ports(ctx: ModuleContext) -> Iterator[tuple[Finding, ast.AST]]:
    for node in ctx.nodes(ast.List, ast.Tuple):
        if isinstance(node, ast.List | ast.Tuple):
            for finding in _command_list(ctx, node):
                yield finding, node
    for call in ctx.calls:
        if is_runner(ctx, call) and call.args:
            command = ctx.resolve(call.args[0])
            if (
                isinstance(command, ast.Call)
                and ctx.callee(command) == "shlex.split"
                and command.args
            ):
                command = ctx.resolve(command.args[0])
            text = literal_text(command)
            for match in _PORT_IN_TEXT.finditer(text):
                if int(match[1]) != 0:
                    yield ctx.finding(FIXED_PORT, call, f"`{match[0]}`"), call
        yield from _thread_target_port(ctx, call)
        if not _is_server_callee(ctx, call):
            continue
        for keyword in call.keywords:
            if keyword.arg == "port" and (port := _fixed_port(ctx, keyword.value)) is not None:
                yield ctx.finding(FIXED_PORT, keyword.value, f"`port={port}`"), call
        address = ctx.resolve(call.args[0]) if call.args else None
        port = (
            _fixed_port(ctx, address.elts[1])
            if isinstance(address, ast.Tuple) and len(address.elts) == 2 and _host(address.elts[0])
            else None
        )
        if address is not None and port is not None:
            yield ctx.finding(FIXED_PORT, address, f"address with port {port}"), call


def _command_list(ctx: ModuleContext, node: ast.List | ast.Tuple) -> Iterator[Finding]:
    for index, element in enumerate(node.elts):
        text = string_value(element)
        if text is None:
            continue
        if _PORT_OPTION.fullmatch(text) and index + 1 < len(node.elts):
            port = _fixed_port(ctx, node.elts[index + 1])
            if port is not None:
                yield ctx.finding(FIXED_PORT, element, f"`{text} {port}`")
        elif (match := _PORT_IN_TEXT.fullmatch(text.replace("=", " ", 1))) and int(match[1]):
            yield ctx.finding(FIXED_PORT, element, f"`{text}`")


def _thread_target_port(ctx: ModuleContext, call: ast.Call) -> Iterator[tuple[Finding, ast.AST]]:
    """`Thread(target=uvicorn.run, kwargs={"port": 8000})`: the port handed to a server target."""
    target = next((kw.value for kw in call.keywords if kw.arg == "target"), None)
    kwargs = next((kw.value for kw in call.keywords if kw.arg == "kwargs"), None)
    if target is None or not isinstance(kwargs, ast.Dict):
        return
    name = last_part(ctx.dotted(target))
    if name not in _SERVER_CALLEES and "serve" not in name.lower():
        return
    for key, value in zip(kwargs.keys, kwargs.values, strict=True):
        if key is not None and string_value(key) == "port":
            port = _fixed_port(ctx, value)
            if port is not None:
                yield ctx.finding(FIXED_PORT, value, f"`port={port}`"), call


def _host(node: ast.expr) -> bool:
    """The first item of an address can be a host: computed, or a literal host name or IP."""
    text = string_value(node)
    return text is None or bool(_HOST.fullmatch(text))


def _is_server_callee(ctx: ModuleContext, call: ast.Call) -> bool:
    name = last_part(ctx.callee(call))
    return name in _SERVER_CALLEES or "serve" in name.lower()


def _fixed_port(ctx: ModuleContext, node: ast.expr) -> int | None:
    """The port number when the expression is a fixed, non-zero literal (directly or via a name)."""
    node = ctx.resolve(node)
    if isinstance(node, ast.Call) and ctx.callee(node) in {"str", "int"} and len(node.args) == 1:
        node = ctx.resolve(node.args[0])
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
            return value
    return None
