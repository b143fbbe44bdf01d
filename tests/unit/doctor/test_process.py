"""Rules `sleep-after-start` and `terminate-top-only`."""

from __future__ import annotations

import pytest

POSITIVE = {
    "popen-then-sleep": """
        import subprocess, time
        def server():
            proc = subprocess.Popen(["mlflow", "server"], start_new_session=True)
            time.sleep(5)  # expect: sleep-after-start
            return proc
    """,
    "from-time-import-sleep": """
        from subprocess import Popen
        from time import sleep
        def start():
            Popen(["uvicorn", "app:app"])
            sleep(2)  # expect: sleep-after-start
    """,
    "thread-start-then-sleep": """
        import threading, time
        def start(server):
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            time.sleep(1)  # expect: sleep-after-start
    """,
    "async-start-then-sleep": """
        import asyncio
        async def start():
            proc = await asyncio.create_subprocess_exec("feast", "serve")
            await asyncio.sleep(3)  # expect: sleep-after-start
            proc.terminate()  # expect: terminate-top-only
    """,
    "retry-loop-sleeps-after-each-start": """
        import subprocess, time
        def start():
            for attempt in range(3):
                proc = subprocess.Popen(["server"])
                time.sleep(2)  # expect: sleep-after-start
                if proc.poll() is None:
                    return proc
    """,
    "terminate-only": """
        import subprocess
        def fixture():
            process = subprocess.Popen(["mlflow", "server"])
            yield process
            process.terminate()  # expect: terminate-top-only
            process.wait()
    """,
    "kill-in-another-method": """
        import subprocess
        class Server:
            def __enter__(self):
                self.proc = subprocess.Popen(["uvicorn", "app:app"])
                return self
            def __exit__(self, *exc):
                self.proc.kill()  # expect: terminate-top-only
    """,
    "os-kill-of-the-top-pid": """
        import os, signal, subprocess
        def stop():
            proc = subprocess.Popen(["server"], start_new_session=True)
            os.kill(proc.pid, signal.SIGTERM)  # expect: terminate-top-only
    """,
    "with-popen": """
        import subprocess
        def run():
            with subprocess.Popen(["server"]) as proc:
                proc.send_signal(2)  # expect: terminate-top-only
    """,
}

NEGATIVE = {
    "polling-loop": """
        import subprocess, time, urllib.request
        def start():
            proc = subprocess.Popen(["mlflow", "server"], start_new_session=True)
            while True:
                try:
                    urllib.request.urlopen("http://127.0.0.1:5000/health")
                    return proc
                except OSError:
                    time.sleep(0.1)
    """,
    "sleep-before-start": """
        import subprocess, time
        def start():
            time.sleep(1)
            return subprocess.Popen(["server"])
    """,
    "sleep-in-another-function": """
        import subprocess, time
        def start():
            return subprocess.Popen(["server"])
        def later():
            time.sleep(1)
    """,
    "run-waits": """
        import subprocess, time
        def build():
            subprocess.run(["make"], check=True)
            time.sleep(1)
    """,
    "process-group-stop": """
        import os, signal, subprocess
        def fixture():
            proc = subprocess.Popen(["server"], start_new_session=True)
            yield proc
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
    """,
    "descendants-stopped-too": """
        import psutil, subprocess
        def stop():
            proc = subprocess.Popen(["server"])
            children = psutil.Process(proc.pid).children(recursive=True)
            proc.terminate()
            for child in children:
                child.terminate()
    """,
    "liveness-probe": """
        import os, subprocess
        proc = subprocess.Popen(["server"], start_new_session=True)
        os.kill(proc.pid, 0)
    """,
    "terminate-of-unknown-object": """
        def stop(worker):
            worker.terminate()
    """,
}


@pytest.mark.parametrize("source", POSITIVE.values(), ids=POSITIVE.keys())
def test_process_handling_found(check_snippet, source):
    """A sleep after a start, and a stop of the top process only, are reported at their lines."""
    check_snippet(source)


@pytest.mark.parametrize("source", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_careful_process_handling_not_reported(check_snippet, source):
    """Readiness loops, group stops and descendant stops are not reported."""
    check_snippet(source)
