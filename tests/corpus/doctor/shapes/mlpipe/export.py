"""Exports predictions through a scratch directory."""

import shutil
import tempfile
from pathlib import Path

SCRATCH = Path(tempfile.gettempdir()) / "mlpipe-export"


def export(rows: list[str], target: Path) -> None:
    """Write rows to a fixed scratch dir, copy them out, clean up."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    (SCRATCH / "rows.csv").write_text("\n".join(rows))
    shutil.copy(SCRATCH / "rows.csv", target)
    shutil.rmtree(SCRATCH)  # expect: shared-scratch-dir


def export_private(rows: list[str], target: Path) -> None:
    """The same through a directory of its own."""
    scratch = Path(tempfile.mkdtemp(prefix="mlpipe-export-"))
    (scratch / "rows.csv").write_text("\n".join(rows))
    shutil.copy(scratch / "rows.csv", target)
    shutil.rmtree(scratch)
