"""The built wheel: schemas copied byte for byte, entry points declared, package typed."""

from __future__ import annotations

import email.message
import email.parser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
    )
    (built,) = out.glob("mmpgate-*.whl")
    return zipfile.ZipFile(built)


def test_installed_schemas_equal_the_top_level_ones(wheel: zipfile.ZipFile) -> None:
    """Every schema in schemas/ is in the wheel under mmpgate/schemas/, identical."""
    sources = sorted((ROOT / "schemas").glob("*.json"))
    assert sources, "schemas/ holds the schemas"
    for source in sources:
        assert wheel.read(f"mmpgate/schemas/{source.name}") == source.read_bytes(), source.name


def test_entry_points_and_typing(wheel: zipfile.ZipFile) -> None:
    """pytest11 plugins, the console script and py.typed ship in the wheel."""
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[pytest11]" in text
    assert "mmpgate = mmpgate.plugin" in text
    assert "mmpgate = mmpgate.cli:entry" in text
    assert "mmpgate/py.typed" in wheel.namelist()


def test_package_reads_its_packaged_schema() -> None:
    """The running package loads the same metrics schema as the file in schemas/."""
    import json

    from mmpgate.config.schemas import METRICS, load_schema

    assert load_schema(METRICS) == json.loads((ROOT / "schemas" / METRICS).read_text())


def _metadata(wheel: zipfile.ZipFile) -> email.message.Message:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return email.parser.BytesParser().parsebytes(wheel.read(name), headersonly=True)


def test_wheel_carries_the_license_file(wheel: zipfile.ZipFile) -> None:
    """LICENSE ships in the wheel byte for byte, and the metadata names it and its expression."""
    (licence,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    assert wheel.read(licence) == (ROOT / "LICENSE").read_bytes()
    metadata = _metadata(wheel)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_wheel_metadata_states_python_os_status_and_urls(wheel: zipfile.ZipFile) -> None:
    """Requires-Python, POSIX, a status, every supported Python version, an author and URLs."""
    metadata = _metadata(wheel)
    classifiers = set(metadata.get_all("Classifier") or [])
    assert metadata["Requires-Python"] == ">=3.10"
    assert "Operating System :: POSIX" in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    minors = {
        c.rsplit(".", 1)[1]
        for c in classifiers
        if c.startswith("Programming Language :: Python :: 3.")
    }
    assert {"10", "11", "12", "13"} <= minors
    assert metadata["Author"] or metadata["Author-email"]
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Source", "Issues"} <= set(urls)
    readme = (ROOT / "README.md").read_text()
    assert f"git+{urls['Source']}@" in readme, "the README installs from the project's source URL"
