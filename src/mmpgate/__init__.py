"""mmpgate: honest per-group pytest metrics, a regression gate, and suite stabilization."""

from __future__ import annotations

from mmpgate.errors import ConfigError, ExitCode, InputError, MmpgateError, UsageError
from mmpgate.metrics.format import FORMAT_VERSION

__all__ = [
    "FORMAT_VERSION",
    "ConfigError",
    "ExitCode",
    "InputError",
    "MmpgateError",
    "UsageError",
    "__version__",
]


def __getattr__(name: str) -> str:
    # The version has one home, the package metadata (pyproject.toml); it is looked up only when
    # asked for, so importing the plugin in every pytest run does not scan installed packages.
    if name == "__version__":
        from importlib import metadata

        try:
            version = metadata.version("mmpgate")
        except metadata.PackageNotFoundError:  # run from a source tree that was never installed
            version = "0+unknown"
        globals()["__version__"] = version
        return version
    raise AttributeError(f"module 'mmpgate' has no attribute {name!r}")
