"""Reads the totals of a Cobertura coverage XML (as `coverage xml` writes it), safely."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mmpgate.errors import InputError, located

if TYPE_CHECKING:
    from mmpgate.metrics.document import Coverage


def read_totals(path: Path) -> Coverage:
    """Percent, line and branch counts from the root `<coverage>` element's attributes."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        # Only the root's attributes are needed: stop at the first start event.
        for _event, elem in ElementTree.iterparse(str(path), events=("start",)):
            attrs = dict(elem.attrib)
            break
        else:
            raise InputError(located(path, "/coverage", "expected a <coverage> root element"))
    except (OSError, SyntaxError, DefusedXmlException) as exc:
        raise InputError(
            located(path, "/coverage", f"expected a readable coverage XML ({exc})")
        ) from exc
    if elem.tag != "coverage":
        raise InputError(
            located(path, "/", f"expected a <coverage> root element, got <{elem.tag}>")
        )
    try:
        lines_valid = int(attrs["lines-valid"])
        lines_covered = int(attrs["lines-covered"])
        branches_valid = int(attrs.get("branches-valid", 0))
        branches_covered = int(attrs.get("branches-covered", 0))
    except (KeyError, ValueError) as exc:
        raise InputError(
            located(path, "/coverage", f"expected integer lines-valid and lines-covered ({exc})")
        ) from exc
    branch_measured = branches_valid > 0
    valid = lines_valid + (branches_valid if branch_measured else 0)
    covered = lines_covered + (branches_covered if branch_measured else 0)
    percent = 100.0 * covered / valid if valid else 100.0
    return {
        "percent": round(percent, 4),
        "lines_valid": lines_valid,
        "lines_covered": lines_covered,
        "branches_valid": branches_valid if branch_measured else None,
        "branches_covered": branches_covered if branch_measured else None,
        "file": str(path),
    }
