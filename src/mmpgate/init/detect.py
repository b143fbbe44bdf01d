"""What `mmpgate init` finds in a project: test directories, markers, packages, coverage, CI."""

from __future__ import annotations

import ast
import configparser
import dataclasses
import sys
from pathlib import Path

from mmpgate.run.project import detect_sources, has_coverage_source_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Directory and marker names that mean a group of slower, wider tests, in the order they run.
WIDE_GROUPS: tuple[str, ...] = ("integration", "functional", "system", "e2e", "acceptance")
#: Names a directory of unit tests goes by.
UNIT_DIRS: tuple[str, ...] = ("unit", "units")
TEST_ROOTS: tuple[str, ...] = ("tests", "test")


@dataclasses.dataclass(frozen=True, slots=True)
class DetectedGroup:
    """A group `init` proposes: its paths and the pytest arguments that select it."""

    name: str
    paths: tuple[str, ...]
    args: tuple[str, ...] = ()
    parallel: bool = False
    why: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Detected:
    """Everything `init` bases its files on."""

    test_root: str | None
    groups: tuple[DetectedGroup, ...]
    packages: tuple[str, ...]
    src_layout: bool
    coverage_config: bool
    has_pyproject: bool
    has_config: bool
    workflows: tuple[str, ...]
    markers: tuple[str, ...]


def _declared_markers(root: Path) -> set[str]:
    names: set[str] = set()
    pyproject = root / "pyproject.toml"
    lines: list[str] = []
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = {}
        lines += list(
            data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("markers", [])
        )
    for name, section in (
        ("pytest.ini", "pytest"),
        ("setup.cfg", "tool:pytest"),
        ("tox.ini", "pytest"),
    ):
        path = root / name
        if path.is_file():
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if parser.has_option(section, "markers"):
                lines += parser.get(section, "markers").splitlines()
    for line in lines:
        name = line.split(":", 1)[0].split("(", 1)[0].strip()
        if name:
            names.add(name)
    return names


def _used_markers(test_root: Path) -> set[str]:
    """`@pytest.mark.NAME` and `pytestmark = pytest.mark.NAME` names in the test files (parsed)."""
    found: set[str] = set()
    for path in sorted(test_root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "mark"
            ):
                found.add(node.attr)
    return found


def _groups(root: Path, test_root: str | None, markers: set[str]) -> tuple[DetectedGroup, ...]:
    if test_root is None:
        return ()
    base = root / test_root
    subdirs = {p.name for p in base.iterdir() if p.is_dir() and any(p.rglob("test_*.py"))}
    unit = next((d for d in UNIT_DIRS if d in subdirs), None)
    wide = [d for d in WIDE_GROUPS if d in subdirs]
    if unit or wide:
        groups = []
        if unit:
            groups.append(
                DetectedGroup(
                    "unit",
                    (f"{test_root}/{unit}",),
                    parallel=True,
                    why=f"directory {test_root}/{unit}",
                )
            )
        groups += [
            DetectedGroup(d, (f"{test_root}/{d}",), why=f"directory {test_root}/{d}") for d in wide
        ]
        return tuple(groups)
    by_marker = [m for m in WIDE_GROUPS if m in markers]
    if by_marker:
        rest = " and ".join(f"not {m}" for m in by_marker)
        groups = [
            DetectedGroup(
                "unit",
                (test_root,),
                ("-m", rest),
                parallel=True,
                why=f"tests without the markers {', '.join(by_marker)}",
            )
        ]
        groups += [
            DetectedGroup(m, (test_root,), ("-m", m), why=f"marker @pytest.mark.{m}")
            for m in by_marker
        ]
        return tuple(groups)
    return (
        DetectedGroup("unit", (test_root,), parallel=True, why=f"every test under {test_root}/"),
    )


def detect(root: Path) -> Detected:
    """Look at the project under `root` (reads files, imports and runs nothing)."""
    test_root = next((name for name in TEST_ROOTS if (root / name).is_dir()), None)
    markers = _declared_markers(root)
    if test_root is not None:
        markers |= _used_markers(root / test_root)
    packages = detect_sources(root)
    workflows = root / ".github" / "workflows"
    return Detected(
        test_root=test_root,
        groups=_groups(root, test_root, markers),
        packages=packages,
        src_layout=(root / "src").is_dir()
        and bool(packages)
        and all((root / "src" / p).is_dir() for p in packages),
        coverage_config=has_coverage_source_config(root),
        has_pyproject=(root / "pyproject.toml").is_file(),
        has_config=(root / "mmpgate.yml").is_file() or _has_tool_table(root),
        workflows=tuple(sorted(p.name for p in workflows.glob("*.y*ml")))
        if workflows.is_dir()
        else (),
        markers=tuple(sorted(markers)),
    )


def _has_tool_table(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    return "mmpgate" in data.get("tool", {})
