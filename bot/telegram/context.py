"""What every handler of the Telegram front end shares, as one typed object in ``bot_data``.

:func:`deps` returns it from a handler's context or from the application; :func:`install` puts it there when
the application is built. The retry queue is shared state too: its data lives here, its loop in
:mod:`bot.telegram.relay`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.rasa_client import RasaClient
from bot.telegram.callbacks import PayloadStore
from bot.telegram.inbox import Inbox
from bot.telegram.stats import Stats
from knowledge.retrieval import Retriever
from knowledge.store import KnowledgeBase

RETRY_INTERVAL = 10.0  # seconds between two tries of the questions Rasa could not answer
RETRY_ATTEMPTS = 30  # tries before the bot gives up on a question (about 5 minutes)
KEY = "deps"


@dataclass
class PendingQuestion:
    """A question Rasa could not answer yet (text already redacted)."""

    chat_id: int
    sender: str
    text: str
    kind: str
    received_at: dt.datetime
    attempts: int = 0
    update_id: int | None = None  # its row in the inbox, marked answered once it is


@dataclass
class RetryQueue:
    """Questions waiting for Rasa, oldest first (in memory)."""

    items: deque = field(default_factory=deque)  # unbounded: every queued question was promised an answer
    interval: float = RETRY_INTERVAL
    attempts: int = RETRY_ATTEMPTS
    task: asyncio.Task | None = None

    def add(self, question: PendingQuestion) -> None:
        """Keep ``question`` for a later try."""
        self.items.append(question)

    def take(self, chat_id: int | None = None) -> list[PendingQuestion]:
        """Remove and return the waiting questions (of one chat, or all)."""
        taken = [q for q in self.items if chat_id is None or q.chat_id == chat_id]
        for question in taken:
            self.items.remove(question)
        return taken

    def put_back(self, questions: list[PendingQuestion]) -> None:
        """Return questions that still could not be answered, in front of newer ones."""
        self.items.extendleft(reversed(questions))


@dataclass
class Deps:
    """The dependencies of the handlers.

    :param rasa: the Rasa server questions are relayed to
    :param kb: the knowledge base (/phi, the guide, staff edits)
    :param payloads: long button payloads remembered for callback queries
    :param retries: questions waiting for Rasa
    :param admin_ids: Telegram user ids allowed to use the staff commands
    :param stats: usage statistics, or None when they are off
    :param inbox: the durable inbox, or None without one
    """

    rasa: RasaClient
    kb: KnowledgeBase
    payloads: PayloadStore = field(default_factory=PayloadStore)
    retries: RetryQueue = field(default_factory=RetryQueue)
    admin_ids: frozenset[int] = frozenset()
    stats: Stats | None = None
    inbox: Inbox | None = None
    recovery: asyncio.Task | None = None  # answering the questions a killed earlier run left
    retriever: Retriever = field(init=False)  # the chat's service matcher, over ``kb`` (/huongdan, /checklist)

    def __post_init__(self) -> None:
        self.retriever = Retriever(self.kb)

    def close(self) -> None:
        """Close the stores (the Rasa client is closed by whoever opened it)."""
        if self.stats is not None:
            self.stats.close()
        if self.inbox is not None:
            self.inbox.close()


def install(bot_data: dict, deps_: Deps) -> None:
    """Put ``deps_`` in an application's ``bot_data``."""
    bot_data[KEY] = deps_


def deps(source: Any) -> Deps:
    """The :class:`Deps` of a handler's ``context`` or of an ``application`` (anything with ``bot_data``)."""
    return source.bot_data[KEY]
