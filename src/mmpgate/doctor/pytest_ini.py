"""What the project's pytest configuration says that changes a diagnosis: whether every test
already gets mmpgate's isolated MLflow store (`mmpgate_mlflow_autouse = true`)."""

from __future__ import annotations

import configparser
from pathlib import Path

from mmpgate.config.loader import load_toml
from mmpgate.errors import ConfigError

_AUTOUSE = "mmpgate_mlflow_autouse"
_INI_FILES = (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))
_TRUE = frozenset({"true", "1", "yes", "on"})


def mlflow_autouse(root: Path) -> bool:
    """True when the pytest configuration pytest would read at `root` turns the autouse store on
    (pytest.ini first, then pyproject.toml, tox.ini, setup.cfg, as pytest looks for them)."""
    value = _ini_value(root, "pytest.ini", "pytest")
    if value is None and (root / "pyproject.toml").is_file():
        try:
            document = load_toml(root / "pyproject.toml", "pyproject.toml")
        except ConfigError:
            return False
        options = document.get("tool", {}).get("pytest", {}).get("ini_options", {})
        found = options.get(_AUTOUSE) if isinstance(options, dict) else None
        value = None if found is None else str(found)
    for name, section in _INI_FILES[1:]:
        if value is None:
            value = _ini_value(root, name, section)
    return value is not None and value.strip().lower() in _TRUE


def _ini_value(root: Path, name: str, section: str) -> str | None:
    path = root / name
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    return parser.get(section, _AUTOUSE, fallback=None)
