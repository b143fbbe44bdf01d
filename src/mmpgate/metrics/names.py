"""The one rule for group names, used by every entry point and both schemas.

A group name becomes part of file names (`metrics.<group>.json`, `.coverage.<group>`), artifact names
and command lines, on case-insensitive file systems too. So it is lower-case ASCII letters and
digits, `-` and `_`, starting with a letter or digit, at most 64 characters, and never `total`
(the name of the combined file). No dots: `metrics.<group>.json` stays unambiguous.
"""

from __future__ import annotations

import re

TOTAL = "total"
GROUP_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
GROUP_NAME_RULE = "lower-case letters, digits, '-' or '_', starting with a letter or digit, at most 64 characters, not 'total'"
_GROUP_NAME = re.compile(GROUP_NAME_PATTERN)


def group_name_problem(name: object) -> str | None:
    """None for a valid group name; otherwise what was expected, for a one-line error."""
    if isinstance(name, str) and _GROUP_NAME.match(name) and name != TOTAL:
        return None
    return f"expected a group name of {GROUP_NAME_RULE}, got {name!r}"


def is_group_name(name: object) -> bool:
    """Whether `name` is a valid group name."""
    return group_name_problem(name) is None
