"""Durable inbox of the Telegram front end: questions received but not answered yet survive a killed process.

Each question relayed to Rasa is written (redacted with :func:`bot.privacy.redact`, never raw) with its
``update_id`` and chat before Rasa is asked, and marked answered once the reply is sent (or the user was told
that it failed). On start-up the unanswered questions of the last :data:`KEEP` are answered once (at most
:data:`MAX_RECOVER`, each at most :data:`MAX_TRIES` starts), and an update whose ``update_id`` is already in
the inbox (delivered again by Telegram after a crash) is not answered a second time.

The database is ``$DVCBOT_VAR_DIR/telegram_inbox.db`` (WAL). Rows are kept per bot (a hash of its token) and
deleted after :data:`KEEP`; the chat id is kept only that long, to be able to answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.messages import safe_text
from bot.runtime import paths, sqlite
from bot.runtime.retention import inbox_retention

KEEP = inbox_retention()  # how long a received question is kept (bot.runtime.retention)
MAX_RECOVER = 50  # questions answered at one start
MAX_TRIES = 3  # starts that try to answer one question (no crash loop on a poisoned question)


def default_path() -> Path:
    """``telegram_inbox.db`` in the data directory."""
    return paths.VAR / "telegram_inbox.db"


def bot_key(token: str) -> str:
    """Stands for a bot in the inbox (its token is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass
class InboxItem:
    """An unanswered question from an earlier run."""

    update_id: int
    chat_id: int
    sender: str
    kind: str
    text: str
    received_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Inbox:
    """The inbox of one bot.

    :param bot: :func:`bot_key` of the bot's token
    :param path: SQLite file, created when missing (default :func:`default_path`)
    """

    def __init__(self, bot: str, path: str | Path | None = None):
        self.bot = bot
        self.path = Path(path or default_path())
        self._lock = threading.Lock()
        # no fsync per commit: three per message, on the event loop
        self.db = sqlite.connect(self.path, autocommit=True, fsync_each_commit=False)
        self.db.execute(
            "create table if not exists inbox (bot text not null, update_id integer not null, chat_id integer not null,"
            " sender text not null, kind text not null, text text not null, received_at text not null,"
            " answered_at text, tries integer not null default 0, primary key (bot, update_id))"
        )
        self.db.execute("create index if not exists inbox_received on inbox (received_at)")
        self.prune()

    def prune(self, now: dt.datetime | None = None) -> None:
        """Forget rows older than :data:`KEEP`."""
        with self._lock:
            self.db.execute("delete from inbox where received_at < ?", [((now or _now()) - KEEP).isoformat()])

    def seen(self, update_id: int) -> bool:
        """True when ``update_id`` was already received (answered, or waiting for the start-up recovery)."""
        with self._lock:
            row = self.db.execute("select 1 from inbox where bot = ? and update_id = ?", [self.bot, update_id])
            return row.fetchone() is not None

    def record(
        self,
        update_id: int,
        chat_id: int,
        sender: str,
        text: str,
        kind: str,
        now: dt.datetime | None = None,
        redacted: bool = False,
    ) -> bool:
        """Write down a question (redacted) before it is answered; False when ``update_id`` is already in.

        :param redacted: ``text`` went through :func:`bot.messages.safe_text` already (with this sender)
        """
        with self._lock:
            cursor = self.db.execute(
                "insert or ignore into inbox (bot, update_id, chat_id, sender, kind, text, received_at)"
                " values (?, ?, ?, ?, ?, ?, ?)",
                [
                    self.bot,
                    update_id,
                    chat_id,
                    sender,
                    kind,
                    text if redacted else safe_text(text, button=kind == "button", sender=sender),
                    (now or _now()).isoformat(),
                ],
            )
            return cursor.rowcount > 0

    def answered(self, update_id: int | None, now: dt.datetime | None = None) -> None:
        """Mark a question answered (the reply was sent, or the user was told it failed)."""
        if update_id is None:
            return
        with self._lock:
            self.db.execute(
                "update inbox set answered_at = ? where bot = ? and update_id = ? and answered_at is null",
                [(now or _now()).isoformat(), self.bot, update_id],
            )

    def take_unanswered(self, limit: int = MAX_RECOVER, now: dt.datetime | None = None) -> list[InboxItem]:
        """The unanswered questions of the last :data:`KEEP`, oldest first, counting this try.

        Questions tried at :data:`MAX_TRIES` starts already are given up (marked answered).
        """
        now = now or _now()
        with self._lock:
            self.db.execute(
                "update inbox set answered_at = ? where bot = ? and answered_at is null and tries >= ?",
                [now.isoformat(), self.bot, MAX_TRIES],
            )
            rows = self.db.execute(
                "select update_id, chat_id, sender, kind, text, received_at from inbox where bot = ? and"
                " answered_at is null and received_at >= ? order by received_at, update_id limit ?",
                [self.bot, (now - KEEP).isoformat(), limit],
            ).fetchall()
            self.db.executemany(
                "update inbox set tries = tries + 1 where bot = ? and update_id = ?",
                [(self.bot, row[0]) for row in rows],
            )
        return [InboxItem(row[0], row[1], row[2], row[3], row[4], dt.datetime.fromisoformat(row[5])) for row in rows]

    def close(self) -> None:
        self.db.close()
