"""Rendering: text grouped by file, JSON, GitHub annotations (escaped and capped)."""

from __future__ import annotations

import json

from mmpgate.doctor import RULES, Finding, Format, render
from mmpgate.doctor.report import ANNOTATION_CAP
from mmpgate.doctor.scope import Scope

SCOPE = Scope(("tests", "src/pkg"), "tests + packages from the coverage source")
FIRST = "mmpgate doctor: checking tests, src/pkg (tests + packages from the coverage source)"

A = Finding("tests/a.py", 3, "global-kill", "`pkill x`: kills", "use the fixture")
B = Finding("tests/a.py", 9, "fixed-port", "`--port 1`: fixed", "port 0")
C = Finding("tests/b.py", 1, "parse-error", "bad: cannot parse", "fix it")


def test_text_grouped_by_file():
    """Each file is a heading followed by its findings and fixes, then a summary line."""
    text = render((A, B, C), 5, Format.TEXT, SCOPE)
    assert text.splitlines() == [
        FIRST,
        "tests/a.py",
        "     3  global-kill  `pkill x`: kills",
        "        fix: use the fixture",
        "     9  fixed-port  `--port 1`: fixed",
        "        fix: port 0",
        "",
        "tests/b.py",
        "     1  parse-error  bad: cannot parse",
        "        fix: fix it",
        "",
        "mmpgate doctor: 3 finding(s) in 2 of 5 file(s) (fixed-port 1, global-kill 1, parse-error 1)",
    ]


def test_text_when_clean():
    """A clean scan states its scope, then says it is clean and how many files it read."""
    assert (
        render((), 7, Format.TEXT, SCOPE) == f"{FIRST}\nmmpgate doctor: no findings in 7 file(s)\n"
    )


def test_json_shape():
    """JSON is {"scope": {paths, origin}, "findings": [{path, line, rule, message, fix}]}."""
    document = json.loads(render((A, C), 2, Format.JSON, SCOPE))
    assert document == {
        "scope": {"paths": ["tests", "src/pkg"], "origin": SCOPE.origin},
        "findings": [
            {
                "path": "tests/a.py",
                "line": 3,
                "rule": "global-kill",
                "message": A.message,
                "fix": A.fix,
            },
            {
                "path": "tests/b.py",
                "line": 1,
                "rule": "parse-error",
                "message": C.message,
                "fix": C.fix,
            },
        ],
    }


def test_github_annotations_escaped():
    """Properties escape `:` and `,`; data escapes `%` and newlines; level follows the rule."""
    odd = Finding("dir,x/a:b.py", 4, "sleep-after-start", "50% of\nruns", "wait, then: go")
    lines = render((odd,), 1, Format.GITHUB, SCOPE).splitlines()[1:]
    level = RULES["sleep-after-start"].severity.value
    assert lines[0] == (
        f"::{level} file=dir%2Cx/a%3Ab.py,line=4,title=mmpgate doctor%3A sleep-after-start"
        "::50%25 of%0Aruns. Fix: wait, then: go"
    )
    assert lines[1].startswith("mmpgate doctor: 1 finding(s)")


def test_github_annotations_capped():
    """Past the cap, findings are still printed, as plain lines."""
    many = tuple(
        Finding("t.py", line, "fixed-port", "m", "f") for line in range(1, ANNOTATION_CAP + 3)
    )
    lines = render(many, 1, Format.GITHUB, SCOPE).splitlines()[1:]
    assert sum(line.startswith("::") for line in lines) == ANNOTATION_CAP
    assert lines[ANNOTATION_CAP : ANNOTATION_CAP + 2] == [
        f"t.py:{ANNOTATION_CAP + 1}: fixed-port: m",
        f"t.py:{ANNOTATION_CAP + 2}: fixed-port: m",
    ]


def test_rule_ids_are_stable_kebab_case():
    """Every rule id is lowercase kebab-case and its catalogue key; every rule has a fix."""
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule_id.replace("-", "").isalpha()
        assert rule_id == rule_id.lower()
        assert rule.message
        assert rule.fix
