"""Headless Chromium (Debian's ``chromium`` package) driven over the DevTools protocol.

No browser download and no extra Python package: Chromium is started with
``--remote-debugging-pipe`` and spoken to over two pipes (file descriptors 3 and
4 in the child, JSON messages separated by NUL bytes). If Chromium is missing the
tests FAIL (not skip) and say to run ``scripts/setup-system``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def chromium_path() -> str:
    """Path of the Chromium binary, or fail the test with the fix."""
    for cand in (
        os.environ.get("FAMGRAPH_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if cand and os.access(cand, os.X_OK):
            return cand
    pytest.fail(
        "Chromium is not installed: run scripts/setup-system "
        "(installs Debian's chromium and fonts-noto-cjk).",
        pytrace=False,
    )


class CDP:
    """A minimal DevTools-protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, binary: str, user_data_dir: Path) -> None:
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our commands, fd 4 writes replies
            # move both ends out of the way first: a pipe end may itself be fd 3 or 4, and
            # dup2 onto the same number would leave it close-on-exec
            r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                *FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={user_data_dir}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        msg: dict[str, Any] = json.loads(raw)
        return msg

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send one command and return its result; events seen meanwhile are kept."""
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def wait_until(
        self, test: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        """Wait until an event for which ``test(event)`` holds arrives (or was already seen)."""
        for ev in self.events:
            if test(ev):
                return ev
        deadline = time.monotonic() + timeout
        while True:
            ev = self._read_message(deadline)
            if "method" in ev:
                self.events.append(ev)
                if test(ev):
                    return ev

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until an event named ``method`` arrives (or was already seen)."""
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        deadline = time.monotonic() + timeout
        while True:
            ev = self._read_message(deadline)
            if "method" in ev:
                self.events.append(ev)
                if ev["method"] == method:
                    return ev

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[CDP]:
    """A fresh headless Chromium for one test."""
    cdp = CDP(chromium_path(), tmp_path / "chromium-profile")
    try:
        yield cdp
    finally:
        cdp.close()


def open_page(
    cdp: CDP,
    url: str,
    *,
    width: int = 1280,
    height: int = 1000,
    scripts: bool = True,
) -> str:
    """Open ``url`` in a new tab with console/log capture on; return the session id.

    The viewport is ``width`` x ``height`` CSS pixels; ``scripts=False`` opens the
    page as a reader with JavaScript turned off would see it.
    """
    target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        cdp.send(f"{domain}.enable", session=session)
    cdp.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    if not scripts:
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": True}, session=session)
    cdp.events.clear()
    cdp.send("Page.navigate", {"url": url}, session=session)
    cdp.wait_event("Page.loadEventFired", timeout=60)
    return session


def evaluate(cdp: CDP, session: str, expression: str) -> Any:
    """Evaluate a JavaScript expression in the page and return its JSON value."""
    res = cdp.send(
        "Runtime.evaluate",
        {"expression": expression, "returnByValue": True, "awaitPromise": True},
        session=session,
    )
    if "exceptionDetails" in res:
        raise RuntimeError(res["exceptionDetails"])
    return res["result"].get("value")


def console_errors(cdp: CDP) -> list[str]:
    """Console errors, uncaught exceptions and error log entries seen so far."""
    out = []
    for ev in cdp.events:
        m, p = ev.get("method"), ev.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append(f"console.{p['type']}: {p.get('args')}")
        elif m == "Runtime.exceptionThrown":
            out.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            out.append(f"log {e.get('source')}: {e.get('text')} {e.get('url', '')}")
    return out


def click(cdp: CDP, session: str, selector: str) -> None:
    """Click the middle of the first element matching ``selector`` with the mouse, as a
    person would (scrolled into view first; fails if it is not visible)."""
    box = evaluate(
        cdp,
        session,
        f"""(() => {{
          const el = document.querySelector({json.dumps(selector)});
          if (!el) return null;
          el.scrollIntoView({{block: "center"}});
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.height > 0 ? [r.x + r.width / 2, r.y + r.height / 2] : null;
        }})()""",
    )
    assert box is not None, f"nothing visible to click at {selector}"
    x, y = box
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        cdp.send(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            session=session,
        )


def type_text(cdp: CDP, session: str, selector: str, text: str) -> None:
    """Click into the field at ``selector`` and type ``text`` (as keyboard input)."""
    click(cdp, session, selector)
    cdp.send("Input.insertText", {"text": text}, session=session)


def screenshot(cdp: CDP, session: str, path: Path, *, height: int) -> None:
    """Save the top ``height`` CSS pixels of the page as a PNG."""
    import base64

    evaluate(cdp, session, "window.scrollTo(0, 0)")
    width = evaluate(cdp, session, "document.documentElement.clientWidth")
    shot = cdp.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            "captureBeyondViewport": True,
        },
        session=session,
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def wait_for(cdp: CDP, session: str, expression: str, timeout: float = 10.0) -> Any:
    """Evaluate ``expression`` until it is truthy (events such as hashchange are async)."""
    deadline = time.monotonic() + timeout
    while True:
        value = evaluate(cdp, session, expression)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
