"""How long personal traces are kept, decided here only (README "Dữ liệu cá nhân").

Conversations (Rasa's tracker events) and usage statistics: ``$DVCBOT_RETENTION_DAYS`` days (default 30).
The Telegram inbox (questions received, kept until answered): ``$DVCBOT_INBOX_RETENTION_HOURS`` (default 24).
Stores prune when opened and then at most every :data:`PRUNE_EVERY` seconds while they run.
"""

from __future__ import annotations

import datetime as dt
import os

PRUNE_EVERY = 3600.0


def retention_days() -> float:
    """Days conversations and statistics are kept."""
    return float(os.environ.get("DVCBOT_RETENTION_DAYS") or 30)


def inbox_retention() -> dt.timedelta:
    """How long the Telegram inbox keeps a received question."""
    return dt.timedelta(hours=float(os.environ.get("DVCBOT_INBOX_RETENTION_HOURS") or 24))
