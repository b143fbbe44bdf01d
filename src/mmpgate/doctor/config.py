"""`[tool.mmpgate.doctor]` in pyproject.toml: rules to ignore everywhere and paths to exclude."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmpgate.doctor.rules import RULES
from mmpgate.errors import ConfigError, located

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_TABLE = "tool.mmpgate.doctor"
_KEYS = frozenset({"ignore", "exclude"})


@dataclass(frozen=True, slots=True)
class DoctorConfig:
    """Rule ids never reported, and glob patterns (relative paths) of files never scanned."""

    ignore: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()


def load(directory: Path) -> DoctorConfig:
    """Read `[tool.mmpgate.doctor]` from `directory/pyproject.toml`; defaults when absent."""
    path = directory / "pyproject.toml"
    if not path.is_file():
        return DoctorConfig()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(located(path.name, "", f"cannot be read as TOML ({exc})")) from exc
    table: Any = document.get("tool", {}).get("mmpgate", {}).get("doctor", {})
    if not isinstance(table, dict):
        raise ConfigError(located(path.name, _TABLE, "expected a table"))
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            located(path.name, f"{_TABLE}.{unknown[0]}", "unknown key (expected ignore, exclude)")
        )
    ignore = _strings(path, table, "ignore")
    for index, rule in enumerate(ignore):
        if rule not in RULES:
            raise ConfigError(
                located(path.name, f"{_TABLE}.ignore[{index}]", f"unknown rule id {rule!r}")
            )
    return DoctorConfig(frozenset(ignore), tuple(_strings(path, table, "exclude")))


def _strings(path: Path, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(located(path.name, f"{_TABLE}.{key}", "expected a list of strings"))
    return list(value)
