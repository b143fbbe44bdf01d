"""Load the action test support modules (tests/support) under their own names."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SUPPORT = Path(__file__).resolve().parents[2] / "support"


def _load(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, SUPPORT / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


for _name in ("actions_expressions", "actions_files", "actions_runner"):
    _load(_name)
