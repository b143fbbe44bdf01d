"""quarantine.yml: tests that still run but do not block, each with a reason, owner, issue, expiry.

The file is read through the one config layer (a bare `2027-01-31` stays that date's text),
validated against `schemas/quarantine.schema.json`, and matched against node ids by prefix at a
node-id boundary: `tests/unit/test_x.py` holds its tests, `...::TestX` its methods, `...::test_y`
its parametrized cases.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from mmpgate.errors import ConfigError, InputError, located

QUARANTINE_VERSION = 1
DEFAULT_FILE = "quarantine.yml"
SCHEMA = "quarantine.schema.json"
_FIELDS = ("test", "reason", "owner", "issue", "expires")


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One quarantined test or prefix."""

    test: str
    reason: str
    owner: str
    issue: str
    expires: dt.date

    def holds(self, nodeid: str) -> bool:
        """Whether this entry covers `nodeid` (itself, or a prefix at a node-id boundary)."""
        test = self.test
        if nodeid == test:
            return True
        if not nodeid.startswith(test):
            return False
        rest = nodeid[len(test)]
        return rest in ":[" or test.endswith("/") or rest == "/"

    def expired(self, today: dt.date) -> bool:
        """An entry holds through its `expires` day and fails the gate from the next day on."""
        return today > self.expires

    def as_json(self) -> dict[str, str]:
        """The entry as the file spells it."""
        return {
            "test": self.test,
            "reason": self.reason,
            "owner": self.owner,
            "issue": self.issue,
            "expires": self.expires.isoformat(),
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Quarantine:
    """A validated quarantine file (an empty one when the default file does not exist)."""

    entries: tuple[Entry, ...] = ()
    source: str | None = None

    def match(self, nodeid: str) -> Entry | None:
        """The first entry that holds `nodeid`, or None."""
        for entry in self.entries:
            if entry.holds(nodeid):
                return entry
        return None

    def matching(self, nodeids: Iterable[str]) -> dict[str, Entry]:
        """Node id -> entry for every node id some entry holds."""
        if not self.entries:
            return {}
        found: dict[str, Entry] = {}
        for nodeid in nodeids:
            entry = self.match(nodeid)
            if entry is not None:
                found[nodeid] = entry
        return found


def load_quarantine(path: Path, *, required: bool) -> Quarantine:
    """Read and validate a quarantine file; a missing file is empty unless `required`."""
    if not path.exists():
        if required:
            raise ConfigError(located(path, "", "quarantine file not found"))
        return Quarantine(source=None)
    from mmpgate.config.loader import read_text

    text = read_text(path, "quarantine file")
    return parse_quarantine(text, path)


def parse_quarantine(text: str, path: object) -> Quarantine:
    """Quarantine file text -> a validated Quarantine; ConfigError (one line) when it is wrong."""
    from mmpgate.config.loader import parse_yaml

    document = parse_yaml(text, path, dates_as_text=True)
    if document is None:
        raise ConfigError(
            located(
                path,
                "$",
                "expected a mapping with `version: 1` and `quarantine:`, the file is empty",
            )
        )
    from mmpgate.config.schemas import validate

    try:
        validate(document, SCHEMA, file=path)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document["quarantine"]):
        try:
            expires = dt.date.fromisoformat(raw["expires"])
        except ValueError:
            raise ConfigError(
                located(
                    path,
                    f"$.quarantine[{index}].expires",
                    f"expected a real date, got {raw['expires']!r}",
                )
            ) from None
        if raw["test"] in seen:
            raise ConfigError(
                located(
                    path,
                    f"$.quarantine[{index}].test",
                    f"expected each test once, {raw['test']!r} is also entry {seen[raw['test']]}",
                )
            )
        seen[raw["test"]] = index
        entries.append(Entry(raw["test"], raw["reason"], raw["owner"], raw["issue"], expires))
    return Quarantine(entries=tuple(entries), source=str(path))


def render(entries: Sequence[Entry]) -> str:
    """The file's text: deterministic, every string quoted as JSON (which YAML reads as written)."""
    import json

    lines = [
        "# Quarantined tests still run; their failures do not count against the gate.",
        "# Edit with `mmpgate quarantine add`; schema: schemas/quarantine.schema.json.",
        f"version: {QUARANTINE_VERSION}",
    ]
    if not entries:
        lines.append("quarantine: []")
    else:
        lines.append("quarantine:")
        for entry in entries:
            fields = entry.as_json()
            lines.append(f"  - test: {json.dumps(fields['test'])}")
            for key in _FIELDS[1:-1]:
                lines.append(f"    {key}: {json.dumps(fields[key])}")
            lines.append(f"    expires: {fields['expires']}")
    return "\n".join(lines) + "\n"


def add_entry(path: Path, entry: Entry, *, today: dt.date) -> tuple[Quarantine, bool]:
    """Add (or replace, same `test`) one entry and write the file atomically; (result, replaced)."""
    from mmpgate.metrics.writing import write_text

    if entry.expired(today):
        raise ConfigError(
            f"--expires: expected today ({today.isoformat()}) or later, got {entry.expires.isoformat()}"
        )
    current = load_quarantine(path, required=False)
    kept = [e for e in current.entries if e.test != entry.test]
    replaced = len(kept) != len(current.entries)
    position = next((i for i, e in enumerate(current.entries) if e.test == entry.test), len(kept))
    kept.insert(position, entry)
    text = render(kept)
    result = parse_quarantine(text, path)  # never write a file the reader would refuse
    write_text(path, text)
    return result, replaced
