"""A real headless Chromium for tests, driven over the Chrome DevTools Protocol.

`--remote-debugging-pipe` makes Chromium read protocol messages from file descriptor 3 and
write its replies and events to descriptor 4, each a JSON object ended by a NUL byte (the
transport Puppeteer's `pipe: true` uses), so the protocol needs no websocket library: a
page is opened, its console and network events recorded, scripts evaluated in it and a
screenshot taken, all in one browser process.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

CHROMIUM = shutil.which("chromium")
TIMEOUT_S = 60.0
# A quiet browser: nothing of its own goes to the network, so every request seen is the page's.
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # tests may run as root in a container
    "--disable-gpu",
    "--remote-debugging-pipe",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)


class DevToolsError(RuntimeError):
    """Chromium answered a command with an error, closed the pipe or took too long."""


class Browser:
    """One Chromium process and its protocol pipe; every event received is kept in order."""

    def __init__(self) -> None:
        assert CHROMIUM is not None, "chromium is not installed"
        self._profile = tempfile.TemporaryDirectory(prefix="mlcc-chromium-")
        command_read, command_write = os.pipe()
        reply_read, reply_write = os.pipe()

        def descriptors_3_and_4() -> None:
            # In the child, before exec: moved above 9 first, so neither dup2 overwrites the
            # other end whatever numbers os.pipe chose; dup2's copies are inherited by exec.
            command = fcntl.fcntl(command_read, fcntl.F_DUPFD, 10)
            reply = fcntl.fcntl(reply_write, fcntl.F_DUPFD, 10)
            os.dup2(command, 3)
            os.dup2(reply, 4)

        self._log = open(Path(self._profile.name) / "chromium.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            preexec_fn=descriptors_3_and_4,  # the test process starts no threads
            close_fds=False,  # Python's own descriptors are non-inheritable anyway (PEP 446)
        )
        os.close(command_read)
        os.close(reply_write)
        self._commands = os.fdopen(command_write, "wb")
        self._replies = reply_read
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Run one protocol command and return its result (events meanwhile are kept)."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._commands.write(json.dumps(message).encode() + b"\0")
        self._commands.flush()
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, event: str, session: str) -> dict[str, Any]:
        """The first `event` of `session` received so far or next (its params)."""
        deadline = time.monotonic() + TIMEOUT_S
        seen = 0
        while True:
            for message in self.events[seen:]:
                if message["method"] == event and message.get("sessionId") == session:
                    return message.get("params", {})
            seen = len(self.events)
            self._receive(deadline)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DevToolsError(f"no answer from Chromium within {TIMEOUT_S:g} s")
            ready, _, _ = select.select([self._replies], [], [], remaining)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise DevToolsError(f"Chromium closed the pipe; its log:\n{self.log()}")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def log(self) -> str:
        return (Path(self._profile.name) / "chromium.log").read_text(errors="replace")

    def close(self) -> None:
        with contextlib.suppress(DevToolsError, OSError):  # gone already: killed below anyway
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._commands.close()
        os.close(self._replies)
        self._log.close()
        self._profile.cleanup()


class Page:
    """A loaded page: evaluate scripts in it, take screenshots, read what it did."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression evaluated in the page."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            self.session,
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        """The viewport as PNG bytes."""
        shot = self.browser.send("Page.captureScreenshot", {"format": "png"}, self.session)
        return base64.b64decode(shot["data"])

    def _events(self, method: str) -> list[dict[str, Any]]:
        return [
            message.get("params", {})
            for message in self.browser.events
            if message["method"] == method and message.get("sessionId") == self.session
        ]

    @property
    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (e.g. a CSP violation)."""
        errors = [
            " ".join(str(arg.get("value", arg.get("description", ""))) for arg in call["args"])
            for call in self._events("Runtime.consoleAPICalled")
            if call["type"] in ("error", "assert")
        ]
        errors += [
            thrown["exceptionDetails"].get("exception", {}).get("description", "uncaught")
            for thrown in self._events("Runtime.exceptionThrown")
        ]
        errors += [
            f"{entry['entry'].get('url', '')}: {entry['entry']['text']}"
            for entry in self._events("Log.entryAdded")
            if entry["entry"]["level"] == "error"
        ]
        return errors

    @property
    def requested_urls(self) -> list[str]:
        """Every URL the page asked the network stack for, its own included."""
        return [sent["request"]["url"] for sent in self._events("Network.requestWillBeSent")]


@contextmanager
def open_page(path: Path, width: int = 1280, height: int = 900) -> Iterator[Page]:
    """`path` loaded in a fresh headless Chromium with a `width` × `height` viewport."""
    browser = Browser()
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session)
        browser.wait_for("Page.loadEventFired", session)
        yield Page(browser, session)
    finally:
        browser.close()


def pixel_spread(png: bytes) -> float:
    """The standard deviation of a screenshot's grey levels: near 0 for a blank page."""
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)
    return float(grey.std())
