"""Shared helpers of the MLflow tracking integration tests (pytester runs)."""

from __future__ import annotations

import pytest

# A meta-path finder that makes `import mlflow` fail in the inner run only, as if not installed.
HIDE_MLFLOW = """
import sys

class _HideMlflow:
    def find_spec(self, name, path=None, target=None):
        if name == "mlflow" or name.startswith("mlflow."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _HideMlflow())
"""


@pytest.fixture
def hide_mlflow(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Subprocess runs of this pytester cannot import mlflow (a sitecustomize on PYTHONPATH)."""
    blocker = pytester.mkdir("hide_mlflow")
    (blocker / "sitecustomize.py").write_text(HIDE_MLFLOW)
    monkeypatch.setenv("PYTHONPATH", str(blocker))
