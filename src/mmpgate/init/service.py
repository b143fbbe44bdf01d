"""`mmpgate init`: detect, write the files that do not exist yet, optionally measure a first run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mmpgate.errors import UsageError
from mmpgate.init.detect import Detected, detect
from mmpgate.init.render import Measured, config_text, thresholds_text
from mmpgate.metrics.writing import write_text

THRESHOLDS = "thresholds.yml"
NEXT = ("mmpgate ci", "mmpgate report --output mmpgate-results/report.html")


@dataclasses.dataclass(frozen=True, slots=True)
class InitResult:
    """What init found and did."""

    found: Detected
    written: tuple[Path, ...]
    kept: tuple[Path, ...]


def _measure(root: Path) -> tuple[dict[str, Measured], Measured | None]:
    """Run every configured group once (as `mmpgate run --all`, then combine) and read it."""
    from mmpgate.combine import combine
    from mmpgate.metrics.results import load_metrics_dir
    from mmpgate.run.project import load_project
    from mmpgate.run.runner import output_dir, run_groups

    project = load_project(root)
    output = output_dir(project.root, project.output, None)
    run_groups(project, list(project.groups), output, [])
    combine(output, require_complete=False)
    metrics = load_metrics_dir(output)
    measured = {
        name: Measured(g.total, g.counts["skipped"], g.wall, g.coverage)
        for name, g in metrics.groups.items()
    }
    total = metrics.total
    return measured, (
        Measured(total.total, total.counts["skipped"], total.wall, total.coverage)
        if total is not None
        else None
    )


def init_project(root: Path, *, from_run: bool = False) -> InitResult:
    """Write the configuration and thresholds.yml unless they exist; never overwrite a file."""
    found = detect(root)
    if not found.groups:
        raise UsageError(f"{root}: no tests/ or test/ directory found: nothing to configure")
    written: list[Path] = []
    kept: list[Path] = []
    pyproject, yml = root / "pyproject.toml", root / "mmpgate.yml"
    if found.has_config:
        kept.append(yml if yml.is_file() else pyproject)
    elif found.has_pyproject:
        text = pyproject.read_text(encoding="utf-8")
        write_text(
            pyproject, text + ("" if text.endswith("\n") else "\n") + config_text(found, True)
        )
        written.append(pyproject)
    else:
        write_text(yml, config_text(found, False))
        written.append(yml)
    thresholds = root / THRESHOLDS
    if thresholds.exists():
        kept.append(thresholds)
    else:
        from mmpgate.run.project import load_project

        names = [group.name for group in load_project(root).groups]  # the config now in force
        measured, total = _measure(root) if from_run else (None, None)
        write_text(thresholds, thresholds_text(names, measured, total))
        written.append(thresholds)
    return InitResult(found, tuple(written), tuple(kept))
