"""pytest node ids from JUnit `classname` + `name`, and back (pytest's own mangling).

pytest writes `classname` as the test file's path with `/` turned into `.` and `.py` dropped,
followed by the class names, and `name` as the function name with its parameters. The split between
the module path and the classes is lost; it is recovered here best-effort: the trailing parts that
start with an upper-case letter are classes (pytest collects `Test*` classes by default), the rest is
the module path. When the file gives a `file` attribute (junit_family=xunit1) or the console log
lists the real node id, the id is exact instead.
"""

from __future__ import annotations

import re

_PY_SUFFIX = re.compile(r"\.py$")


def junit_key(nodeid: str) -> tuple[str, str]:
    """(classname, name) that pytest's JUnit writer gives a node id (its `mangle_test_address`)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = _PY_SUFFIX.sub("", names[0].replace("/", "."))
    names[-1] += bracket + params
    return ".".join(names[:-1]), names[-1]


def reconstruct(classname: str, name: str, file: str | None) -> str:
    """Best-effort node id of a JUnit test case (see the module docstring)."""
    if not classname:
        # A collector (collection error or module-level skip): `name` is the dotted module path.
        if file:
            return file
        return name.replace(".", "/") + ".py"
    parts = classname.split(".")
    if file and _PY_SUFFIX.sub("", file.replace("/", ".")) == ".".join(parts[: _module_len(file)]):
        module = file
        classes = parts[_module_len(file) :]
    else:
        split = len(parts)
        while split > 1 and parts[split - 1][:1].isupper():
            split -= 1
        module = "/".join(parts[:split]) + ".py"
        classes = parts[split:]
    return "::".join([module, *classes, name])


def _module_len(file: str) -> int:
    return len(_PY_SUFFIX.sub("", file.replace("/", ".")).split("."))
