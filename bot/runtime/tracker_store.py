"""Rasa's SQL tracker store, with SQLite set up for a chat service: WAL journal, normal syncs, a busy timeout.

Used by :func:`bot.runtime.stack.tracker_store_yaml` for the default SQLite store; other databases get Rasa's own
``SQL`` store unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000")


class TunedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose SQLite connections use WAL and ``synchronous=NORMAL`` (one fsync per checkpoint,
    not per message), so saving a turn does not dominate the reply time."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _set_pragmas)
            self.engine.dispose()  # connections opened before the listener are replaced


def _set_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
