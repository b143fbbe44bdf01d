"""GitHub Actions: step outputs, the job summary and `::error` annotations.

Each function is a no-op outside Actions (its variable unset) and nothing happens at import.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mmpgate.errors import OutputError
from mmpgate.gate.quantities import decimal_text
from mmpgate.gate.verdict import Figures, Verdict
from mmpgate.report import quantity_text, render_markdown

if TYPE_CHECKING:
    from mmpgate.trends import RunPoint

#: The runner refuses a step summary above 1 MiB; stay well under it.
SUMMARY_LIMIT = 1024 * 1024
SUMMARY_BUDGET = 512 * 1024
#: The UI shows about 10 error annotations per step.
ANNOTATION_LIMIT = 10
_LIST_LIMITS = (50, 20, 5, 0)


def in_actions(env: Mapping[str, str]) -> bool:
    """True when running as a GitHub Actions step."""
    return env.get("GITHUB_ACTIONS") == "true"


def _delimiter(value: str) -> str:
    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return delimiter


def format_outputs(values: Mapping[str, str]) -> str:
    """`name=value` lines; multi-line values use a random heredoc delimiter no value can forge."""
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = _delimiter(value)
            lines += [f"{name}<<{delimiter}", value, delimiter]
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def _append_problem(target: str) -> str | None:
    """Why text cannot be appended to `target`, or None when it can (as far as can be seen)."""
    path = Path(target)
    if path.is_dir():
        return "is a directory"
    if not path.parent.is_dir():
        return f"its directory {path.parent} does not exist"
    if path.exists() and not path.is_file():
        return "is not a regular file"
    return None


def check_outputs_file(env: Mapping[str, str] | None = None) -> None:
    """Refuse (OutputError, exit 2) a $GITHUB_OUTPUT that cannot be appended to, before any work.

    Step outputs are data later steps act on (`if: outputs.verdict == 'fail'`): a gate whose
    outputs are lost must not look like one that passed. The step summary is display only: a
    problem with it is a warning (see `append_summary`).
    """
    target = (os.environ if env is None else env).get("GITHUB_OUTPUT")
    problem = _append_problem(target) if target else None
    if problem:
        raise OutputError(f"GITHUB_OUTPUT={target}: cannot append step outputs: {problem}")


def write_outputs(values: Mapping[str, str], env: Mapping[str, str] | None = None) -> bool:
    """Append outputs to $GITHUB_OUTPUT; False (nothing written) when it is unset."""
    target = (os.environ if env is None else env).get("GITHUB_OUTPUT")
    if not target:
        return False
    check_outputs_file(env)
    try:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(format_outputs(values))
    except OSError as exc:
        raise OutputError(
            f"GITHUB_OUTPUT={target}: cannot append step outputs: {exc.strerror}"
        ) from None
    return True


def _rate(value: object) -> str:
    return decimal_text(value) if isinstance(value, Fraction) else ""


def _figure_outputs(prefix: str, figures: Figures | None) -> dict[str, str]:
    if figures is None:
        return {
            f"{prefix}{key}": "" for key in ("failure-rate", "skip-rate", "coverage", "duration")
        }
    return {
        f"{prefix}failure-rate": _rate(figures.failure_rate),
        f"{prefix}skip-rate": _rate(figures.skip_rate),
        f"{prefix}coverage": decimal_text(figures.coverage, 2)
        if figures.coverage is not None
        else "",
        f"{prefix}duration": decimal_text(figures.duration, 3),
    }


def verdict_outputs(verdict: Verdict) -> dict[str, str]:
    """verdict, total failure-rate/skip-rate/coverage/duration, and the same per `<group>-`."""
    values = {"verdict": "pass" if verdict.passed else "fail"}
    values.update(_figure_outputs("", verdict.total))
    for figures in verdict.groups:
        values.update(_figure_outputs(f"{figures.name}-", figures))
    return values


def summary_markdown(
    verdict: Verdict, budget: int = SUMMARY_BUDGET, trend: Sequence[RunPoint] = ()
) -> str:
    """The markdown verdict, with its lists cut further until it fits in `budget` bytes; at each
    length the trend charts give way first (the failing tests matter more than the picture)."""
    attempts = [(limit, shown) for limit in _LIST_LIMITS for shown in (trend, ())]
    for limit, shown in attempts:
        text = render_markdown(verdict, list_limit=limit, trend=shown)
        if len(text.encode("utf-8")) <= budget:
            return text
    note = (
        "\n\n(summary cut: the verdict table alone exceeds the size limit; see the JSON verdict)\n"
    )
    data = text.encode("utf-8")[: max(0, budget - len(note))]
    return data.decode("utf-8", errors="ignore") + note


def append_summary(
    verdict: Verdict,
    env: Mapping[str, str] | None = None,
    trend: Sequence[RunPoint] = (),
    warn: TextIO | None = None,
) -> bool:
    """Append the markdown verdict to $GITHUB_STEP_SUMMARY, keeping the file under 1 MiB.

    The summary is display only: when it cannot be written, one warning line goes to `warn`
    (stderr) and the verdict's exit code stands.
    """
    target = (os.environ if env is None else env).get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    path = Path(target)
    problem = _append_problem(target)
    if problem is None:
        used = path.stat().st_size if path.is_file() else 0
        budget = min(SUMMARY_BUDGET, SUMMARY_LIMIT - used - 1024)
        if budget <= 0:
            return False
        try:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(summary_markdown(verdict, budget, trend))
        except OSError as exc:
            problem = str(exc.strerror)
        else:
            return True
    print(
        f"mmpgate: warning: GITHUB_STEP_SUMMARY={target}: job summary not written: {problem}",
        file=sys.stderr if warn is None else warn,
    )
    return False


def escape_data(text: str) -> str:
    """Escape a workflow command's message as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (`file=`, `title=`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_command(
    message: str, *, file: str | None = None, line: int | None = None, title: str | None = None
) -> str:
    """One `::error` workflow command."""
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
        if line is not None:
            props.append(f"line={line}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = "::error" + (" " + ",".join(props) if props else "")
    return f"{head}::{escape_data(message)}"


def file_of(nodeid: str) -> str | None:
    """The file part of a pytest node id (`tests/test_a.py::test_b[x]` -> `tests/test_a.py`)."""
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(".py") or "/" in path else None


def verdict_annotations(verdict: Verdict, limit: int = ANNOTATION_LIMIT) -> list[str]:
    """Failed rules, then failing tests; past `limit`, the rest is summarised in the last one."""
    commands: list[str] = []
    for row in verdict.failed_rows:
        parts = []
        if row.measured is not None:
            parts.append(f"measured {quantity_text(row.measured)}")
        if row.threshold is not None:
            parts.append(f"threshold {quantity_text(row.threshold)}")
        if row.baseline is not None:
            parts.append(f"baseline {quantity_text(row.baseline)}")
        if row.detail:
            parts.append(row.detail)
        commands.append(
            error_command("; ".join(parts) or "failed", title=f"mmpgate: {row.rule} ({row.group})")
        )
    for note in verdict.failing:
        line = note.line if note.line is not None and note.line > 0 else None
        message = note.message or f"{note.outcome}: {note.nodeid}"
        commands.append(
            error_command(
                message,
                file=file_of(note.nodeid),
                line=line,
                title=f"{note.outcome}: {note.nodeid}",
            )
        )
    if len(commands) <= limit:
        return commands
    rest = len(commands) - (limit - 1)
    summary = f"{rest} more failed rules and failing tests are not annotated; see the job summary"
    return [*commands[: limit - 1], error_command(summary, title="mmpgate")]


def emit_annotations(
    verdict: Verdict, stream: TextIO | None = None, env: Mapping[str, str] | None = None
) -> int:
    """Print the annotations when running in Actions; return how many were printed."""
    if not in_actions(os.environ if env is None else env):
        return 0
    commands = verdict_annotations(verdict)
    out = sys.stdout if stream is None else stream
    for command in commands:
        print(command, file=out)
    return len(commands)
