"""Service settings and config validation (no store is opened here)."""

from dataclasses import dataclass


@dataclass
class Settings:
    """What the service is told."""

    database_url: str


def validate_config(config: dict) -> list[str]:
    """Problems of a pipeline config (empty when fine)."""
    return [] if "database" in config else ["database: missing"]
