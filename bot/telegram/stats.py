"""Usage statistics for staff: questions (redacted), intents, fallbacks and ratings, in SQLite.

The database lives at ``$DVCBOT_VAR_DIR/stats.db`` (WAL). No raw text and no chat id is stored: texts go
through :func:`bot.privacy.redact` first, chats are kept as a salted hash (the salt is random per database),
so staff can count people without being able to find them. Rows older than ``$DVCBOT_RETENTION_DAYS`` (30)
are deleted whenever the statistics are opened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections import Counter
from pathlib import Path

import sqlite_utils

from bot.messages import STORED_TEXT_CHARS, cut, safe_text
from bot.runtime import paths, sqlite
from bot.runtime.retention import PRUNE_EVERY, retention_days
from bot.telegram.texts import STATS_NONE, STATS_NONE_YET, STATS_REPORT, STATS_ROW, STATS_UNANSWERED

FALLBACK_INTENTS = frozenset({"nlu_fallback", "action_search_fallback"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def default_path() -> Path:
    """``stats.db`` in the data directory."""
    return paths.VAR / "stats.db"


class Stats:
    """One statistics database.

    :param path: SQLite file, created with its tables when missing (default :func:`default_path`)
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or default_path())
        # as the inbox: no fsync per message on the event loop
        self.db = sqlite_utils.Database(sqlite.connect(self.path, fsync_each_commit=False))
        self._ensure_tables()
        self._salt = self._get_salt()
        self.prune()

    def _ensure_tables(self) -> None:
        if "meta" not in self.db.table_names():
            self.db["meta"].create({"key": str, "value": str}, pk="key")
        if "messages" not in self.db.table_names():
            self.db["messages"].create(
                {
                    "id": int,
                    "created_at": str,
                    "chat": str,
                    "kind": str,
                    "text": str,
                    "intent": str,
                    "fallback": int,
                    "rating": int,
                    "rated_at": str,
                    "answered": int,
                    "entry": str,
                },
                pk="id",
            )
            self.db["messages"].create_index(["created_at"])
        columns = self.db["messages"].columns_dict
        for name, kind in (("answered", int), ("entry", str)):  # stores made before these columns existed
            if name not in columns:
                self.db["messages"].add_column(name, kind)

    def _get_salt(self) -> str:
        rows = list(self.db.query("select value from meta where key = 'salt'"))
        if rows:
            return rows[0]["value"]
        salt = secrets.token_hex(16)
        with self.db.conn:
            self.db.execute("insert or ignore into meta (key, value) values ('salt', ?)", [salt])
        return list(self.db.query("select value from meta where key = 'salt'"))[0]["value"]

    def chat_key(self, chat_id: int | str) -> str:
        """The salted hash that stands for a chat."""
        return hashlib.sha256(f"{self._salt}:{chat_id}".encode()).hexdigest()[:24]

    def record_message(
        self,
        chat_id: int | str,
        text: str,
        intent: str | None,
        kind: str = "text",
        now: dt.datetime | None = None,
        redacted: bool = False,
        answered: bool | None = None,
        entry: str | None = None,
    ) -> int:
        """Store one incoming message (redacted) with the intent Rasa gave it; returns its id for ratings.

        :param kind: ``text`` for typed messages, ``button`` for button payloads, ``command`` for a command
        :param redacted: ``text`` went through :func:`bot.messages.safe_text` already
        :param answered: what the answer action said (``False`` for "chưa hiểu", a clarifying question, out of
            scope): counted as unanswered, whatever the intent was; ``None`` when no action reported
        :param entry: the knowledge entry the answer came from
        """
        if time.monotonic() - self._pruned > PRUNE_EVERY:
            self.prune()
        if redacted:
            text = cut(text, STORED_TEXT_CHARS)
        else:
            text = safe_text(text, button=kind == "button", limit=STORED_TEXT_CHARS, sender=str(chat_id))
        with self.db.conn:
            cursor = self.db.execute(
                "insert into messages (created_at, chat, kind, text, intent, fallback, answered, entry)"
                " values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (now or _now()).isoformat(),
                    self.chat_key(chat_id),
                    kind,
                    text,
                    intent,
                    int(intent in FALLBACK_INTENTS or answered is False),
                    None if answered is None else int(answered),
                    entry,
                ],
            )
        assert cursor.lastrowid is not None  # an insert always has one
        return cursor.lastrowid

    def record_rating(
        self, message_id: int, value: int, now: dt.datetime | None = None, chat_id: int | str | None = None
    ) -> bool:
        """Store 👍 (``value`` 1) or 👎 (-1) for the answer to message ``message_id``; the last rating counts.

        :param chat_id: the chat the rating button was pressed in; the message must be that chat's (rating
            data is sent by the client and can be forged: ``r|47|-1`` from someone else changes nothing)
        Returns False when the message is unknown or another chat's.
        """
        if chat_id is None:
            return False
        with self.db.conn:
            cursor = self.db.execute(
                "update messages set rating = ?, rated_at = ? where id = ? and chat = ?",
                [1 if value > 0 else -1, (now or _now()).isoformat(), message_id, self.chat_key(chat_id)],
            )
        return cursor.rowcount > 0

    def prune(self, days: float | None = None, now: dt.datetime | None = None) -> int:
        """Forget messages older than ``days`` (default :func:`retention_days`); returns how many."""
        self._pruned = time.monotonic()
        cutoff = (now or _now()) - dt.timedelta(days=retention_days() if days is None else days)
        with self.db.conn:
            return self.db.execute("delete from messages where created_at < ?", [cutoff.isoformat()]).rowcount

    def summary(self, days: int = 7, now: dt.datetime | None = None, top: int = 5) -> dict:
        """Figures of the last ``days`` days: messages, chats, top intents, fallback rate, ratings, unanswered.

        The fallback rate is over typed messages (buttons always have an intent).
        """
        since = ((now or _now()) - dt.timedelta(days=days)).isoformat()
        rows = list(self.db.query("select * from messages where created_at >= ? order by created_at", [since]))
        typed = [r for r in rows if r["kind"] == "text"]
        fallbacks = [r for r in typed if r["fallback"]]
        unanswered = Counter(r["text"] for r in fallbacks)
        return {
            "days": days,
            "messages": len(rows),
            "typed": len(typed),
            "buttons": sum(1 for r in rows if r["kind"] == "button"),
            "commands": sum(1 for r in rows if r["kind"] == "command"),
            "chats": len({r["chat"] for r in rows}),
            "top_intents": Counter(r["intent"] for r in rows if r["intent"] and r["kind"] != "command").most_common(
                top
            ),
            "fallbacks": len(fallbacks),
            "fallback_rate": len(fallbacks) / len(typed) if typed else 0.0,
            "thumbs_up": sum(1 for r in rows if r["rating"] == 1),
            "thumbs_down": sum(1 for r in rows if r["rating"] == -1),
            "unanswered": unanswered.most_common(10),
        }

    def close(self) -> None:
        self.db.conn.close()


def format_summary(summary: dict) -> str:
    """The summary as a short Vietnamese report (plain text; wording in :mod:`bot.telegram.texts`)."""
    lines = [STATS_REPORT.format(**summary, fallback_share=f"{summary['fallback_rate']:.0%}")]
    lines += [STATS_ROW.format(count=c, what=i) for i, c in summary["top_intents"]] or [STATS_NONE_YET]
    lines.append(STATS_UNANSWERED)
    lines += [STATS_ROW.format(count=c, what=t) for t, c in summary["unanswered"]] or [STATS_NONE]
    return "\n".join(lines)
