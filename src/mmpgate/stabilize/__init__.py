"""Stabilization machinery: locks, servers, processes and isolated MLflow tracking.

The types a conftest uses are importable from here (`from mmpgate.stabilize import ServerSpec`).
They are loaded on first use, so the pytest plugins in this package stay cheap to import.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "HttpReady": "mmpgate.stabilize.specs",
    "LogReady": "mmpgate.stabilize.specs",
    "NoPort": "mmpgate.stabilize.specs",
    "ReadBackPort": "mmpgate.stabilize.specs",
    "ReservedPort": "mmpgate.stabilize.specs",
    "RunningServer": "mmpgate.stabilize.servers",
    "ServerFactory": "mmpgate.stabilize.factory",
    "ServerSpec": "mmpgate.stabilize.specs",
    "ServerStartError": "mmpgate.stabilize.servers",
    "StoreKind": "mmpgate.stabilize.mlflow_store",
    "TcpReady": "mmpgate.stabilize.specs",
    "TrackingStore": "mmpgate.stabilize.mlflow_store",
    "feast_serve_spec": "mmpgate.stabilize.specs",
    "mlflow_server_spec": "mmpgate.stabilize.specs",
    "sweep_if_enabled": "mmpgate.stabilize.globalkill",
    "uvicorn_spec": "mmpgate.stabilize.specs",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mmpgate.stabilize' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
