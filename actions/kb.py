"""The action server's handles on the knowledge base and its retrieval index (opened once, always current)."""

from __future__ import annotations

from functools import lru_cache

from knowledge.retrieval import Retriever
from knowledge.store import KnowledgeBase, open_kb


@lru_cache(maxsize=1)
def get_kb() -> KnowledgeBase:
    """The knowledge base at ``$DVCBOT_KB_PATH`` (or ``var/knowledge.db``)."""
    return open_kb()


@lru_cache(maxsize=1)
def get_retriever() -> Retriever:
    """Retrieval over the live knowledge base; rebuilt on the next question after any edit."""
    return Retriever(get_kb())
