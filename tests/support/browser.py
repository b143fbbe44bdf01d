"""Headless Chromium driven over the DevTools protocol on a pipe (no port, no extra package).

`--remote-debugging-pipe` makes the browser read commands on fd 3 and write replies and events
on fd 4, each a JSON text ended by a NUL byte.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
#: Hang protection only: no test asserts how fast the browser answers.
READ_TIMEOUT = 300.0

CHART_PROBE = """JSON.stringify(Array.from(document.querySelectorAll('svg.chart')).map(s => {
  const r = s.getBoundingClientRect();
  const marks = Array.from(s.querySelectorAll('.mark'));
  return {name: s.dataset.chart || '', width: r.width, height: r.height, marks: marks.length,
          drawn: marks.filter(m => { const b = m.getBoundingClientRect();
                                     return b.width > 0 || b.height > 0; }).length};
}))"""


def executable() -> str:
    """Debian's chromium (installed by .ci/setup); a missing browser is an error, not a skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError(
            "chromium is not installed: run `bash .ci/setup` (apt-get install chromium)"
        )
    return found


@dataclasses.dataclass(frozen=True)
class Chart:
    """What the browser laid out for one `svg.chart`."""

    name: str
    width: float
    height: float
    marks: int
    drawn: int


@dataclasses.dataclass(frozen=True)
class PageCheck:
    """What opening a page showed."""

    charts: list[Chart]
    console_errors: list[str]
    requests: list[str]
    screenshot: bytes

    def problems(self) -> list[str]:
        """Every reason the page did not render cleanly (empty when it did)."""
        out = [f"console: {text}" for text in self.console_errors]
        out += [f"network request: {url}" for url in self.requests]
        if not self.charts:
            out.append("no svg.chart on the page")
        for chart in self.charts:
            if chart.width <= 0 or chart.height <= 0:
                out.append(f"chart {chart.name!r} has size {chart.width}x{chart.height}")
            if chart.marks == 0 or chart.drawn < chart.marks:
                out.append(f"chart {chart.name!r} drew {chart.drawn} of {chart.marks} marks")
        return out


class Browser:
    """One headless browser with a fresh profile, closed on exit."""

    def __init__(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="mmpgate-chromium-")
        commands_read, self._commands = os.pipe()
        self._events, events_write = os.pipe()
        # bash, not sh: dash only redirects single-digit descriptors, and pytest's are higher.
        script = f'exec "$0" "$@" 3<&{commands_read} 4>&{events_write}'
        self._process = subprocess.Popen(
            [
                "bash",
                "-c",
                script,
                executable(),
                *FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile.name}",
                "--window-size=1200,900",
                "about:blank",
            ],
            pass_fds=(commands_read, events_write),
            start_new_session=True,  # its own group: a stuck browser is stopped with its children
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(events_write)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)  # renderer and GPU children too
            self._process.wait()
        os.close(self._commands)
        os.close(self._events)
        self._profile.cleanup()

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._events], [], [], READ_TIMEOUT)
            if not ready:
                raise RuntimeError("chromium did not answer on the DevTools pipe")
            chunk = os.read(self._events, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The first event `method` (already received or the next to come)."""
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            event = self._read_message()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def check_page(self, page: Path) -> PageCheck:
        """Open `page`, wait for its load event, probe its charts, take a full-page screenshot."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session)
        self.send("Page.navigate", session, url=page.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        probe = self.send("Runtime.evaluate", session, expression=CHART_PROBE, returnByValue=True)
        charts = [Chart(**item) for item in json.loads(probe["result"]["value"])]
        size = self.send("Page.getLayoutMetrics", session)["cssContentSize"]
        shot = self.send(
            "Page.captureScreenshot",
            session,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        )
        errors, requests = [], []
        page_uri = page.resolve().as_uri()
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(
                    str(
                        params["exceptionDetails"].get("exception", {}).get("description")
                        or params["exceptionDetails"].get("text")
                    )
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(
                    " ".join(
                        str(arg.get("value", arg.get("description"))) for arg in params["args"]
                    )
                )
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(params["entry"]["text"])
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if url != page_uri and not url.startswith("data:"):
                    requests.append(url)
        return PageCheck(charts, errors, requests, base64.b64decode(shot["data"]))
