"""Rule `parse-error`: a file that cannot be parsed is a finding, never a crash."""

from __future__ import annotations


def test_syntax_error_is_a_finding_at_its_line(check_files):
    """A syntax error is reported at its line and the other files are still checked."""
    check_files(
        {
            "test_broken.py": """
                def test_x():
                    return (1,  # expect: parse-error
            """,
            "test_fine.py": """
                import subprocess
                subprocess.run(["pkill", "mlflow"])  # expect: global-kill
            """,
        }
    )


def test_undecodable_and_null_bytes_are_findings(doctor, tmp_path):
    """Bytes that are not UTF-8, and NUL bytes, are parse errors at line 1."""
    (tmp_path / "test_latin.py").write_bytes(b"x = '\xe9t\xe9'\n")
    (tmp_path / "test_nul.py").write_bytes(b"x = 1\x00\n")
    assert doctor({}) == {("test_latin.py", 1, "parse-error"), ("test_nul.py", 1, "parse-error")}


def test_compile_only_errors_are_not_parse_errors(check_files):
    """A file that parses but would not compile (module-level return) is not a parse error."""
    check_files({"test_odd.py": "def test_x():\n    pass\nreturn 1\n"})
