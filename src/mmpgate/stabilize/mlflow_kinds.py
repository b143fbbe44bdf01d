"""What the MLflow plugin needs before any store exists: the backends a store can use and the
message when mlflow is missing (kept apart from `mlflow_store`, which every pytest run would
otherwise import with the plugin)."""

from __future__ import annotations

import enum

MISSING_REASON = "mlflow is not installed (pip install 'mmpgate[mlflow]'): mlflow_tracking needs it"


class StoreKind(enum.Enum):
    """Which backend a test's tracking store uses."""

    SQLITE = "sqlite"
    FILE = "file"
