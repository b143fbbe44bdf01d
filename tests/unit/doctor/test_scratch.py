"""Rule `shared-scratch-dir`: a fixed directory in the temp dir or the repo, written then deleted."""

from __future__ import annotations

import pytest

POSITIVE = {
    "tmp-literal": """
        import os, shutil
        SCRATCH = "/tmp/mlflow-test-artifacts"
        def setup():
            os.makedirs(SCRATCH, exist_ok=True)
        def teardown():
            shutil.rmtree(SCRATCH, ignore_errors=True)  # expect: shared-scratch-dir
    """,
    "gettempdir-join": """
        import os, shutil, tempfile
        WORK = os.path.join(tempfile.gettempdir(), "feature-store")
        def test_x():
            os.mkdir(WORK)
            shutil.rmtree(WORK)  # expect: shared-scratch-dir
    """,
    "pathlib-in-repo": """
        import shutil
        from pathlib import Path
        OUT = Path(__file__).parent / "output"
        def test_x():
            OUT.mkdir(exist_ok=True)
            (OUT / "model.pkl").write_bytes(b"x")
            shutil.rmtree(OUT)  # expect: shared-scratch-dir
    """,
    "relative-file": """
        import os
        def test_x():
            with open("tests/fixtures/out.json", "w") as handle:
                handle.write("{}")
            os.remove("tests/fixtures/out.json")  # expect: shared-scratch-dir
    """,
    "file-in-written-dir": """
        from pathlib import Path
        BASE = Path("/var/tmp/cache")
        def test_x():
            BASE.mkdir()
            (BASE / "a.txt").unlink()  # expect: shared-scratch-dir
    """,
    "code-under-test": """
        import shutil
        def export(frame):
            frame.to_csv("/tmp/export/data.csv")
            shutil.rmtree("/tmp/export")  # expect: shared-scratch-dir
    """,
}

NEGATIVE = {
    "tmp-path": """
        import shutil
        def test_x(tmp_path):
            scratch = tmp_path / "scratch"
            scratch.mkdir()
            shutil.rmtree(scratch)
    """,
    "mkdtemp": """
        import shutil, tempfile
        def export():
            directory = tempfile.mkdtemp()
            open(directory + "/a", "w").close()
            shutil.rmtree(directory)
    """,
    "unique-name-under-tmp": """
        import os, uuid
        def test_x():
            path = f"/tmp/run-{uuid.uuid4()}.txt"
            open(path, "w").close()
            os.remove(path)
    """,
    "deleted-but-never-written": """
        import shutil
        def teardown():
            shutil.rmtree("build/leftovers", ignore_errors=True)
    """,
    "written-but-never-deleted": """
        import os
        os.makedirs("/tmp/cache", exist_ok=True)
    """,
    "only-read": """
        import os
        with open("tests/data/input.json") as handle:
            data = handle.read()
        os.remove(handle.name)
    """,
}


@pytest.mark.parametrize("source", POSITIVE.values(), ids=POSITIVE.keys())
def test_shared_scratch_found(check_snippet, source):
    """Deleting a fixed path this module also writes is reported at the deletion."""
    check_snippet(source)


@pytest.mark.parametrize("source", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_private_scratch_not_reported(check_snippet, source):
    """Per-test and per-call directories, and paths not both written and deleted, are not."""
    check_snippet(source)
