"""`[tool.mmpgate.doctor]` in pyproject.toml: rules to ignore everywhere and paths to exclude."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmpgate.doctor.rules import RULES
from mmpgate.errors import ConfigError, located

_TABLE = "tool.mmpgate.doctor"
_KEYS = frozenset({"ignore", "exclude"})


@dataclass(frozen=True, slots=True)
class DoctorConfig:
    """Rule ids never reported, and glob patterns (relative paths) of files never scanned."""

    ignore: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()


def load(directory: Path) -> DoctorConfig:
    """The `doctor` settings of the project at `directory` (`[tool.mmpgate.doctor]` in
    pyproject.toml or `doctor:` in mmpgate.yml, read like every other setting); defaults when absent."""
    from mmpgate.run.project import read_table

    settings, source = read_table(directory)
    if source is None:
        return DoctorConfig()
    where = _TABLE if source.suffix == ".toml" else "$.doctor"
    path = Path(source.name)
    table: Any = settings.get("doctor", {})
    if not isinstance(table, dict):
        raise ConfigError(located(path, where, "expected a table"))
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            located(path, f"{where}.{unknown[0]}", "unknown key (expected ignore, exclude)")
        )
    ignore = _strings(path, table, "ignore", where)
    for index, rule in enumerate(ignore):
        if rule not in RULES:
            raise ConfigError(
                located(path, f"{where}.ignore[{index}]", f"unknown rule id {rule!r}")
            )
    return DoctorConfig(frozenset(ignore), tuple(_strings(path, table, "exclude", where)))


def _strings(path: Path, table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(located(path, f"{where}.{key}", "expected a list of strings"))
    return list(value)
