"""The project's mmpgate configuration: `[tool.mmpgate]` in pyproject.toml, or `mmpgate.yml`."""

from __future__ import annotations

import configparser
import dataclasses
import difflib
import sys
from pathlib import Path
from typing import Any

from mmpgate.config.loader import load_toml, load_yaml
from mmpgate.config.schemas import CONFIG, load_schema, validate
from mmpgate.errors import ConfigError, InputError, located
from mmpgate.metrics.assignment import POLICIES
from mmpgate.metrics.files import DEFAULT_RESULTS_DIR
from mmpgate.metrics.format import DEFAULT_SLOWEST
from mmpgate.metrics.names import group_name_problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_GROUPS = ("unit", "integration", "e2e")
#: Groups that run in parallel by default; the others are serialized (`-n 0`).
PARALLEL_BY_DEFAULT = frozenset({"unit"})

#: The valid keys are the schema's (schemas/config.schema.json): one list, read by editors too.
_TOP_KEYS: tuple[str, ...] = tuple(load_schema(CONFIG)["properties"])
_GROUP_KEYS: tuple[str, ...] = tuple(load_schema(CONFIG)["$defs"]["group"]["properties"])


@dataclasses.dataclass(frozen=True, slots=True)
class Group:
    """One group of tests and how to run it."""

    name: str
    paths: tuple[str, ...]
    workers: str | None  # value for `-n`; None runs serialized (`-n 0`)
    args: tuple[str, ...] = ()
    declared: bool = True
    #: Attempts for each failed or errored test after the group's run (0: no retries).
    retries: int = 0
    #: The group's own `--cov` sources; None: the project's.
    coverage_source: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Project:
    """Everything `mmpgate run` needs to know about a project."""

    root: Path
    output: str
    groups: tuple[Group, ...]
    coverage: bool
    coverage_source: tuple[str, ...] | None  # None: the project's own coverage config decides
    slowest: int
    source_file: Path | None
    #: `fail`: the gate fails on a collected test that ran in no group, or in two; `allow`: reported.
    unassigned: str = "fail"


def _suggest(key: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (valid: {', '.join(valid)})"


def _check_keys(table: dict[str, Any], valid: tuple[str, ...], file: Path, where: str) -> None:
    for key in sorted(table):
        if key not in valid:
            raise ConfigError(located(file, f"{where}.{key}", f"unknown key{_suggest(key, valid)}"))


def _read_yaml(path: Path) -> dict[str, Any]:
    data = load_yaml(path, "configuration file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(located(path, "$", "expected a mapping"))
    return data


def _read_pyproject(path: Path) -> dict[str, Any] | None:
    table = load_toml(path, "pyproject.toml").get("tool", {}).get("mmpgate")
    return table if table is None or isinstance(table, dict) else {"": table}


def read_table(root: Path, config_file: Path | None = None) -> tuple[dict[str, Any], Path | None]:
    """The configuration table and the file it came from (None: nothing configured)."""
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(located(config_file, "", "configuration file not found"))
        if config_file.suffix == ".toml":
            return _read_pyproject(config_file) or {}, config_file
        return _read_yaml(config_file), config_file
    yml = root / "mmpgate.yml"
    if yml.is_file():
        return _read_yaml(yml), yml
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _read_pyproject(pyproject)
        if table is not None:
            return table, pyproject
    return {}, None


def _str_list(value: Any, file: Path, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(
        located(file, where, f"expected a string or a list of strings, got {value!r}")
    )


def _retries(value: Any, file: Path, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ConfigError(located(file, where, f"expected an integer from 0 to 100, got {value!r}"))
    return value


def _group(name: str, table: Any, file: Path, retries: int = 0) -> Group:
    where = f"tool.mmpgate.groups.{name}" if file.suffix == ".toml" else f"$.groups.{name}"
    if not isinstance(table, dict):
        raise ConfigError(located(file, where, "expected a table"))
    _check_keys(table, _GROUP_KEYS, file, where)
    paths = _str_list(table.get("paths", table.get("path", f"tests/{name}")), file, f"{where}.path")
    workers = table.get("workers", "auto" if name in PARALLEL_BY_DEFAULT else None)
    if isinstance(workers, bool) or not (workers is None or isinstance(workers, (int, str))):
        raise ConfigError(
            located(
                file, f"{where}.workers", f"expected 'auto', an integer or null, got {workers!r}"
            )
        )
    if isinstance(workers, str) and workers not in ("auto", "logical") and not workers.isdigit():
        raise ConfigError(
            located(file, f"{where}.workers", f"expected 'auto' or an integer, got {workers!r}")
        )
    workers_arg = None if workers in (None, 0, "0") else str(workers)
    args = _str_list(table.get("args", []), file, f"{where}.args")
    attempts = _retries(table.get("retries", retries), file, f"{where}.retries")
    source = table.get("coverage_source")
    own_source = _str_list(source, file, f"{where}.coverage_source") if source is not None else None
    return Group(
        name=name,
        paths=paths,
        workers=workers_arg,
        args=args,
        retries=attempts,
        coverage_source=own_source,
    )


def load_project(root: Path, config_file: Path | None = None) -> Project:
    """Read the configuration (or defaults) of the project at `root`."""
    root = root.resolve()
    table, source = read_table(root, config_file.resolve() if config_file else None)
    file = source or root / "pyproject.toml"
    prefix = "tool.mmpgate" if file.suffix == ".toml" else "$"
    if "" in table:
        raise ConfigError(located(file, prefix, "expected a table"))
    _check_keys(table, _TOP_KEYS, file, prefix)
    groups_table = table.get("groups")
    retries = _retries(table.get("retries", 0), file, f"{prefix}.retries")
    if groups_table is None:
        groups = tuple(
            dataclasses.replace(_group(name, {}, file, retries), declared=False)
            for name in DEFAULT_GROUPS
        )
    elif isinstance(groups_table, dict) and groups_table:
        groups = tuple(_group(name, spec, file, retries) for name, spec in groups_table.items())
    else:
        raise ConfigError(located(file, f"{prefix}.groups", "expected a non-empty table of groups"))
    for group in groups:
        problem = group_name_problem(group.name)
        if problem is not None:
            raise ConfigError(located(file, f"{prefix}.groups.{group.name}", problem))
    output = table.get("output", DEFAULT_RESULTS_DIR)
    if not isinstance(output, str) or not output:
        raise ConfigError(
            located(file, f"{prefix}.output", f"expected a directory name, got {output!r}")
        )
    coverage = table.get("coverage", True)
    if not isinstance(coverage, bool):
        raise ConfigError(
            located(file, f"{prefix}.coverage", f"expected true or false, got {coverage!r}")
        )
    source_cfg = table.get("coverage_source")
    cov_source = (
        _str_list(source_cfg, file, f"{prefix}.coverage_source") if source_cfg is not None else None
    )
    slowest = table.get("slowest", DEFAULT_SLOWEST)
    if isinstance(slowest, bool) or not isinstance(slowest, int) or slowest < 0:
        raise ConfigError(
            located(file, f"{prefix}.slowest", f"expected an integer >= 0, got {slowest!r}")
        )
    unassigned = table.get("unassigned", "fail")
    if unassigned not in POLICIES:
        raise ConfigError(
            located(file, f"{prefix}.unassigned", f"expected 'fail' or 'allow', got {unassigned!r}")
        )
    _schema_backstop(table, file, prefix)
    if cov_source is None and coverage and not has_coverage_source_config(root):
        cov_source = detect_sources(root)
    return Project(
        root=root,
        output=output,
        groups=groups,
        coverage=coverage,
        coverage_source=cov_source,
        slowest=slowest,
        source_file=source,
        unassigned=unassigned,
    )


def _schema_backstop(table: dict[str, Any], file: Path, prefix: str) -> None:
    # The checks above give the friendlier messages; the shipped schema must agree with them.
    try:
        validate(table, CONFIG, file=file)
    except InputError as exc:
        message = str(exc)
        if prefix != "$":
            message = message.replace(f"{file}: $", f"{file}: {prefix}", 1)
        raise ConfigError(message) from None


def configured_output(root: Path) -> Path:
    """The results directory `[tool.mmpgate] output` (or mmpgate.yml) names; the default without."""
    table, source = read_table(root.resolve(), None)
    output = table.get("output", DEFAULT_RESULTS_DIR) if source is not None else DEFAULT_RESULTS_DIR
    if not isinstance(output, str) or not output:
        file = source or root / "pyproject.toml"
        prefix = "tool.mmpgate" if file.suffix == ".toml" else "$"
        raise ConfigError(
            located(file, f"{prefix}.output", f"expected a directory name, got {output!r}")
        )
    return Path(output)


def has_coverage_source_config(root: Path) -> bool:
    """Whether the project's own coverage configuration names its source (then it stays in force)."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = {}
        run = data.get("tool", {}).get("coverage", {}).get("run", {})
        if run.get("source") or run.get("source_pkgs"):
            return True
    for name, section in (
        (".coveragerc", "run"),
        ("setup.cfg", "coverage:run"),
        ("tox.ini", "coverage:run"),
    ):
        path = root / name
        if path.is_file():
            parser = configparser.ConfigParser()
            try:
                parser.read(path, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if parser.has_option(section, "source") or parser.has_option(section, "source_pkgs"):
                return True
    return False


_NOT_SOURCE = frozenset(
    {"tests", "test", "docs", "examples", "benchmarks", "build", "dist", "venv", "node_modules"}
)
_NOT_MODULES = frozenset({"conftest", "setup", "noxfile", "tasks", "fabfile", "manage"})


def detect_sources(root: Path) -> tuple[str, ...]:
    """What to measure when nothing is configured, first match wins: packages under `src/` (regular
    or namespace), top-level packages, top-level namespace directories of Python files, top-level
    modules (`calc.py`). Empty when the project has none of them."""
    for base in (root / "src", root):
        if not base.is_dir():
            continue
        candidates = sorted(
            p
            for p in base.iterdir()
            if p.is_dir()
            and not p.name.startswith((".", "_"))
            and p.name.isidentifier()
            and (base != root or p.name not in _NOT_SOURCE)
        )
        packages = [p.name for p in candidates if (p / "__init__.py").is_file()]
        if packages:
            return tuple(packages)
        namespaces = [p.name for p in candidates if any(p.rglob("*.py"))]
        if namespaces:
            return tuple(namespaces)
        modules = sorted(
            p.stem
            for p in base.glob("*.py")
            if p.stem.isidentifier()
            and p.stem not in _NOT_MODULES
            and not p.stem.startswith("test_")
            and not p.stem.endswith("_test")
        )
        if modules:
            return tuple(modules)
    return ()
