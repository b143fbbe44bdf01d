"""What `mmpgate doctor` checks when no path is given: the tests plus the project's own packages.

The packages come from the first of: `coverage_source` in `[tool.mmpgate]` or mmpgate.yml, the coverage source
(`[tool.coverage.run] source` / `source_pkgs`, `.coveragerc`, `setup.cfg`, `tox.ini`), or the
packages next to `tests/` (or under `src/`).
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmpgate.config.loader import load_toml
from mmpgate.errors import ConfigError
from mmpgate.run.project import detect_sources, read_table

TESTS = "tests"
_COVERAGE_FILES = (
    (".coveragerc", "run"),
    ("setup.cfg", "coverage:run"),
    ("tox.ini", "coverage:run"),
)


@dataclass(frozen=True, slots=True)
class Scope:
    """The paths to check and where they came from, for the report's first line."""

    paths: tuple[str, ...]
    origin: str

    def describe(self) -> str:
        """`mmpgate doctor: checking tests, pkg (tests + packages from the coverage source)`."""
        return f"mmpgate doctor: checking {', '.join(self.paths)} ({self.origin})"


def given(paths: list[str]) -> Scope:
    """The scope named on the command line."""
    return Scope(tuple(paths), "as given")


def default(root: Path) -> Scope:
    """The tests plus the project's packages, as directories relative to `root`."""
    tests = (TESTS,)  # a missing tests/ is reported as a missing path, like any other
    for origin, names in (
        ("[tool.mmpgate] coverage_source", _mmpgate_source(root)),
        ("the coverage source", _coverage_source(root)),
        ("the packages next to tests/", detect_sources(root)),
    ):
        packages = _directories(root, names)
        if packages:
            return Scope((*tests, *packages), f"tests + packages from {origin}")
    return Scope(tests, "no package of the project found: tests only")


def _pyproject(root: Path) -> dict[str, Any]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        return load_toml(path, "pyproject.toml")
    except ConfigError:
        return {}  # the doctor's own config loader has reported a bad file already


def _mmpgate_source(root: Path) -> tuple[str, ...]:
    """`coverage_source` of `[tool.mmpgate]` or mmpgate.yml (read by the doctor's config first)."""
    try:
        settings, _ = read_table(root)
    except ConfigError:
        return ()
    value = settings.get("coverage_source", [])
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _coverage_source(root: Path) -> tuple[str, ...]:
    run = _pyproject(root).get("tool", {}).get("coverage", {}).get("run", {})
    found = [*run.get("source", []), *run.get("source_pkgs", [])] if isinstance(run, dict) else []
    for name, section in _COVERAGE_FILES:
        path = root / name
        if not found and path.is_file():
            parser = configparser.ConfigParser()
            try:
                parser.read(path, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            for option in ("source", "source_pkgs"):
                if parser.has_option(section, option):
                    found.extend(parser.get(section, option).split())
    return tuple(item for item in found if isinstance(item, str))


def _directories(root: Path, names: tuple[str, ...]) -> tuple[str, ...]:
    """Each package name or path as an existing directory outside tests/ (`src/<name>` first)."""
    found: list[str] = []
    for name in names:
        dotted = name.replace(".", "/")
        for candidate in (name, f"src/{dotted}", dotted):
            directory = root / candidate
            inside_tests = candidate == TESTS or candidate.startswith(f"{TESTS}/")
            if directory.is_dir() and not inside_tests:
                if candidate not in found:
                    found.append(candidate.rstrip("/"))
                break
    return tuple(found)
