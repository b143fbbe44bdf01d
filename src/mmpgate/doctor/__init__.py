"""`mmpgate doctor`: static checks for the patterns that make a suite flaky under parallel runs."""

from mmpgate.doctor.config import DoctorConfig, load
from mmpgate.doctor.model import Finding, Rule, Severity
from mmpgate.doctor.report import Format, render
from mmpgate.doctor.rules import RULES
from mmpgate.doctor.scan import ScanResult, scan
from mmpgate.doctor.scope import Scope

__all__ = [
    "RULES",
    "DoctorConfig",
    "Finding",
    "Format",
    "Rule",
    "ScanResult",
    "Scope",
    "Severity",
    "load",
    "render",
    "scan",
]
