"""Inline suppressions: `# mmpgate: ignore[rule-id, ...]` (or a bare `# mmpgate: ignore`) on a line."""

from __future__ import annotations

import io
import re
import tokenize

_MARKER = "mmpgate:"
_COMMENT = re.compile(r"#\s*mmpgate:\s*ignore\b(?:\[(?P<rules>[^\]]*)\])?")

#: Rule ids suppressed per line; None means every rule on that line.
Suppressions = dict[int, frozenset[str] | None]


def parse(source: str) -> Suppressions:
    """The suppression comments of a module (comments only: never text inside strings)."""
    if _MARKER not in source:
        return {}
    found: Suppressions = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _COMMENT.search(token.string)
        if match is None:
            continue
        line = token.start[0]
        if match["rules"] is None:
            found[line] = None
            continue
        rules = frozenset(part.strip() for part in match["rules"].split(",") if part.strip())
        previous = found.get(line, frozenset())
        found[line] = None if previous is None else previous | rules
    return found


def is_suppressed(suppressions: Suppressions, line: int, rule: str) -> bool:
    """True when a comment on that line suppresses that rule."""
    if line not in suppressions:
        return False
    rules = suppressions[line]
    return rules is None or rule in rules
