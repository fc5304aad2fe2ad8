"""Opening the front end's own SQLite stores (inbox, statistics, staff accounts) the one way they share."""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_MS = 10_000  # how long a store waits for another writer's lock


def connect(path: Path, *, autocommit: bool = False, fsync_each_commit: bool = True) -> sqlite3.Connection:
    """A connection to ``path`` (its folder made when missing), in WAL mode, usable from any thread.

    :param autocommit: no implicit transactions (``isolation_level=None``)
    :param fsync_each_commit: ``False`` for stores written on every message: WAL with ``synchronous=NORMAL``
        loses nothing when the process is killed, only the last commits on a power cut
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_MS / 1000, check_same_thread=False)
    if autocommit:
        conn.isolation_level = None
    conn.execute("PRAGMA journal_mode=WAL")
    if not fsync_each_commit:
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return conn
