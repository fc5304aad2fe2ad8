"""Start and stop the processes behind the assistant: the action server and the Rasa server.

:class:`Stack` picks free loopback ports, writes an endpoints file for them, starts both processes with
logs under ``var/logs/``, waits until both are healthy, and stops them (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot import paths

log = logging.getLogger(__name__)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StackError(RuntimeError):
    """A process of the stack did not start."""


class Stack:
    """The Rasa server and the action server, on loopback.

    :param model: trained model archive
    :param rasa_port: port of the Rasa REST API (default: a free one)
    :param action_port: port of the action server (default: a free one)
    """

    def __init__(self, model: Path = paths.MODEL, rasa_port: int | None = None, action_port: int | None = None):
        self.model = Path(model)
        self.rasa_port = rasa_port or free_port()
        self.action_port = action_port or free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = paths.VAR / "logs"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def _spawn(self, name: str, args: list[str]) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        out = open(self.logs / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(args, cwd=paths.ROOT, env=paths.env(), stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def start_actions(self) -> None:
        """Start the rasa_sdk action server."""
        self._spawn("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(self.action_port)])

    def start_rasa(self) -> None:
        """Start the Rasa server with the REST channel and the HTTP API on loopback."""
        if not self.model.exists():
            raise StackError(f"Chưa có mô hình {self.model}. Chạy `make train` (hoặc `dvcbot train`) trước.")
        endpoints = paths.VAR / f"endpoints-{self.rasa_port}.yml"
        endpoints.parent.mkdir(parents=True, exist_ok=True)
        endpoints.write_text(f'action_endpoint:\n  url: "{self.action_url}/webhook"\n', "utf-8")
        self._spawn("rasa", [sys.executable, "-m", "rasa", "run", "--enable-api", "-i", "127.0.0.1",
                             "-p", str(self.rasa_port), "-m", str(self.model), "--endpoints", str(endpoints),
                             "--credentials", str(paths.CREDENTIALS)])

    def wait_healthy(self, timeout: float = 180.0) -> None:
        """Block until both servers answer; raise :class:`StackError` with the log tail otherwise."""
        deadline = time.monotonic() + timeout
        checks = {"actions": f"{self.action_url}/health", "rasa": f"{self.rasa_url}/status"}
        pending = dict(checks)
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                proc = self.procs.get(name)
                if proc is not None and proc.poll() is not None:
                    raise StackError(f"{name} stopped (exit {proc.returncode}):\n{self.log_tail(name)}")
                try:
                    r = httpx.get(url, timeout=2)
                    if r.status_code == 200 and (name != "rasa" or r.json().get("model_file")):
                        del pending[name]
                except (httpx.HTTPError, ValueError):
                    pass
            time.sleep(0.5)
        if pending:
            raise StackError(f"not healthy after {timeout:.0f}s: {', '.join(pending)}\n"
                             + "\n".join(self.log_tail(n) for n in pending))

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:]) if path.exists() else ""

    def start(self, timeout: float = 180.0) -> "Stack":
        """Start both processes and wait until they are healthy."""
        self.start_actions()
        self.start_rasa()
        try:
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL after 10 s)."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        (paths.VAR / f"endpoints-{self.rasa_port}.yml").unlink(missing_ok=True)

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
