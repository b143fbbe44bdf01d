"""Coverage data files (`.coverage.<group>`): read strictly, remapped to this checkout, combined.

A data file that cannot be read is an input error, never a smaller total. Data recorded in another
checkout directory (another job, machine or workspace) names absolute paths that do not exist here:
they are remapped to this checkout when the same relative file exists below it (coverage.py's
`[paths]` aliases), and refused by name when they do not.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mmpgate.errors import InputError, located

if TYPE_CHECKING:
    from mmpgate.metrics.document import Coverage


@dataclasses.dataclass(frozen=True, slots=True)
class DataFile:
    """One readable coverage data file and the checkout roots its paths were recorded under."""

    path: Path
    measured: int
    foreign_roots: tuple[str, ...]


def read_data_file(path: Path, root: Path) -> DataFile:
    """Open a `.coverage.<group>` file; InputError naming it when it is not readable coverage data."""
    import coverage

    if path.is_dir():
        raise InputError(located(path, "", "expected a coverage data file, found a directory"))
    if not path.is_file():
        raise InputError(located(path, "", "expected a regular coverage data file"))
    data = coverage.CoverageData(basename=str(path))
    try:
        data.read()
        measured = sorted(data.measured_files())
    except coverage.exceptions.CoverageException as exc:
        message = str(exc).replace(str(path), "").replace("''", "").strip(" :")
        raise InputError(
            located(path, "", f"expected coverage.py data, it cannot be read ({message})")
        ) from None
    roots: set[str] = set()
    for name in measured:
        recorded = Path(name)
        if not recorded.is_absolute() or recorded.is_relative_to(root):
            continue
        found = _foreign_root(recorded, root, path, required=not recorded.exists())
        if found is not None:
            roots.add(found)
    return DataFile(path=path, measured=len(measured), foreign_roots=tuple(sorted(roots)))


def _foreign_root(recorded: Path, root: Path, data_file: Path, *, required: bool) -> str | None:
    """The checkout directory `recorded` was measured in: the prefix whose rest exists below root.

    A file outside this checkout with no counterpart in it is kept as it is when it exists here
    (an installed package, measured where it lies) and refused when it does not.
    """
    parts = recorded.parts
    for cut in range(1, len(parts)):
        if root.joinpath(*parts[cut:]).is_file():
            return str(Path(*parts[:cut]))
    if not required:
        return None
    temporary = Path(tempfile.gettempdir())
    if recorded.is_relative_to(temporary) and not root.is_relative_to(temporary):
        hint = (
            "it lies in the temporary directory: a process the tests started with a coverage run "
            "of its own (pytest --cov) inherited COVERAGE_FILE and wrote into this group's data; "
            "start it without COVERAGE_FILE in its environment"
        )
    else:
        hint = (
            "combine in a checkout of the same commit, or record with "
            "`[tool.coverage.run] relative_files = true`"
        )
    raise InputError(
        located(
            data_file,
            "",
            f"names {recorded}, which is neither here nor below this checkout ({root}); {hint}",
        )
    )


def combine_data(files: Sequence[DataFile], root: Path, data_out: Path, xml_out: Path) -> Coverage:
    """Combine into `data_out`, report `xml_out`; return the XML totals. Sources must be here."""
    import coverage

    from mmpgate.metrics.coverage_xml import read_totals

    foreign = sorted({r for f in files for r in f.foreign_roots})
    cov = coverage.Coverage(data_file=str(data_out))
    if foreign:
        aliases: dict[str, list[str]] = dict(cov.config.paths)
        # The first entry is where the others are remapped to: this checkout.
        aliases["mmpgate-checkouts"] = [str(root) + os.sep, *(r + os.sep for r in foreign)]
        cov.set_option("run:relative_files", False)
        cov.set_option("paths", aliases)
    try:
        cov.combine([str(f.path) for f in files], keep=True)
        cov.save()
        cov.xml_report(outfile=str(xml_out))
    except coverage.exceptions.NoDataError:
        # Every data file was empty: nothing was measured, which is not 100 %.
        raise InputError(
            located(files[0].path, "", "expected measured files, the coverage data is empty")
        ) from None
    except coverage.exceptions.CoverageException as exc:
        names = ", ".join(f.path.name for f in files)
        raise InputError(located(root, "", f"coverage combine of {names} failed: {exc}")) from None
    return read_totals(xml_out)
