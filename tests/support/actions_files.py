"""The action and workflow files of this repository, read for contract tests and the harness."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
WORKFLOWS = ROOT / ".github" / "workflows"
REUSABLE = WORKFLOWS / "mmpgate.yml"
CI = WORKFLOWS / "ci.yml"
FIXTURES = ROOT / "tests" / "fixtures" / "actions"
NODE_DIR = ROOT / ".ci" / "node"
README = ROOT / "README.md"
TABLE_START = "<!-- action-inputs:start -->"
TABLE_END = "<!-- action-inputs:end -->"

#: The release commits every `uses:` must be pinned to (node24 majors).
PINS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
}


def load_yaml(path: Path) -> dict[str, Any]:
    """A workflow or action file as data (`on:` stays the string key it is in the file)."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StringBoolLoader)  # noqa: S506
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


class _StringBoolLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans: `on:` must stay a key named "on"."""


_StringBoolLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StringBoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def workflow_files() -> list[Path]:
    """Every workflow of this repository."""
    return sorted(WORKFLOWS.glob("*.yml"))


@dataclass(frozen=True, slots=True)
class Step:
    """One step and where it lives."""

    file: Path
    job: str | None  # None for the action's own steps
    index: int
    data: dict[str, Any]

    @property
    def where(self) -> str:
        """A readable location for assertion messages."""
        job = f"jobs.{self.job}." if self.job else "runs."
        return (
            f"{self.file.relative_to(ROOT)}: {job}steps[{self.index}] {self.data.get('name', '')}"
        )


def steps_of(path: Path) -> Iterator[Step]:
    """Every step of an action or a workflow."""
    data = load_yaml(path)
    if "runs" in data:
        for index, step in enumerate(data["runs"].get("steps", [])):
            yield Step(path, None, index, step)
        return
    for job_id, job in (data.get("jobs") or {}).items():
        for index, step in enumerate(job.get("steps") or []):
            yield Step(path, job_id, index, step)


def all_steps() -> list[Step]:
    """Steps of action.yml and every workflow."""
    return [step for path in [ACTION, *workflow_files()] for step in steps_of(path)]


_USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*))?$")


@dataclass(frozen=True, slots=True)
class UsesLine:
    """A `uses:` line as written, with its trailing comment."""

    file: Path
    line: int
    ref: str
    comment: str


def uses_lines(path: Path) -> list[UsesLine]:
    """Every `uses:` in a file, read as text so that version comments are kept."""
    found = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _USES_LINE.match(text)
        if match:
            found.append(UsesLine(path, number, match["ref"], (match["comment"] or "").strip()))
    return found


def action_table(action: dict[str, Any] | None = None) -> str:
    """The README's inputs/outputs table, generated from action.yml."""
    action = action or load_yaml(ACTION)
    lines = ["| Input | Default | Description |", "|---|---|---|"]
    for name, spec in action["inputs"].items():
        default = str(spec.get("default", ""))
        shown = f"`{default}`" if default else "(empty)"
        lines.append(f"| `{name}` | {shown} | {_cell(spec['description'])} |")
    lines += ["", "| Output | Description |", "|---|---|"]
    for name, spec in action["outputs"].items():
        lines.append(f"| `{name}` | {_cell(spec['description'])} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def readme_table(readme: Path = README) -> str:
    """The text between the README's action-inputs markers."""
    text = readme.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise LookupError(f"{readme.name}: markers {TABLE_START} / {TABLE_END} not found")
    return text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()


def tool(name: str) -> str:
    """The path of a validator installed beside this interpreter, or the bare name."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name
