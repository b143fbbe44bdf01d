"""Build application settings for tests."""

import os
from dataclasses import dataclass


@dataclass
class Settings:
    tracking_uri: str
    model_name: str


class SettingsBuilder:
    """Fluent builder of Settings with test defaults."""

    def __init__(self, tracking_uri: str = "sqlite:///tests/fixtures/databases/test_mlflow.db"):  # expect: shared-tracking-store
        self._tracking_uri = tracking_uri
        self._model_name = "churn"

    def with_tracking_uri(self, tracking_uri: str) -> "SettingsBuilder":
        self._tracking_uri = tracking_uri
        return self

    def build(self) -> Settings:
        os.environ["MLFLOW_TRACKING_URI"] = self._tracking_uri
        return Settings(tracking_uri=self._tracking_uri, model_name=self._model_name)
