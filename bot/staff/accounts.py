"""Staff accounts, sessions and login lock-out in SQLite (``$DVCBOT_VAR_DIR/staff.db``).

Passwords are hashed with scrypt (memory-hard, standard library) and a random salt per account. A session is a
random token kept in a cookie; only its SHA-256 is stored, with a CSRF token for the forms of that session.
After :data:`MAX_FAILURES` failed logins an account is locked for :data:`LOCK_MINUTES` minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from bot.runtime import paths, sqlite

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12
MIN_PASSWORD = 10
NAME_MAX = 64


def default_path() -> Path:
    """``staff.db`` in the data directory."""
    return paths.VAR / "staff.db"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex) for ``password``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches a :func:`hash_password` string (constant-time comparison)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=SCRYPT["maxmem"],
            dklen=len(digest) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LockedOut(Exception):
    """Too many failed logins: the account is locked until ``until``."""

    def __init__(self, until: dt.datetime):
        self.until = until
        super().__init__(until.isoformat())


@dataclass
class Session:
    """A logged-in staff member."""

    token: str
    name: str
    csrf: str


class Accounts:
    """The staff database.

    :param path: SQLite file, created with its tables when missing (default :func:`default_path`)
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or default_path())
        self.db = sqlite_utils.Database(sqlite.connect(self.path))
        names = self.db.table_names()
        if "users" not in names:
            self.db.table("users").create(
                {"name": str, "password": str, "failures": int, "locked_until": str, "created_at": str}, pk="name"
            )
        if "sessions" not in names:
            self.db.table("sessions").create(
                {"token_hash": str, "name": str, "csrf": str, "created_at": str, "expires_at": str}, pk="token_hash"
            )
        if "done" not in names:  # unanswered questions marked as handled, by their grouping key
            self.db.table("done").create({"key": str, "name": str, "at": str}, pk="key")

    # ---- accounts -----------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> None:
        """Create or reset an account; refuses short passwords and empty names."""
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise ValueError(f"tên tài khoản phải có 1–{NAME_MAX} ký tự")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
        with self.db.conn:
            self.db.table("users").upsert(
                {
                    "name": name,
                    "password": hash_password(password),
                    "failures": 0,
                    "locked_until": "",
                    "created_at": _now().isoformat(),
                },
                pk="name",
            )

    def users(self) -> list[str]:
        return [r["name"] for r in self.db.query("select name from users order by name")]

    def login(self, name: str, password: str, now: dt.datetime | None = None) -> Session | None:
        """A new session when ``name``/``password`` match; ``None`` otherwise.

        :raises LockedOut: the account is locked (even a right password is refused then)
        """
        now = now or _now()
        rows = list(self.db.query("select * from users where name = ?", [name.strip()]))
        if not rows:
            hash_password(password)  # same time as a wrong password: no account enumeration by timing
            return None
        user = rows[0]
        if user["locked_until"] and dt.datetime.fromisoformat(user["locked_until"]) > now:
            raise LockedOut(dt.datetime.fromisoformat(user["locked_until"]))
        if not verify_password(password, user["password"]):
            failures = int(user["failures"] or 0) + 1
            locked = (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat() if failures >= MAX_FAILURES else ""
            with self.db.conn:
                self.db.table("users").update(
                    user["name"], {"failures": 0 if locked else failures, "locked_until": locked}
                )
            if locked:
                raise LockedOut(dt.datetime.fromisoformat(locked))
            return None
        with self.db.conn:
            self.db.table("users").update(user["name"], {"failures": 0, "locked_until": ""})
        return self.new_session(user["name"], now)

    def new_session(self, name: str, now: dt.datetime | None = None) -> Session:
        now = now or _now()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.db.conn:
            self.db.execute("delete from sessions where expires_at < ?", [now.isoformat()])
            self.db.table("sessions").insert(
                {
                    "token_hash": _token_hash(token),
                    "name": name,
                    "csrf": csrf,
                    "created_at": now.isoformat(),
                    "expires_at": (now + dt.timedelta(hours=SESSION_HOURS)).isoformat(),
                }
            )
        return Session(token, name, csrf)

    def session(self, token: str | None, now: dt.datetime | None = None) -> Session | None:
        """The live session of a cookie token, or ``None``."""
        if not token:
            return None
        rows = list(self.db.query("select * from sessions where token_hash = ?", [_token_hash(token)]))
        if not rows or rows[0]["expires_at"] < (now or _now()).isoformat():
            return None
        if rows[0]["name"] not in self.users():
            return None
        return Session(token, rows[0]["name"], rows[0]["csrf"])

    def logout(self, token: str) -> None:
        with self.db.conn:
            self.db.execute("delete from sessions where token_hash = ?", [_token_hash(token)])

    # ---- unanswered questions handled ---------------------------------------------------------
    def mark_done(self, key: str, name: str) -> None:
        with self.db.conn:
            self.db.table("done").upsert({"key": key, "name": name, "at": _now().isoformat()}, pk="key")

    def done_keys(self) -> set[str]:
        return {r["key"] for r in self.db.query("select key from done")}

    def close(self) -> None:
        self.db.conn.close()
