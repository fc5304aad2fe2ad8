"""Start and stop the processes behind the assistant: the action server and the Rasa server.

:class:`Stack` picks free loopback ports, writes an endpoints file for them, starts both processes with
logs under ``var/logs/``, waits until both are healthy, and stops them (SIGTERM, then SIGKILL).

Conversations live in a SQL tracker store, so a restarted Rasa continues them where they stopped: SQLite at
``$DVCBOT_VAR_DIR/tracker.db`` by default, or any SQLAlchemy URL in ``$DVCBOT_TRACKER_URL``
(``postgresql://user:password@host:5432/dvcbot``; ``memory`` keeps Rasa's in-memory store).

Both listen on loopback only: Rasa with ``-i 127.0.0.1``, the action server with ``SANIC_HOST=127.0.0.1``
(rasa_sdk binds 0.0.0.0 otherwise). Rasa's HTTP API (``/status``, ``/conversations/<id>/tracker``, ``/model``)
needs the per-run secret of :func:`rasa_token` (``--auth-token``, handed over in the environment by
:mod:`bot.runtime.rasa_main` so that ``ps`` does not show it): another local process cannot read the
conversations. The REST webhook the clients post to needs no token.

Several Rasa workers (``workers=N``, ``dvcbot run --workers N``, ``$DVCBOT_WORKERS``) share Rasa's Redis lock
store (one message of a conversation at a time, in order) and a SQL tracker store on PostgreSQL, both from
:mod:`bot.runtime.services` (started here, or the servers of ``$DVCBOT_REDIS_URL`` / ``$DVCBOT_TRACKER_URL``);
they are named ``rasa``, ``rasa-2``… and share one action server. :attr:`Stack.client_url` lists them for
:class:`bot.rasa_client.RasaClient`, which keeps each conversation on one worker and fails over to the next.

A watchdog (``supervise=True``, the default) restarts a process that died, waiting 1, 2, 4… up to 60 s between
attempts and giving up after :data:`MAX_RESTARTS` restarts in :data:`RESTART_WINDOW` seconds (no crash loop).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.runtime import paths, progress
from bot.runtime.model import ensure_model, sync_knowledge
from bot.runtime.services import REDIS_ENV, Services, redis_lock_store_yaml

log = logging.getLogger(__name__)

TOKEN_ENV = "DVCBOT_RASA_TOKEN"
WORKERS_ENV = "DVCBOT_WORKERS"
# seconds a conversation's ticket in the lock store lives: a worker killed while it answers blocks that
# conversation this long at most (Rasa's default is 60 s); far above the time one message takes
LOCK_LIFETIME = 15


TF_THREAD_VARS = ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS")


def workers_from_env() -> int:
    """Rasa workers to start: ``$DVCBOT_WORKERS``, else 1."""
    value = os.environ.get(WORKERS_ENV, "").strip() or "1"
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{WORKERS_ENV} phải là một số nguyên dương, không phải {value!r}")
    return int(value)


def rasa_token() -> str:
    """The secret Rasa's HTTP API asks for: ``$DVCBOT_RASA_TOKEN``, else a random one made for this run and put
    into the environment, so the clients of this process and its children (front ends) send the same."""
    if not os.environ.get(TOKEN_ENV):
        os.environ[TOKEN_ENV] = secrets.token_hex(32)  # hex: a token starting with "-" reads as an option
    return os.environ[TOKEN_ENV]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StackError(RuntimeError):
    """A process of the stack did not start."""


MAX_RESTARTS = 5  # per process within RESTART_WINDOW seconds; then the watchdog gives up and logs it
RESTART_WINDOW = 300.0
MAX_BACKOFF = 60.0


def tracker_store_yaml(url: str | None = None, var_dir: Path | None = None) -> str:
    """The ``tracker_store`` section of an endpoints file.

    :param url: ``memory``, ``sqlite:///path.db`` or any SQLAlchemy URL (PostgreSQL…); default
        ``$DVCBOT_TRACKER_URL``, else SQLite at ``<var_dir>/tracker.db``
    """
    url = url if url is not None else os.environ.get("DVCBOT_TRACKER_URL", "")
    if url.strip().lower() == "memory":
        return ""
    if not url or url.startswith("sqlite:///"):
        db = Path(url.removeprefix("sqlite:///")) if url else Path(var_dir or paths.VAR) / "tracker.db"
        db.parent.mkdir(parents=True, exist_ok=True)
        return (
            f"tracker_store:\n  type: bot.runtime.tracker_store.TunedSQLTrackerStore\n  dialect: sqlite\n"
            f'  db: "{db.resolve()}"\n'
        )
    # Rasa hands a custom store's `url` over as `host`, and SQLTrackerStore uses a full URL there as it is; the
    # tuned store adds the retention
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    return (
        f"tracker_store:\n  type: bot.runtime.tracker_store.TunedSQLTrackerStore\n  dialect: {dialect}\n"
        f'  url: "{url}"\n'
    )


class Stack:
    """The Rasa server and the action server, on loopback.

    :param model: trained model archive
    :param rasa_port: port of the Rasa REST API (default: a free one)
    :param action_port: port of the action server (default: a free one)
    :param tracker_url: where conversations are kept (see :func:`tracker_store_yaml`)
    :param supervise: restart processes that die (with backoff, see the module docstring); fault tests that
        kill and restart processes themselves pass ``False``
    :param workers: Rasa processes (default ``$DVCBOT_WORKERS``, else 1); more than one share Redis and
        PostgreSQL (see the module docstring)
    :param redis_url: Rasa's lock store (default ``$DVCBOT_REDIS_URL``; with several workers and none given,
        a Redis started here)
    """

    def __init__(
        self,
        model: Path = paths.MODEL,
        rasa_port: int | None = None,
        action_port: int | None = None,
        tracker_url: str | None = None,
        supervise: bool = True,
        workers: int | None = None,
        redis_url: str | None = None,
    ):
        self.model = Path(model)
        self.workers = workers or workers_from_env()
        self.rasa_port = rasa_port or free_port()
        # worker names and ports: "rasa" (the first, on rasa_port), "rasa-2"…
        self.rasa_ports = {"rasa": self.rasa_port} | {f"rasa-{n}": free_port() for n in range(2, self.workers + 1)}
        self.names = ("actions", *self.rasa_ports)
        self.action_port = action_port or free_port()
        self.tracker_url = tracker_url
        self.redis_url = redis_url if redis_url is not None else os.environ.get(REDIS_ENV) or None
        self.services: Services | None = None
        self.supervise = supervise
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = paths.LOGS
        self.restarts: dict[str, list[float]] = {name: [] for name in self.names}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._watchdog: threading.Thread | None = None

    def endpoints_file(self, name: str = "rasa") -> Path:
        return paths.VAR / f"endpoints-{self.rasa_ports[name]}.yml"

    @property
    def endpoints(self) -> Path:
        return self.endpoints_file()

    @property
    def rasa_url(self) -> str:
        """The first worker."""
        return f"http://127.0.0.1:{self.rasa_port}"

    def worker_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[name]}"

    @property
    def client_url(self) -> str:
        """Every worker's URL, comma-separated: what :class:`bot.rasa_client.RasaClient` takes."""
        return ",".join(self.worker_url(name) for name in self.rasa_ports)

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / f"{name}.log", "ab") as out:
            self.procs[name] = subprocess.Popen(
                args,
                cwd=paths.ROOT,
                env={**paths.env(), **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def start_actions(self) -> None:
        """Start the rasa_sdk action server on loopback."""
        self._spawn(
            "actions",
            [paths.rasa_python(), "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.action_port)],
            env={"SANIC_HOST": "127.0.0.1"},
        )

    def start_services(self) -> None:
        """With several workers (or a Redis named): Redis and PostgreSQL, started here unless given."""
        if self.workers == 1 and not self.redis_url:
            return
        given_tracker = self.tracker_url if self.tracker_url is not None else os.environ.get("DVCBOT_TRACKER_URL")
        if self.workers > 1 and given_tracker and given_tracker.split(":", 1)[0] in ("sqlite", "memory"):
            raise StackError("Nhiều worker cần một tracker store dùng chung (PostgreSQL), không phải SQLite/memory.")
        self.services = Services(redis_url=self.redis_url, tracker_url=given_tracker or "").start()
        self.redis_url, self.tracker_url = self.services.redis_url, self.services.tracker_url

    def endpoints_yaml(self) -> str:
        """Rasa's endpoints: the action server, the tracker store, the lock store when there is Redis."""
        # the domain is not sent with every action call: no action of dvcbot reads it
        return (
            f'action_endpoint:\n  url: "{self.action_url}/webhook"\n  enable_selective_domain: true\n'
            + tracker_store_yaml(self.tracker_url)
            + (redis_lock_store_yaml(self.redis_url) if self.redis_url else "")
        )

    def start_rasa(self, name: str = "rasa") -> None:
        """Start a Rasa worker with the REST channel and the HTTP API (behind the run's token) on loopback."""
        if not self.model.exists():
            raise StackError(f"Chưa có mô hình {self.model}. Chạy `make train` (hoặc `dvcbot train`) trước.")
        endpoints = self.endpoints_file(name)
        endpoints.parent.mkdir(parents=True, exist_ok=True)
        endpoints.write_text(self.endpoints_yaml(), "utf-8")
        endpoints.chmod(0o600)  # a PostgreSQL URL may carry a password
        self._spawn(
            name,
            [
                paths.rasa_python(),
                "-m",
                "bot.runtime.rasa_main",  # `rasa run` with the token from the environment, not the command line
                "run",
                "--enable-api",
                "-i",
                "127.0.0.1",
                "-p",
                str(self.rasa_ports[name]),
                "-m",
                str(self.model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(paths.CREDENTIALS),
            ],
            env={
                TOKEN_ENV: rasa_token(),
                "TICKET_LOCK_LIFETIME": os.environ.get("TICKET_LOCK_LIFETIME", str(LOCK_LIFETIME)),
                # one TensorFlow thread per worker: a message's DIET inference is too small to split, and
                # thread hand-offs cost CPU that the other worker or the front end needs (README "Hiệu năng")
                **{name: os.environ.get(name, "1") for name in TF_THREAD_VARS},
            },
        )

    def wait_healthy(self, timeout: float = 180.0, names: tuple[str, ...] | None = None) -> None:
        """Block until the servers answer; raise :class:`StackError` with the log tail otherwise."""
        deadline = time.monotonic() + timeout
        checks = {"actions": f"{self.action_url}/health"} | {
            name: f"{self.worker_url(name)}/status?token={rasa_token()}" for name in self.rasa_ports
        }
        pending = {name: checks[name] for name in names or self.names}
        while pending and time.monotonic() < deadline:
            if self._stopping.is_set():
                raise StackError("stack stopped while waiting for " + ", ".join(pending))
            for name, url in list(pending.items()):
                proc = self.procs.get(name)
                if proc is not None and proc.poll() is not None:
                    raise StackError(f"{name} stopped (exit {proc.returncode}):\n{self.log_tail(name)}")
                try:
                    r = httpx.get(url, timeout=2)
                    if r.status_code == 200 and (name == "actions" or r.json().get("model_file")):
                        del pending[name]
                except (httpx.HTTPError, ValueError):
                    pass
            time.sleep(0.5)
        if pending:
            raise StackError(
                f"not healthy after {timeout:.0f}s: {', '.join(pending)}\n"
                + "\n".join(self.log_tail(n) for n in pending)
            )

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:]) if path.exists() else ""

    def start(self, timeout: float = 180.0) -> Stack:
        """Start the services (several workers), the action server and the workers; wait until healthy."""
        self._stopping.clear()
        try:
            self.start_services()
            self.start_actions()
            for name in self.rasa_ports:
                self.start_rasa(name)
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        if self.supervise:
            self.start_watchdog()
        return self

    def start_watchdog(self) -> None:
        """Start restarting processes that die (done by :meth:`start` when ``supervise``)."""
        if self._watchdog is None:
            self._watchdog = threading.Thread(target=self._watch, name="stack-watchdog", daemon=True)
            self._watchdog.start()

    def pid(self, name: str) -> int | None:
        """Process id of ``actions``, ``rasa`` (or another worker, ``rasa-2``…) while it runs."""
        proc = self.procs.get(name)
        return proc.pid if proc is not None and proc.poll() is None else None

    def alive(self, name: str) -> bool:
        return self.pid(name) is not None

    def kill(self, name: str) -> None:
        """Kill one process at once (SIGKILL), as a crash would; for fault tests and the load benchmark."""
        with self._lock:
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()

    def restart(self, name: str, timeout: float = 180.0) -> None:
        """Stop ``actions`` or a worker if it still runs, start it again on the same port, wait until healthy."""
        if name not in self.names:
            raise ValueError(f"unknown process {name!r}; one of {self.names}")
        with self._lock:
            self._terminate([self.procs[name]] if name in self.procs else [])
            self.restarts[name].append(time.monotonic())
            if name == "actions":
                self.start_actions()
            else:
                self.start_rasa(name)
        self.wait_healthy(timeout, names=(name,))

    def _watch(self) -> None:
        """Restart dead processes with exponential backoff; give up after too many restarts."""
        backoff = {name: 1.0 for name in self.names}
        given_up: set[str] = set()
        while not self._stopping.wait(1.0):
            for name in self.names:
                proc = self.procs.get(name)
                if name in given_up or proc is None or proc.poll() is None:
                    continue
                now = time.monotonic()
                recent = [t for t in self.restarts[name] if now - t < RESTART_WINDOW]
                if len(recent) >= MAX_RESTARTS:
                    given_up.add(name)
                    log.error(
                        "%s died %d times in %.0f s; not restarting it again:\n%s",
                        name,
                        len(recent),
                        RESTART_WINDOW,
                        self.log_tail(name),
                    )
                    continue
                log.warning("%s stopped (exit %s); restarting in %.0f s", name, proc.returncode, backoff[name])
                if self._stopping.wait(backoff[name]):
                    return
                try:
                    self.restart(name)
                    backoff[name] = 1.0
                except StackError as exc:
                    log.error("restarting %s failed: %s", name, exc)
                    backoff[name] = min(MAX_BACKOFF, backoff[name] * 2)

    @staticmethod
    def _terminate(procs: list[subprocess.Popen]) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop(self) -> None:
        """Stop the watchdog and every process (SIGTERM, then SIGKILL after 10 s)."""
        self._stopping.set()
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.join(timeout=15)
        self._watchdog = None
        with self._lock:
            self._terminate(list(self.procs.values()))
            self.procs.clear()
        for name in self.rasa_ports:
            self.endpoints_file(name).unlink(missing_ok=True)
        if self.services is not None:
            self.services.stop()
            self.services = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def rasa_server(workers: int | None = None) -> Iterator[str]:
    """The URL of a Rasa server: ``$DVCBOT_RASA_URL`` if set, else a stack started for this command (with
    several workers, their URLs separated by commas, see :attr:`Stack.client_url`)."""
    if os.environ.get("DVCBOT_RASA_URL"):
        yield os.environ["DVCBOT_RASA_URL"]
        return
    progress.step("Cập nhật cơ sở tri thức…")
    counts = sync_knowledge()
    progress.done("Cơ sở tri thức: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    ensure_model()
    workers = workers or workers_from_env()
    what = f"{workers} worker Rasa (Redis, PostgreSQL)" if workers > 1 else "Rasa"
    progress.step(f"Khởi động {what} và máy chủ action (nhật ký: {paths.LOGS})…")
    started = time.monotonic()
    stack = Stack(workers=workers).start()
    progress.ready(f"trợ lý trả lời được sau {time.monotonic() - started:.0f} giây khởi động")
    try:
        yield stack.client_url
    finally:
        stack.stop()
