"""`uvicorn ml_service.main:app`: the service configured from the environment."""

from __future__ import annotations

from ml_service.app import create_app
from ml_service.settings import Settings

app = create_app(Settings.from_env())
