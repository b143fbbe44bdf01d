"""Find the Python files under the given paths, check each one, and apply suppressions."""

from __future__ import annotations

import ast
import errno
import fnmatch
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mmpgate.doctor import (
    check_fixtures,
    check_kill,
    check_locks,
    check_ports,
    check_process,
    check_scratch,
    check_state,
    check_stores,
    fixtures,
    suppress,
)
from mmpgate.doctor.config import DoctorConfig
from mmpgate.doctor.context import ModuleContext
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import PARSE_ERROR, RULES
from mmpgate.errors import InputError, located

ModuleCheck = Callable[[ModuleContext], Iterator[Finding]]

#: Per-module checks, each behind a cheap text filter: a file without any of these bytes cannot
#: give that check a finding, so the check (and often the whole parse) is skipped.
MODULE_CHECKS: tuple[tuple[re.Pattern[bytes], ModuleCheck], ...] = (
    (re.compile(rb"kill|pgrep|pidof|process_iter|pids|/proc"), check_kill.check),
    (re.compile(rb"(?i)sqlite|tracking|registry|store.uri"), check_stores.check),
    (re.compile(rb"-port|port\s*=|bind\(|(?i:serve)(?:r|_forever)?\("), check_ports.check),
    (re.compile(rb"rmtree|remove|unlink|rmdir"), check_scratch.check),
    (re.compile(rb"sleep|terminate|kill|send_signal"), check_process.check),
    (
        re.compile(
            rb"environ|putenv|set_tracking_uri|set_registry_uri|set_experiment|chdir|"
            rb"sys\.path|addHandler|basicConfig"
        ),
        check_state.check,
    ),
    (
        re.compile(rb"mkdir|O_EXCL|flock|addinivalue_line|FileLock|get_closest_marker"),
        check_locks.check,
    ),
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


def scan(paths: Sequence[str], config: DoctorConfig, *, mlflow_autouse: bool = False) -> ScanResult:
    """Check every Python file under `paths` (files or directories). With `mlflow_autouse`
    (the project turned mmpgate's autouse MLflow store on) MLflow client state needs no restore.

    Files that may hold a finding or define fixtures are parsed first. The rest are parsed only
    when they name a fixture that reaches a wide-scoped server (or sit under an autouse one);
    otherwise they are only compiled, to report syntax errors.
    """
    files = list(discover(paths, config.exclude))
    results: dict[str, _FileResult] = {}
    deferred: list[tuple[str, Path]] = []
    for item in files:
        result = _first_pass(item)
        if result is None:
            deferred.append(item)
        else:
            results[item[0]] = result
    if deferred:
        modules = [result.facts for result in results.values() if result.facts is not None]
        resolver = check_fixtures.Resolver(modules)
        context = (tuple(resolver.reaching_names()), tuple(resolver.autouse_scopes()))
        for item in deferred:
            result = _second_pass(item, context)
            if result is not None:
                results[item[0]] = result
    findings = [finding for result in results.values() for finding in result.findings]
    modules = [result.facts for result in results.values() if result.facts is not None]
    findings.extend(check_fixtures.check(modules))
    kept = {
        finding
        for finding in findings
        if finding.rule not in config.ignore
        and not (mlflow_autouse and check_state.owned_by_autouse_store(finding))
        and not suppress.is_suppressed(
            results[finding.path].suppressions, finding.line, finding.rule
        )
    }
    return ScanResult(tuple(sorted(kept)), len(files))


def _first_pass(item: tuple[str, Path]) -> _FileResult | None:
    """Check a file that may hold a finding or define fixtures; None defers it."""
    display, location = item
    raw, error = _read(location)
    if error is not None:
        return _FileResult([_parse_error(display, error)], None, {})
    return check_file(display, location, raw) if _needs_tree(raw, location) else None


def _second_pass(
    item: tuple[str, Path], context: tuple[tuple[str, ...], tuple[Path, ...]]
) -> _FileResult | None:
    """Parse a deferred file if it names a server-reaching fixture; otherwise only compile it."""
    display, location = item
    names, scopes = context
    raw, error = _read(location)
    if error is not None:
        return _FileResult([_parse_error(display, error)], None, {})
    relevant = any(name.encode() in raw for name in names) or any(
        check_fixtures.is_within(location.parent, scope) for scope in scopes
    )
    if relevant or not _compiles(raw, display):
        return check_file(display, location, raw)
    return None


def _needs_tree(raw: bytes, location: Path) -> bool:
    if location.name == "conftest.py" or b"fixture" in raw:
        return True
    return any(pattern.search(raw) for pattern, _ in MODULE_CHECKS)


def _compiles(raw: bytes, display: str) -> bool:
    """True when the source compiles (compiling is stricter than parsing, and much faster)."""
    try:
        compile(raw, display, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return False
    return True


#: A Python file above this size is reported, not parsed: parsing 50 MB took minutes.
MAX_SOURCE_BYTES = 5 * 1024 * 1024


def _read(location: Path) -> tuple[bytes, OSError | None]:
    try:
        size = location.stat().st_size
        if size > MAX_SOURCE_BYTES:
            limit = f"{size} bytes, over the limit of {MAX_SOURCE_BYTES} bytes"
            return b"", OSError(errno.EFBIG, limit)
        return location.read_bytes(), None
    except OSError as exc:
        return b"", exc


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


def check_file(display: str, location: Path, raw: bytes) -> _FileResult:
    """Every per-module finding of one file, its fixture facts and its suppression comments."""
    try:
        tree = ast.parse(raw, filename=display)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError) as exc:
        return _FileResult([_parse_error(display, exc)], None, {})
    ctx = ModuleContext.build(display, tree)
    findings = [
        finding
        for pattern, module_check in MODULE_CHECKS
        if pattern.search(raw)
        for finding in module_check(ctx)
    ]
    facts = fixtures.collect(ctx, location)
    suppressions = suppress.parse(raw.decode("utf-8", errors="replace"))
    return _FileResult(findings, facts, suppressions)


def _parse_error(display: str, exc: Exception) -> Finding:
    rule = RULES[PARSE_ERROR]
    if isinstance(exc, SyntaxError):
        line, detail = exc.lineno or 1, exc.msg
    elif isinstance(exc, OSError):
        line, detail = 1, f"cannot be read ({exc.strerror})"
    else:
        line, detail = 1, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Finding(display, line, rule.id, f"{detail}: {rule.message}", rule.fix)
