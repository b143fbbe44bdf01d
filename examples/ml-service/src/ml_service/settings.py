"""Service settings, built from the environment or, in tests, with SettingsBuilder."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the service keeps its data."""

    database: Path
    tracking_uri: str
    experiment: str = "ml-service"

    @classmethod
    def from_env(cls) -> Settings:
        """ML_SERVICE_DB, MLFLOW_TRACKING_URI and ML_SERVICE_EXPERIMENT, with local defaults."""
        return cls(
            database=Path(os.environ.get("ML_SERVICE_DB", "ml-service.db")),
            tracking_uri=os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"),
            experiment=os.environ.get("ML_SERVICE_EXPERIMENT", "ml-service"),
        )


class SettingsBuilder:
    """Builds Settings step by step; tests feed it the tracking URI of their own store."""

    def __init__(self) -> None:
        self._settings = Settings.from_env()

    def with_database(self, path: Path) -> SettingsBuilder:
        self._settings = replace(self._settings, database=path)
        return self

    def with_tracking_uri(self, uri: str) -> SettingsBuilder:
        self._settings = replace(self._settings, tracking_uri=uri)
        return self

    def with_experiment(self, name: str) -> SettingsBuilder:
        self._settings = replace(self._settings, experiment=name)
        return self

    def build(self) -> Settings:
        return self._settings

    def env(self) -> dict[str, str]:
        """The environment a server process needs to read the same settings back."""
        built = self._settings
        return {
            "ML_SERVICE_DB": str(built.database),
            "MLFLOW_TRACKING_URI": built.tracking_uri,
            "ML_SERVICE_EXPERIMENT": built.experiment,
        }
