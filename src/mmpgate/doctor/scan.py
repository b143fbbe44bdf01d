"""Find the Python files under the given paths, check each one, and apply suppressions."""

from __future__ import annotations

import ast
import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mmpgate.doctor import (
    check_fixtures,
    check_kill,
    check_ports,
    check_process,
    check_scratch,
    check_stores,
    fixtures,
    suppress,
)
from mmpgate.doctor.config import DoctorConfig
from mmpgate.doctor.context import ModuleContext
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import PARSE_ERROR, RULES
from mmpgate.errors import InputError, located

#: Per-module checks, run on every file that parses.
MODULE_CHECKS = (
    check_kill.check,
    check_stores.check,
    check_ports.check,
    check_scratch.check,
    check_process.check,
)
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "build", "dist"})


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Every finding left after suppressions, sorted, and how many files were checked."""

    findings: tuple[Finding, ...]
    files: int


@dataclass(frozen=True, slots=True)
class _FileResult:
    findings: list[Finding]
    facts: fixtures.ModuleFacts | None
    suppressions: suppress.Suppressions


def scan(paths: Sequence[str], config: DoctorConfig) -> ScanResult:
    """Check every Python file under `paths` (files or directories)."""
    files = list(discover(paths, config.exclude))
    results = {display: check_file(display, location) for display, location in files}
    findings = [finding for result in results.values() for finding in result.findings]
    modules = [result.facts for result in results.values() if result.facts is not None]
    findings.extend(check_fixtures.check(modules))
    kept = {
        finding
        for finding in findings
        if finding.rule not in config.ignore
        and not suppress.is_suppressed(
            results[finding.path].suppressions, finding.line, finding.rule
        )
    }
    return ScanResult(tuple(sorted(kept)), len(files))


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> Iterator[tuple[str, Path]]:
    """(display path, absolute path) of each Python file, in a stable order, each once."""
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise InputError(located(raw, "", "no such file or directory"))
        is_file = root.is_file()
        candidates = [os.path.normpath(raw)] if is_file else sorted(_walk(raw, exclude))
        for display in candidates:
            location = Path(display).resolve()
            if location not in seen and not _excluded(display, exclude):
                seen.add(location)
                yield display, location


def _walk(root: str, exclude: Sequence[str]) -> Iterator[str]:
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [
            name
            for name in subdirs
            if not name.startswith(".")
            and name not in _SKIPPED_DIRS
            and not name.endswith(".egg-info")
            and not _excluded(os.path.normpath(os.path.join(directory, name)), exclude)
        ]
        for name in names:
            if name.endswith(".py"):
                yield os.path.normpath(os.path.join(directory, name))


def _excluded(display: str, patterns: Sequence[str]) -> bool:
    path = display.replace(os.sep, "/")
    for pattern in patterns:
        prefix = pattern.rstrip("/")
        if fnmatch.fnmatchcase(path, pattern) or path == prefix or path.startswith(prefix + "/"):
            return True
    return False


def check_file(display: str, location: Path) -> _FileResult:
    """Every per-module finding of one file, its fixture facts and its suppression comments."""
    try:
        raw = location.read_bytes()
        tree = ast.parse(raw, filename=display)
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError, RecursionError) as exc:
        return _FileResult([_parse_error(display, exc)], None, {})
    ctx = ModuleContext.build(display, tree)
    findings = [finding for module_check in MODULE_CHECKS for finding in module_check(ctx)]
    facts = fixtures.collect(ctx, location)
    return _FileResult(findings, facts, suppress.parse(raw.decode("utf-8", errors="replace")))


def _parse_error(display: str, exc: Exception) -> Finding:
    rule = RULES[PARSE_ERROR]
    if isinstance(exc, SyntaxError):
        line, detail = exc.lineno or 1, exc.msg
    elif isinstance(exc, OSError):
        line, detail = 1, f"cannot be read ({exc.strerror})"
    else:
        line, detail = 1, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Finding(display, line, rule.id, f"{detail}: {rule.message}", rule.fix)
