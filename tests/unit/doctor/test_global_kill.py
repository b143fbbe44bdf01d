"""Rule `global-kill`: kills and listings by process name, and kills of pids from such listings."""

from __future__ import annotations

import pytest

POSITIVE = {
    "subprocess-list": """
        import subprocess
        subprocess.run(["pkill", "-f", "mlflow.server"], check=False)  # expect: global-kill
    """,
    "full-path-and-alias": """
        import subprocess as sp
        sp.call(["/usr/bin/killall", "uvicorn"])  # expect: global-kill
    """,
    "from-import-popen": """
        from subprocess import Popen
        Popen(["pgrep", "-f", "mlflow"])  # expect: global-kill
    """,
    "os-system-string": """
        import os
        os.system('pkill -f "uvicorn.*mlflow"')  # expect: global-kill
    """,
    "shell-pipeline": """
        import subprocess
        subprocess.run("ps aux | grep mlflow; pidof mlflow", shell=True)  # expect: global-kill
    """,
    "command-in-a-variable": """
        import subprocess
        KILL = ["pkill", "-9", "-f", "mlflow.server"]
        def cleanup():
            subprocess.check_call(KILL)  # expect: global-kill
    """,
    "shlex-split": """
        import shlex, subprocess
        subprocess.run(shlex.split("pkill -f gunicorn"))  # expect: global-kill
    """,
    "f-string": """
        import subprocess
        def stop(name):
            subprocess.run(f"pkill -f {name}", shell=True)  # expect: global-kill
    """,
    "os-exec": """
        import os
        os.execvp("pkill", ["pkill", "-f", "mlflow"])  # expect: global-kill
    """,
    "pgrep-then-os-kill": """
        import os, signal, subprocess
        def sweep():
            out = subprocess.check_output(["pgrep", "-f", "mlflow"], text=True)  # expect: global-kill
            for pid in out.split():
                os.kill(int(pid), signal.SIGTERM)  # expect: global-kill
    """,
    "psutil-name-match": """
        import psutil
        def sweep():
            for proc in psutil.process_iter(["name"]):
                if proc.info["name"] == "mlflow":
                    proc.kill()  # expect: global-kill
    """,
    "psutil-cmdline-terminate": """
        import psutil
        def sweep():
            victims = [p for p in psutil.process_iter() if "uvicorn" in " ".join(p.cmdline())]
            for victim in victims:
                victim.terminate()  # expect: global-kill
    """,
    "psutil-pids-os-kill": """
        import os, psutil
        for pid in psutil.pids():
            if "mlflow" in psutil.Process(pid).name():
                os.kill(pid, 9)  # expect: global-kill
    """,
    "proc-listing-os-kill": """
        import os
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                os.kill(int(entry), 15)  # expect: global-kill
    """,
    "async-subprocess": """
        import asyncio
        async def cleanup():
            await asyncio.create_subprocess_exec("killall", "mlflow")  # expect: global-kill
    """,
}

NEGATIVE = {
    "own-process-group": """
        import os, signal, subprocess
        proc = subprocess.Popen(["mlflow", "server"], start_new_session=True)
        os.killpg(proc.pid, signal.SIGTERM)
    """,
    "own-children-by-parent": """
        import os, subprocess
        subprocess.run(["pkill", "-P", str(os.getpid())])
    """,
    "own-descendants-psutil": """
        import psutil
        def stop(pid):
            for child in psutil.Process(pid).children(recursive=True):
                child.kill()
    """,
    "kill-of-own-popen": """
        import os, subprocess
        proc = subprocess.Popen(["server"], start_new_session=True)
        os.kill(proc.pid, 0)
    """,
    "word-in-a-plain-string": """
        HELP = "never run pkill -f mlflow in a conftest"
        print(HELP)
    """,
    "mmpgate-sweep": """
        from mmpgate.stabilize.processes import sweep
        def pytest_sessionstart(session):
            sweep([r"mlflow\\.server"])
    """,
    "psutil-listing-without-kill": """
        import psutil
        names = [p.name() for p in psutil.process_iter()]
    """,
}


@pytest.mark.parametrize("source", POSITIVE.values(), ids=POSITIVE.keys())
def test_global_kill_found(check_snippet, source):
    """Each global kill (or listing used to kill) is reported at its own line."""
    check_snippet(source)


@pytest.mark.parametrize("source", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_scoped_kills_not_reported(check_snippet, source):
    """Kills of processes the code started itself, or scoped to its own children, are not."""
    check_snippet(source)
