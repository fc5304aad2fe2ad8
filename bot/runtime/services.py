"""Redis and PostgreSQL for several Rasa workers: Rasa's Redis lock store and its SQL tracker store.

On one machine :class:`Services` starts both servers itself from the system packages (``redis-server``,
``postgresql``; ``make setup`` installs them), on free loopback ports, with their data under
``$DVCBOT_VAR_DIR/redis`` and ``$DVCBOT_VAR_DIR/postgres`` and their logs in ``var/logs/``. Existing servers
are used instead when ``$DVCBOT_REDIS_URL`` (``redis://[:password@]host:port/db``) or ``$DVCBOT_TRACKER_URL``
(``postgresql://user:password@host:port/db``) name them; then nothing is started for that one.

PostgreSQL refuses to run as root: when this process is root, ``initdb`` and ``postgres`` run as the
``postgres`` system user (created by the Debian package), which then owns the data directory. The database
user ``dvcbot`` has a random password kept in ``postgres/password`` (mode 600); both servers listen on
127.0.0.1 only, Redis with a random password as well.

Only programs are run here (``redis-server``, ``initdb``, ``postgres``, ``pg_isready``, ``psql``): no database
driver is imported, so the front ends that import :mod:`bot.runtime` do not need one.
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from bot.runtime import paths

log = logging.getLogger(__name__)

REDIS_ENV = "DVCBOT_REDIS_URL"
TRACKER_ENV = "DVCBOT_TRACKER_URL"
DB_NAME = DB_USER = "dvcbot"
PG_SYSTEM_USER = "postgres"
INSTALL_HINT = "Cài bằng `make setup` (apt-get install redis-server postgresql)."


class ServiceError(RuntimeError):
    """Redis or PostgreSQL could not be started."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path:
    """The folder of PostgreSQL's server programs (``/usr/lib/postgresql/<newest>/bin`` on Debian)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).resolve().parent
    raise ServiceError(f"Không tìm thấy PostgreSQL (postgres, initdb). {INSTALL_HINT}")


def redis_bin() -> str:
    """The ``redis-server`` program."""
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else "")
    if not found:
        raise ServiceError(f"Không tìm thấy redis-server. {INSTALL_HINT}")
    return found


def redis_lock_store_yaml(url: str, key_prefix: str = "dvcbot") -> str:
    """The ``lock_store`` section of an endpoints file for Rasa's Redis lock store at ``url``."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ServiceError(f"{REDIS_ENV} phải có dạng redis://[:mật_khẩu@]máy:cổng/số_db, không phải {url!r}")
    db = parts.path.strip("/") or "1"
    lines = [
        "lock_store:",
        "  type: redis",
        f'  url: "{parts.hostname or "127.0.0.1"}"',
        f"  port: {parts.port or 6379}",
        f"  db: {int(db)}",
        f"  key_prefix: {key_prefix}",
    ]
    if parts.username:
        lines.append(f'  username: "{unquote(parts.username)}"')
    if parts.password:
        lines.append(f'  password: "{unquote(parts.password)}"')
    if parts.scheme == "rediss":
        lines.append("  use_ssl: true")
    return "\n".join(lines) + "\n"


def as_user(user: str | None) -> dict:
    """``subprocess`` arguments that run a program as ``user`` (its own group, none of ours), or nothing."""
    if user is None:
        return {}
    account = pwd.getpwnam(user)
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


class _Server:
    """One server process started here: its log, its process, its stop."""

    name = ""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return paths.LOGS / f"{self.name}.log"

    def _spawn(self, args: list[str], user: str | None = None) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **as_user(user),
            )

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait(self, ready, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServiceError(f"{self.name} stopped (exit {self.proc.returncode}):\n{self.log_tail()}")
            if ready():
                return
            time.sleep(0.2)
        raise ServiceError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def pid(self) -> int | None:
        """Process id of the server while it runs."""
        return self.proc.pid if self.alive() and self.proc is not None else None

    def stop(self, signal_: int = 15) -> None:
        """Stop the server (SIGTERM; PostgreSQL gets SIGINT, its fast shutdown), SIGKILL after 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        self.proc.send_signal(signal_)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class RedisServer(_Server):
    """``redis-server`` on 127.0.0.1 with a random password; nothing written to disk (locks live seconds)."""

    name = "redis"

    def __init__(self, data_dir: Path, port: int | None = None):
        super().__init__(data_dir, port)
        self.password = secrets.token_hex(16)

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/1"

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(f"AUTH {self.password}\r\nPING\r\n".encode())
                return b"+PONG" in s.recv(64) or b"+PONG" in s.recv(64)
        except OSError:
            return False

    def start(self, timeout: float = 30.0) -> RedisServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            [
                redis_bin(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--requirepass",
                self.password,
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ]
        )
        self._wait(self._ping, timeout)
        return self


class PostgresServer(_Server):
    """A PostgreSQL cluster of our own under ``data_dir`` (created with ``initdb`` the first time), on
    127.0.0.1 without a Unix socket, database and user ``dvcbot`` with a password."""

    name = "postgres"

    def __init__(self, data_dir: Path, port: int | None = None):
        super().__init__(data_dir, port)
        self.bin = postgres_bin()
        self.user = PG_SYSTEM_USER if os.geteuid() == 0 else None
        self.cluster = self.data_dir / "data"
        self.password_file = self.data_dir / "password"

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    @property
    def url(self) -> str:
        return f"postgresql://{DB_USER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{DB_NAME}"

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(args, capture_output=True, text=True, check=False, **as_user(self.user), **kwargs)

    def _give_to_system_user(self) -> None:
        """As root: the cluster folder belongs to ``postgres``, and the folders above it let it through."""
        if self.user is None:
            return
        account = pwd.getpwnam(self.user)
        self.cluster.mkdir(parents=True, exist_ok=True)
        os.chown(self.cluster, account.pw_uid, account.pw_gid)
        self.cluster.chmod(0o700)
        var = paths.VAR.resolve()
        for folder in [self.data_dir.resolve(), *self.data_dir.resolve().parents]:
            if not os.access(folder, os.X_OK) or folder.stat().st_mode & 0o001:
                continue
            if folder == var or var in folder.parents:
                folder.chmod(folder.stat().st_mode | 0o001)  # traverse only: no listing for others
            else:
                raise ServiceError(f"{self.user} cannot reach {self.cluster}: {folder} is closed to other users")

    def _init_cluster(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_hex(16))
            self.password_file.chmod(0o600)
        self._give_to_system_user()
        if (self.cluster / "PG_VERSION").exists():
            return
        pwfile = self.data_dir / ".initdb-password"
        pwfile.write_text(self.password)
        try:
            if self.user is not None:
                account = pwd.getpwnam(self.user)
                os.chown(pwfile, account.pw_uid, account.pw_gid)
            pwfile.chmod(0o600)
            done = self._run(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.cluster),
                    "-U",
                    DB_USER,
                    f"--pwfile={pwfile}",
                    "-A",
                    "scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if done.returncode:
            raise ServiceError(f"initdb failed:\n{done.stdout}\n{done.stderr}")

    def _ready(self) -> bool:
        probe = self._run([str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)])
        return probe.returncode == 0

    def _psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER, "-d", database]
            + ["-tAc", sql],
            capture_output=True,
            text=True,
            env={**os.environ, "PGPASSWORD": self.password},
            check=False,
        )
        if done.returncode:
            raise ServiceError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def start(self, timeout: float = 60.0) -> PostgresServer:
        self._init_cluster()
        self._spawn(
            [
                str(self.bin / "postgres"),
                "-D",
                str(self.cluster),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                # a chat turn is cheap to lose on a power cut, not on a crash of the server: no fsync wait per commit
                "-c",
                "synchronous_commit=off",
                "-c",
                "max_connections=200",
            ],
            user=self.user,
        )
        self._wait(self._ready, timeout)
        if self._psql(f"select 1 from pg_database where datname = '{DB_NAME}'") != "1":
            self._psql(f"create database {DB_NAME}")
        return self

    def stop(self, signal_: int = 2) -> None:
        super().stop(signal_)


class Services:
    """Redis and PostgreSQL for a multi-worker stack: the ones of ``$DVCBOT_REDIS_URL`` and
    ``$DVCBOT_TRACKER_URL`` when set, else servers of our own under ``var_dir``.

    :param var_dir: where the data of servers started here live (default ``$DVCBOT_VAR_DIR``)
    """

    def __init__(self, var_dir: Path | None = None, redis_url: str | None = None, tracker_url: str | None = None):
        self.var_dir = Path(var_dir or paths.VAR)
        self.redis_url = redis_url if redis_url is not None else os.environ.get(REDIS_ENV) or None
        self.tracker_url = tracker_url if tracker_url is not None else os.environ.get(TRACKER_ENV) or None
        self.started: list[_Server] = []

    def start(self) -> Services:
        """Start what is not given; the URLs are then in :attr:`redis_url` and :attr:`tracker_url`."""
        try:
            if not self.redis_url:
                redis = RedisServer(self.var_dir / "redis").start()
                self.started.append(redis)
                self.redis_url = redis.url
            if not self.tracker_url:
                pg = PostgresServer(self.var_dir / "postgres").start()
                self.started.append(pg)
                self.tracker_url = pg.url
        except BaseException:
            self.stop()
            raise
        log.info("services: %s", ", ".join(s.name for s in self.started) or "external")
        return self

    def stop(self) -> None:
        """Stop the servers started here (external ones are left alone)."""
        for server in reversed(self.started):
            server.stop()
        self.started.clear()

    def __enter__(self) -> Services:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
