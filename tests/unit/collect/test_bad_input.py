"""Bad inputs to `mmpgate collect`: one line naming the file and place, exit code 2, no traceback."""

from __future__ import annotations

import pytest

from mmpgate.cli import main

GOOD_CASE = '<testcase classname="test_a" name="test_one" time="0.1"/>'
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<testsuites><testsuite name="pytest"><testcase classname="t" name="&lol4;"/></testsuite></testsuites>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE testsuites [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<testsuites><testsuite name="pytest"><testcase classname="t" name="&secret;"/></testsuite></testsuites>
"""
TRUNCATED = f'<testsuites><testsuite name="pytest">{GOOD_CASE}'.encode()
NON_UTF8 = b'<testsuite name="pytest"><testcase classname="t" name="caf\xe9"/></testsuite>'
BAD_JUNIT = {
    "billion-laughs": (BILLION_LAUGHS.encode(), "without a DTD or entity declarations"),
    "external-entity": (EXTERNAL_ENTITY.encode(), "without a DTD or entity declarations"),
    "truncated": (
        TRUNCATED,
        f"line 1 column {len(TRUNCATED) + 1}: expected well-formed XML, the file ends early",
    ),
    "not-junit": (b"<coverage><packages/></coverage>", "/coverage: expected a JUnit XML root"),
    "not-xml": (b"3 passed in 0.1s\n", "line 1 column 1: expected well-formed XML"),
    "empty": (b"", "expected well-formed XML, the file ends early"),
    "non-utf8": (NON_UTF8, f"expected UTF-8 text, byte {NON_UTF8.index(0xE9)} is not"),
    "bad-time": (
        f'<testsuites><testsuite name="p">{GOOD_CASE}'
        '<testcase classname="t" name="x" time="soon"/></testsuite></testsuites>'.encode(),
        "/testsuites/testsuite[1]/testcase[2]/@time: expected a finite number >= 0, got 'soon'",
    ),
    "negative-suite-time": (
        f'<testsuite name="p" time="-1">{GOOD_CASE}</testsuite>'.encode(),
        "/testsuite[1]/@time: expected a finite number >= 0, got '-1'",
    ),
    "bad-line": (
        b'<testsuite name="p"><testcase classname="t" name="x" line="ten"/></testsuite>',
        "/testsuite[1]/testcase[1]/@line: expected an integer, got 'ten'",
    ),
    "no-suite": (b"<testsuites/>", "expected at least one <testsuite> element"),
}


def run_collect(tmp_path, capsys, *extra: str) -> tuple[int, str]:
    """Run `mmpgate collect` and return its exit code and stderr."""
    output = tmp_path / "out.json"
    code = main(["collect", "--group", "unit", "--output", str(output), *extra])
    err = capsys.readouterr().err
    if code != 0:
        assert not output.exists()
    return code, err


@pytest.mark.parametrize("name", sorted(BAD_JUNIT))
def test_bad_junit_is_one_line_exit_2(tmp_path, capsys, name):
    """Each malformed or hostile JUnit file gives exit 2 and one line with file, place and expectation."""
    content, expected = BAD_JUNIT[name]
    junit = tmp_path / f"{name}.xml"
    junit.write_bytes(content)
    code, err = run_collect(tmp_path, capsys, "--junit", str(junit))
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"mmpgate collect: error: {junit}: ")
    assert expected in err
    assert "Traceback" not in err


def test_entities_are_never_expanded(tmp_path, capsys):
    """The billion-laughs file is refused before any entity is expanded: no 'lol' in the message."""
    junit = tmp_path / "lol.xml"
    junit.write_bytes(BILLION_LAUGHS.encode())
    code, err = run_collect(tmp_path, capsys, "--junit", str(junit))
    assert code == 2
    assert "lollol" not in err


@pytest.mark.parametrize("option", ["--junit", "--console-log", "--coverage-xml"])
def test_missing_and_directory_inputs(tmp_path, capsys, option):
    """A missing file or a directory given as any input file is a one-line exit-2 error."""
    junit = tmp_path / "junit.xml"
    junit.write_text(f'<testsuite name="p">{GOOD_CASE}</testsuite>', encoding="utf-8")
    for bad, expected in ((tmp_path / "nope.xml", "file not found"), (tmp_path, "directory")):
        args = ["--junit", str(junit)] if option != "--junit" else []
        code, err = run_collect(tmp_path, capsys, *args, option, str(bad))
        assert code == 2, (option, bad)
        assert err.count("\n") == 1
        assert str(bad) in err
        assert expected in err or (option == "--coverage-xml" and "coverage XML" in err)


@pytest.mark.parametrize("group", ["", "unit tests", "a/b"])
def test_bad_group_name(tmp_path, capsys, group):
    """A group name the metrics schema would refuse is a usage error (exit 2)."""
    junit = tmp_path / "junit.xml"
    junit.write_text(f'<testsuite name="p">{GOOD_CASE}</testsuite>', encoding="utf-8")
    output = tmp_path / "out.json"
    code = main(["collect", "--junit", str(junit), "--group", group, "--output", str(output)])
    assert code == 2
    assert "--group" in capsys.readouterr().err
