"""Rasa's SQL tracker store, with SQLite set up for a chat service: WAL journal, normal syncs, a busy timeout.

Used by :func:`bot.runtime.stack.tracker_store_yaml` for the default SQLite store; other databases get Rasa's own
``SQL`` store unchanged.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot.runtime.retention import PRUNE_EVERY, retention_days

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000")


class TunedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose SQLite connections stay open (a pool) and use WAL and ``synchronous=NORMAL`` (one
    fsync per checkpoint, not per message), so saving a turn does not dominate the reply time; events older than
    the retention (``$DVCBOT_RETENTION_DAYS``, default 30) are deleted at start and then hourly."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        if engine.dialect.name == "sqlite":
            url = engine.url
            engine.dispose()
            if url.database and url.database != ":memory:":
                # SQLAlchemy 1.4 opens and closes a file database's connection for every session (NullPool):
                # three times a message, each time with the pragmas again. Keep the connections open instead.
                self.engine = sa.create_engine(
                    url, poolclass=sa.pool.QueuePool, pool_size=2, connect_args={"check_same_thread": False}
                )
                self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            sa.event.listen(self.engine, "connect", _set_pragmas)
        self._pruned = 0.0
        self.prune()

    def prune(self, days: float | None = None) -> int:
        """Delete conversation events older than ``days`` (default :func:`retention_days`); how many."""
        self._pruned = time.monotonic()
        cutoff = time.time() - 86400 * (retention_days() if days is None else days)
        with self.session_scope() as session:
            count = session.query(self.SQLEvent).filter(self.SQLEvent.timestamp < cutoff).delete()
            session.commit()
        return count

    async def save(self, tracker) -> None:
        if time.monotonic() - self._pruned > PRUNE_EVERY:
            self.prune()
        await super().save(tracker)


def _set_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
