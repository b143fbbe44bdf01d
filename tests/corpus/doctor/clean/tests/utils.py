"""Build application settings for tests: the tracking URI always comes from the caller."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    tracking_uri: str
    model_name: str


class SettingsBuilder:
    def __init__(self, tracking_uri: str):
        self._tracking_uri = tracking_uri

    def build(self) -> Settings:
        return Settings(tracking_uri=self._tracking_uri, model_name="churn")
