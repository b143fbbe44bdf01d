"""Rule `unmarked-server-fixture`: tests reaching a wide-scoped server fixture without the mark."""

from __future__ import annotations

CONFTEST = """
    import subprocess
    import pytest

    @pytest.fixture(scope="session")
    def mlflow_server():
        proc = subprocess.Popen(["mlflow", "server"], start_new_session=True)
        yield proc

    @pytest.fixture
    def client(mlflow_server):
        return mlflow_server

    @pytest.fixture
    def per_test_server():
        proc = subprocess.Popen(["uvicorn", "app:app"], start_new_session=True)
        yield proc
"""


def test_unmarked_users_found_through_conftest(check_files):
    """Direct and indirect (via another fixture) users in subdirectories are reported."""
    files = {
        "tests/conftest.py": CONFTEST,
        "tests/integration/test_api.py": """
            import pytest

            def test_direct(mlflow_server):  # expect: unmarked-server-fixture
                pass

            def test_indirect(client):  # expect: unmarked-server-fixture
                pass

            @pytest.mark.usefixtures("mlflow_server")
            def test_usefixtures():  # expect: unmarked-server-fixture
                pass

            class TestGroup:
                def test_method(self, client):  # expect: unmarked-server-fixture
                    pass
        """,
    }
    check_files(files)


def test_marked_users_not_reported(check_files):
    """Marks on the test, its class or its module, and function-scoped servers, are enough."""
    files = {
        "tests/conftest.py": CONFTEST,
        "tests/test_marked.py": """
            import pytest

            @pytest.mark.server
            def test_marked(mlflow_server):
                pass

            @pytest.mark.server("mlflow")
            def test_named_lock(client):
                pass

            @pytest.mark.server
            class TestMarkedClass:
                def test_method(self, client):
                    pass

            def test_function_scoped(per_test_server):
                pass

            def test_no_server(tmp_path):
                pass
        """,
        "tests/test_module_mark.py": """
            import pytest

            pytestmark = [pytest.mark.slow, pytest.mark.server]

            def test_in_marked_module(mlflow_server):
                pass
        """,
    }
    check_files(files)


def test_conftest_scope_and_overrides(check_files):
    """A conftest's fixtures reach only its directory; a module's own fixture overrides them."""
    files = {
        "tests/a/conftest.py": CONFTEST,
        "tests/b/test_other_dir.py": """
            def test_same_name_elsewhere(mlflow_server):
                pass
        """,
        "tests/a/test_override.py": """
            import pytest

            @pytest.fixture
            def mlflow_server():
                return "http://example.invalid"

            def test_uses_override(mlflow_server):
                pass
        """,
    }
    check_files(files)


def test_module_scoped_fixture_in_test_module(check_files):
    """A module-scoped uvicorn server defined in the test module itself is found."""
    files = {
        "test_module_server.py": """
            import threading
            import pytest
            import uvicorn

            @pytest.fixture(scope="module")
            def api():
                server = uvicorn.Server(uvicorn.Config("app:app", port=0))
                threading.Thread(target=server.run, daemon=True).start()
                yield server

            def test_api(api):  # expect: unmarked-server-fixture
                pass
        """,
    }
    check_files(files)


def test_autouse_server_fixture_reported_once(check_files):
    """An autouse wide-scoped server fixture is one finding at the fixture, naming the count."""
    files = {
        "tests/conftest.py": """
            import subprocess
            import pytest

            @pytest.fixture(scope="session", autouse=True)
            def everywhere():  # expect: unmarked-server-fixture
                proc = subprocess.Popen(["mlflow", "server"], start_new_session=True)
                yield proc
        """,
        "tests/test_a.py": """
            def test_one():
                pass

            def test_two():
                pass
        """,
    }
    check_files(files)


def test_fixture_cycle_terminates(check_files):
    """Fixtures that request each other (or themselves, overriding) do not loop forever."""
    files = {
        "tests/conftest.py": """
            import pytest

            @pytest.fixture
            def a(b):
                return b

            @pytest.fixture
            def b(a):
                return a
        """,
        "tests/sub/conftest.py": """
            import pytest

            @pytest.fixture
            def a(a):
                return a
        """,
        "tests/sub/test_cycle.py": """
            def test_cycle(a):
                pass
        """,
    }
    check_files(files)


def test_plain_test_file_naming_a_server_fixture_is_parsed(check_files):
    """A test file with nothing else suspicious is still read when it names a server fixture."""
    check_files(
        {
            "tests/conftest.py": CONFTEST,
            "tests/test_plain.py": """
                def test_plain(client):  # expect: unmarked-server-fixture
                    assert client
            """,
            "tests/test_unrelated.py": """
                def test_unrelated(tmp_path):
                    assert tmp_path
            """,
        }
    )


def test_autouse_scope_reaches_plain_files(check_files):
    """Plain test files under an autouse server fixture's conftest are counted."""
    check_files(
        {
            "tests/conftest.py": """
                import subprocess
                import pytest

                @pytest.fixture(scope="module", autouse=True)
                def background():  # expect: unmarked-server-fixture
                    yield subprocess.Popen(["x"], start_new_session=True)
            """,
            "tests/deep/test_plain.py": """
                def test_plain():
                    pass
            """,
        }
    )


def test_mmpgate_plugin_server_factories(check_files):
    """mmpgate's module/session server factories count as wide-scoped servers; the per-test one
    does not."""
    check_files(
        {
            "tests/test_factories.py": """
                import pytest

                @pytest.fixture(scope="session")
                def tracking(session_server_factory):
                    return session_server_factory.mlflow()

                def test_wrapped(tracking):  # expect: unmarked-server-fixture
                    pass

                def test_direct(module_server_factory):  # expect: unmarked-server-fixture
                    pass

                def test_per_test(server_factory):
                    pass

                @pytest.mark.server
                def test_marked(tracking):
                    pass
            """,
        }
    )
