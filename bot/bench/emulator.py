"""The Telegram Bot API emulator (``tests/emulator/server.js``, telegram-test-api on Node) as a subprocess.

Used by the Telegram tests and by ``dvcbot bench load --via telegram``. Needs Node.js and ``make emulator``
(``npm ci`` in ``tests/emulator``).
"""

from __future__ import annotations

import select
import subprocess
import time

from bot.runtime import paths
from bot.runtime.stack import free_port

EMULATOR_DIR = paths.ROOT / "tests" / "emulator"


class Emulator:
    """telegram-test-api running in a node subprocess.

    :param port: port to listen on; a free one by default
    """

    def __init__(self, port: int | None = None):
        self.port = port
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Root URL of the emulator (its client API lives here)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_api_url(self) -> str:
        """Bot API URL before the token, as ``base_url`` of a bot."""
        return f"{self.url}/bot"

    def start(self, timeout: float = 15.0) -> Emulator:
        """Start the server and wait for its ready line."""
        if not (EMULATOR_DIR / "node_modules" / "telegram-test-api").is_dir():
            raise RuntimeError("telegram-test-api is not installed: run `npm ci --prefix tests/emulator`")
        self.port = self.port or free_port()
        self._process = subprocess.Popen(
            ["node", "server.js", str(self.port)],
            cwd=EMULATOR_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = []
        deadline = time.monotonic() + timeout
        stdout = self._process.stdout
        assert stdout is not None
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stdout], [], [], deadline - time.monotonic())
            line = stdout.readline() if ready else ""
            output.append(line)
            if "ready on" in line:
                return self
            if self._process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"Telegram emulator did not start: {''.join(output)!r}")

    @property
    def pid(self) -> int | None:
        """Process id of the server while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s)."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process and self._process.stdout:
            self._process.stdout.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
