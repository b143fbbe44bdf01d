"""The public re-exports cost nothing until used."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_package_loads_no_fixture_module():
    """The lazy re-exports cost nothing: importing mmpgate.stabilize imports none of them."""
    code = (
        "import sys, mmpgate.stabilize\n"
        "print(sorted(m for m in sys.modules if m.startswith('mmpgate.stabilize.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
