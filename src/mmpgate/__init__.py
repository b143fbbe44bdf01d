"""mmpgate: honest per-group pytest metrics, a regression gate, and suite stabilization."""

from mmpgate.errors import ConfigError, ExitCode, InputError, MmpgateError, UsageError
from mmpgate.metrics.format import FORMAT_VERSION

__all__ = [
    "FORMAT_VERSION",
    "ConfigError",
    "ExitCode",
    "InputError",
    "MmpgateError",
    "UsageError",
]
__version__ = "0.1.0"
