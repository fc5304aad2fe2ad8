"""What every handler of the Telegram front end shares, as one typed object in ``bot_data``.

:func:`deps` returns it from a handler's context or from the application; :func:`install` puts it there when
the application is built. The retry queue is shared state too: its data lives here, its loop in
:mod:`bot.telegram.relay`.

Knowledge-base calls never run on the event loop: :func:`kb_call` runs them on the knowledge base's own thread
and gives up after :data:`KB_WAIT` seconds of another writer's lock with :class:`KnowledgeBusy` (the user is
told "đang bận"), so a locked knowledge base stalls no chat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import sqlite3
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.rasa_client import RasaClient
from bot.telegram.callbacks import PayloadStore
from bot.telegram.inbox import Inbox
from bot.telegram.stats import Stats
from knowledge.retrieval import Retriever
from knowledge.store import KnowledgeBase

RETRY_INTERVAL = 10.0  # seconds between two tries of the questions Rasa could not answer
RETRY_ATTEMPTS = 30  # tries before the bot gives up on a question (about 5 minutes)
KEY = "deps"
KB_WAIT = 2.0  # seconds a knowledge-base call waits for another writer's lock before the user is told "đang bận"
T = TypeVar("T")


class KnowledgeBusy(Exception):
    """The knowledge base stayed locked by another writer for longer than :data:`KB_WAIT`."""


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
    # knowledge-base calls, off the event loop: reads on one thread (this connection), saves on another with
    # a connection of their own, so a save waiting for another writer's lock holds up no reader
    kb_thread: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="kb"))
    kb_save_thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="kb-save")
    )
    kb_writer: KnowledgeBase | None = None  # opened on first save, used only on kb_save_thread

    retriever: Retriever = field(init=False)  # the chat's service matcher, over ``kb`` (/huongdan, /checklist)

    def __post_init__(self) -> None:
        self.kb.db.conn.execute(f"PRAGMA busy_timeout={int(KB_WAIT * 1000)}")
        self.retriever = Retriever(self.kb)

    def writer(self) -> KnowledgeBase:
        """The saving connection (call on ``kb_save_thread`` only)."""
        if self.kb_writer is None:
            self.kb_writer = KnowledgeBase(self.kb.path)
            self.kb_writer.db.conn.execute(f"PRAGMA busy_timeout={int(KB_WAIT * 1000)}")
        return self.kb_writer

    def close(self) -> None:
        """Close the stores (the Rasa client is closed by whoever opened it)."""
        self.kb_thread.shutdown(wait=False, cancel_futures=True)
        self.kb_save_thread.shutdown(wait=True)
        if self.kb_writer is not None:
            self.kb_writer.close()
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


async def kb_call(source: Any, fn: Callable[..., T], *args: Any, write: bool = False) -> T:
    """``fn(kb, *args)``, a knowledge-base call, on a thread of its own (off the event loop).

    :param source: a handler's context or the application (see :func:`deps`)
    :param write: a save: it runs on the saving connection and is awaited to its end (never abandoned half-way:
        its outcome is what staff read), bounded by SQLite's busy timeout of :data:`KB_WAIT`; a read is
        abandoned after :data:`KB_WAIT` + 1 s
    :raises KnowledgeBusy: locked by another writer
    """
    shared = deps(source)
    loop = asyncio.get_running_loop()
    try:
        if write:
            save = functools.partial(lambda *a: fn(shared.writer(), *a), *args)
            return await asyncio.shield(loop.run_in_executor(shared.kb_save_thread, save))
        read = functools.partial(fn, shared.kb, *args)
        return await asyncio.wait_for(loop.run_in_executor(shared.kb_thread, read), KB_WAIT + 1.0)
    except asyncio.TimeoutError as exc:
        raise KnowledgeBusy("knowledge base busy") from exc
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise KnowledgeBusy(str(exc)) from exc
        raise
