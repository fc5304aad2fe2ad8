"""The action server's handle on the knowledge base (opened once; every read sees the latest edits)."""

from __future__ import annotations

from functools import lru_cache

from knowledge.store import KnowledgeBase, open_kb


@lru_cache(maxsize=1)
def get_kb() -> KnowledgeBase:
    """The knowledge base at ``$DVCBOT_KB_PATH`` (or ``var/knowledge.db``)."""
    return open_kb()
