"""Recognising calls that run an external command, and the words of that command."""

from __future__ import annotations

import ast
import re

from mmpgate.doctor.context import ModuleContext, literal_text

#: Callees that run a command given as their first argument (list or string).
RUNNERS: frozenset[str] = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
        "pexpect.spawn",
        "pexpect.run",
    }
)
#: Callees that start a process and return before it ends.
STARTERS: frozenset[str] = frozenset(
    {
        "subprocess.Popen",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
        "pexpect.spawn",
    }
)
_RUNNER_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn")
_WORD = re.compile(r"[^\s;&|()`'\"]+")


def is_runner(ctx: ModuleContext, call: ast.Call) -> bool:
    """True when the call runs an external command."""
    name = ctx.callee(call)
    return name in RUNNERS or name.startswith(_RUNNER_PREFIXES)


def is_starter(ctx: ModuleContext, call: ast.Call) -> bool:
    """True when the call starts a process that keeps running after the call returns."""
    return ctx.callee(call) in STARTERS or ctx.callee(call).startswith(
        ("os.spawn", "os.posix_spawn")
    )


def command_words(ctx: ModuleContext, call: ast.Call) -> list[list[str]]:
    """The command words of a runner call, one list per shell command (literal parts only)."""
    node = _command_argument(ctx, call)
    if node is None:
        return []
    node = ctx.resolve(node)
    if isinstance(node, ast.Call) and ctx.callee(node) == "shlex.split" and node.args:
        node = ctx.resolve(node.args[0])
    if isinstance(node, ast.List | ast.Tuple):
        words = [literal_text(ctx.resolve(element)) for element in node.elts]
        return [words]
    text = literal_text(node)
    if not text:
        return []
    return [_WORD.findall(part) for part in re.split(r"[;&|\n]+|\$\(|`", text) if part.strip()]


def _command_argument(ctx: ModuleContext, call: ast.Call) -> ast.expr | None:
    name = ctx.callee(call)
    if name.startswith(("os.exec", "os.spawn", "os.posix_spawn")):
        # os.execvp(file, args) / os.spawnlp(mode, file, *args): the argv list or words follow.
        rest = [arg for arg in call.args if not isinstance(arg, ast.Attribute)]
        lists = [arg for arg in rest if isinstance(ctx.resolve(arg), ast.List | ast.Tuple)]
        if lists:
            return lists[0]
        return ast.List(elts=[arg for arg in rest if literal_text(arg)], ctx=ast.Load())
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in {"args", "cmd", "command", "program"}:
            return keyword.value
    return None


def basename(word: str) -> str:
    """The program name of a command word (`/usr/bin/pkill` -> `pkill`)."""
    return word.rsplit("/", 1)[-1]
