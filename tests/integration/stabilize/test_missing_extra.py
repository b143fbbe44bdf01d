"""server_factory.uvicorn() without the server extra fails with an install hint, not a log tail."""

from __future__ import annotations

import pytest

BLOCK_UVICORN = """
import sys


class _NoUvicorn:
    '''Stands for an environment without the server extra: uvicorn cannot be imported.'''

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "uvicorn" or name.startswith("uvicorn."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None


sys.meta_path.insert(0, _NoUvicorn)
"""


def test_uvicorn_without_the_extra_names_the_install(pytester: pytest.Pytester) -> None:
    """The test fails with one ServerStartError naming `pip install 'mmpgate[server]'`."""
    pytester.makeconftest(BLOCK_UVICORN)
    pytester.makepyfile(
        test_app="def test_app(server_factory):\n    server_factory.uvicorn('app:app')\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert "ServerStartError: uvicorn is not installed (pip install 'mmpgate[server]')" in (
        result.stdout.str()
    )
