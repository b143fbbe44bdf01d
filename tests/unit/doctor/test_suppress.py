"""Inline `# mmpgate: ignore[...]` comments and the config's ignore list."""

from __future__ import annotations

from mmpgate.doctor import DoctorConfig
from mmpgate.doctor.suppress import is_suppressed, parse


def test_comment_suppresses_named_rule_on_its_line(check_snippet):
    """A comment naming the rule hides that finding; other lines and rules stay reported."""
    check_snippet(
        """
        import subprocess
        subprocess.run(["pkill", "-f", "mlflow"])  # mmpgate: ignore[global-kill]
        subprocess.run(["pkill", "-f", "uvicorn"])  # expect: global-kill
        subprocess.run(["pkill", "-f", "x"])  # mmpgate: ignore[fixed-port] # expect: global-kill
        """
    )


def test_bare_comment_and_lists(check_snippet):
    """A bare `ignore` hides every rule on the line; a list hides each rule it names."""
    check_snippet(
        """
        import subprocess, time
        def start():
            subprocess.Popen(["mlflow", "server", "--port", "5000"])  # mmpgate: ignore
            time.sleep(2)  # mmpgate: ignore[fixed-port, sleep-after-start]
            subprocess.Popen(["uvicorn", "app:app", "--port", "8000"])  # expect: fixed-port
        """
    )


def test_suppression_applies_to_cross_file_findings(check_files):
    """A comment on a test's def line hides its `unmarked-server-fixture` finding."""
    conftest = """
        import subprocess, pytest
        @pytest.fixture(scope="session")
        def srv():
            yield subprocess.Popen(["x"], start_new_session=True)
    """
    check_files(
        {
            "conftest.py": conftest,
            "test_a.py": """
                def test_hidden(srv):  # mmpgate: ignore[unmarked-server-fixture]
                    pass
                def test_shown(srv):  # expect: unmarked-server-fixture
                    pass
            """,
        }
    )


def test_text_inside_strings_is_not_a_comment():
    """Only real comments count: the marker inside a string suppresses nothing."""
    source = 'x = "# mmpgate: ignore[global-kill]"\ny = 1  # mmpgate: ignore[fixed-port]\n'
    found = parse(source)
    assert found == {2: frozenset({"fixed-port"})}
    assert not is_suppressed(found, 1, "global-kill")
    assert is_suppressed(found, 2, "fixed-port")


def test_config_ignore_list(doctor):
    """Rules in the config's ignore list are never reported; the others still are."""
    files = {
        "test_x.py": """
            import subprocess
            subprocess.run(["pkill", "-f", "mlflow"])
            CMD = ["mlflow", "server", "--port", "5000"]
        """
    }
    assert doctor(files, DoctorConfig(ignore=frozenset({"global-kill"}))) == {
        ("test_x.py", 4, "fixed-port")
    }
