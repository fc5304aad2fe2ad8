"""A headless Chromium (Debian's ``chromium``) driven over the DevTools protocol with aiohttp's websocket client.

Each :meth:`Browser.page` opens a tab in its own browser context (its own cookies), so two staff sessions can run
side by side. Pages are driven by evaluating JavaScript: fill a field, click, wait for the next document.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


class BrowserError(RuntimeError):
    pass


class Browser:
    """One Chromium process; use ``async with Browser() as b``."""

    def __init__(self):
        self.profile = Path(tempfile.mkdtemp(prefix="dvcbot-chromium-"))
        self.proc: subprocess.Popen | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}

    async def __aenter__(self) -> Browser:
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise BrowserError("Chromium did not start")
            await asyncio.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for msg in self._ws:
            data = json.loads(msg.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                if "error" in data:
                    future.set_exception(BrowserError(str(data["error"])))
                else:
                    future.set_result(data.get("result", {}))

    async def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """One DevTools command; its result."""
        msg_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        message = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await self._ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, 180)

    async def page(self, width: int = 1280, height: int = 900, mobile: bool = False) -> Page:
        """A new tab in a fresh browser context (no cookies shared with other pages)."""
        context = (await self.send("Target.createBrowserContext"))["browserContextId"]
        target = (await self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context}))[
            "targetId"
        ]
        session = (await self.send("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        page = Page(self, session)
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        return page

    async def __aexit__(self, *exc) -> None:
        self._reader.cancel()
        await self._ws.close()
        await self._http.close()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab."""

    def __init__(self, browser: Browser, session: str):
        self.browser = browser
        self.session = session

    async def send(self, method: str, params: dict | None = None) -> dict:
        return await self.browser.send(method, params, self.session)

    async def eval(self, expression: str):
        """The value of a JavaScript expression in the page."""
        result = await self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if result.get("exceptionDetails"):
            raise BrowserError(str(result["exceptionDetails"]))
        return result["result"].get("value")

    async def wait(self, expression: str, timeout: float = 120.0) -> None:
        """Wait until ``expression`` is true in the page."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if await self.eval(expression):
                    return
            except BrowserError:
                pass  # the document is being replaced
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression}")
            await asyncio.sleep(0.1)

    async def _next_document(self, action, timeout: float) -> None:
        await self.eval("window.__dvcbot_old = true")
        await action()
        await self.wait("window.__dvcbot_old === undefined && document.readyState === 'complete'", timeout)

    async def goto(self, url: str, timeout: float = 60.0) -> None:
        await self._next_document(lambda: self.send("Page.navigate", {"url": url}), timeout)

    async def fill(self, selector: str, value: str) -> None:
        """Set a field's value as typing would."""
        ok = await self.eval(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)}); if (!el) return false;"
            f" el.value = {json.dumps(value)}; el.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()"
        )
        if not ok:
            raise BrowserError(f"no field {selector}")

    async def click(self, selector: str, timeout: float = 180.0) -> None:
        """Click something that loads a new document (a submit button, a link) and wait for it."""

        async def press():
            ok = await self.eval(
                f"(() => {{ const el = document.querySelector({json.dumps(selector)}); if (!el) return false;"
                " setTimeout(() => el.click(), 0); return true; })()"
            )
            if not ok:
                raise BrowserError(f"nothing to click at {selector}")

        await self._next_document(press, timeout)

    async def text(self, selector: str = "body") -> str:
        return await self.eval(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)}); return el ? el.innerText : ''; }})()"
        )

    async def path(self) -> str:
        return await self.eval("location.pathname")

    async def screenshot(self, path: Path) -> None:
        """A PNG of the whole page."""
        data = await self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(data["data"]))
