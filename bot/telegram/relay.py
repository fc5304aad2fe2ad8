"""The relay to Rasa: a question goes to Rasa and its replies back to the chat, with statistics and 👍/👎;
while Rasa is down or slow the user is told so at once and the question waits in the retry queue; the
durable inbox lets a restarted bot answer what a killed one left unanswered (crash recovery).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.messages import safe_text
from bot.rasa_client import RasaUnavailable, Reply
from bot.telegram.context import PendingQuestion, deps
from bot.telegram.routing import sender_id
from bot.telegram.send import is_answer, send_reply, send_text, send_typing
from bot.telegram.texts import BUSY_TEXT, QUEUED_TEXT, RETRY_GAVE_UP, RETRY_INTRO
from knowledge.clock import vn_time

log = logging.getLogger("bot.telegram")

RASA_TIMEOUT = 5.0  # seconds; past this the user is told the system is busy
# Show "typing..." only in private chats whose answer takes longer than this (seconds): chat actions pass
# the same rate limiter as answers (groups: 20 a minute), so fast answers and groups do without them.
TYPING_AFTER = 1.0


async def ask_rasa(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int | None, sender: str, text: str, typing: bool = False
) -> list[Reply]:
    """Rasa's replies to ``text`` (already redacted, see :func:`relay`); shows "typing…" when ``typing`` and the
    answer is slow.

    :raises RasaUnavailable: when Rasa does not answer in time
    """
    answer = asyncio.ensure_future(deps(context).rasa.send(sender, text, redacted=True))
    if typing and chat_id is not None:
        done, _ = await asyncio.wait({answer}, timeout=TYPING_AFTER)
        if not done:
            # Fire and forget: the answer never waits for (or fails with) the typing indicator.
            context.application.create_task(send_typing(context, chat_id))
    return await answer


async def deliver(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    sender: str,
    text: str,
    kind: str,
    replies: list[Reply],
    intro: str | None = None,
    update_id: int | None = None,
) -> None:
    """Record the question in the statistics and send Rasa's replies; an answer gets 👍/👎.

    Then the question (``update_id``) is marked answered in the inbox.

    An answer is a last reply whose only button, if any, opens its sources (menus and questions back to
    the user are not rated).
    """
    shared = deps(context)
    question_id = None
    if shared.stats is not None:
        try:
            # the answer action reports the intent with its answer: no second call to Rasa
            intent = replies[0].get("intent") if replies else None
            question_id = shared.stats.record_message(chat_id, text, intent, kind, redacted=True)
        except Exception:  # statistics never stop an answer
            log.exception("could not record statistics")
    if intro:
        await send_text(context.bot, chat_id, intro)
    for index, reply in enumerate(replies):
        last = index == len(replies) - 1
        rate = question_id if last and is_answer(reply) else None
        await send_reply(context, chat_id, reply, rating_for=rate)
    mark_answered(context, update_id)


def mark_answered(source, update_id: int | None) -> None:
    """Mark ``update_id`` answered in the inbox (if there is one); never fails the caller.

    :param source: a handler's context or the application
    """
    inbox = deps(source).inbox
    if inbox is None or update_id is None:
        return
    try:
        inbox.answered(update_id)
    except Exception:
        log.exception("could not mark update %s answered", update_id)


async def relay(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, kind: str = "text", is_redacted: bool = False
) -> None:
    """Send ``text`` to Rasa as this update's sender and deliver the replies to the chat.

    ``text`` is cleaned and redacted once, here (or already, ``is_redacted``, by
    :func:`bot.messages.redacted` with this update's sender): the inbox, the Rasa client, the retry queue and
    the statistics all take that one redacted text.

    When Rasa is down or slow the user is told so at once and the question waits in the retry queue. The
    question is written to the inbox first (redacted) and marked answered once its answer is sent; an update
    already in the inbox (delivered again after a crash) is not answered again.
    """
    chat = update.effective_chat
    sender = sender_id(update)
    update_id = update.update_id
    shared = deps(context)
    if not is_redacted:
        text = safe_text(text, button=kind == "button", sender=sender)
    if shared.inbox is not None:
        try:
            if not shared.inbox.record(update_id, chat.id, sender, text, kind, redacted=True):
                log.info("update %s was already received: not answered twice", update_id)
                return
        except Exception:  # the inbox never stops an answer
            log.exception("could not record update %s in the inbox", update_id)
    if not await answer_waiting(context, shared.retries.take(chat.id)):
        queue_question(context, chat.id, sender, text, kind, update_id)
        await send_text(context.bot, chat.id, f"{BUSY_TEXT} {QUEUED_TEXT}")
        return
    try:
        replies = await ask_rasa(context, chat.id, sender, text, typing=chat.type == ChatType.PRIVATE)
    except RasaUnavailable as exc:
        log.warning("Rasa unavailable: %s", exc)
        queue_question(context, chat.id, sender, text, kind, update_id)
        await send_text(context.bot, chat.id, f"{BUSY_TEXT} {QUEUED_TEXT}")
        return
    await deliver(context, chat.id, sender, text, kind, replies, update_id=update_id)


def queue_question(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, sender: str, text: str, kind: str, update_id: int | None = None
) -> None:
    """Keep a question (``text`` already redacted, see :func:`relay`) for the retry loop and make sure it runs."""
    question = PendingQuestion(
        chat_id,
        sender,
        text,
        kind,
        dt.datetime.now(dt.timezone.utc),
        update_id=update_id,
    )
    deps(context).retries.add(question)
    start_retry_loop(context.application)


def start_retry_loop(application: Application) -> None:
    """Make sure the retry loop runs (while questions wait)."""
    queue = deps(application).retries
    if queue.task is None or queue.task.done():
        queue.task = application.create_task(retry_loop(application))


async def answer_waiting(context: ContextTypes.DEFAULT_TYPE, questions: list[PendingQuestion]) -> bool:
    """Answer questions from the retry queue, oldest first; False (and they go back) when Rasa is still down.

    Each question is removed from the queue before it is answered, so it is answered once.
    """
    for index, question in enumerate(questions):
        try:
            replies = await ask_rasa(context, None, question.sender, question.text)
        except RasaUnavailable:
            question.attempts += 1
            deps(context).retries.put_back(questions[index:])
            return False
        try:
            await deliver(
                context,
                question.chat_id,
                question.sender,
                question.text,
                question.kind,
                replies,
                intro=RETRY_INTRO.format(time=vn_time(question.received_at)),
                update_id=question.update_id,
            )
        except TelegramError as exc:  # e.g. the user blocked the bot meanwhile: nobody left to answer
            log.warning("could not deliver a waiting answer: %s", exc)
            mark_answered(context, question.update_id)
    return True


async def retry_loop(application: Application) -> None:
    """Until the queue is empty (or the bot stops): wait, then retry the waiting questions while Rasa is up."""
    context = ContextTypes.DEFAULT_TYPE(application)
    shared = deps(application)
    queue = shared.retries
    while queue.items:
        waited = 0.0
        while waited < queue.interval:
            if not application.running:
                return
            step = min(0.25, queue.interval - waited)
            await asyncio.sleep(step)
            waited += step
        try:
            if await shared.rasa.healthy():
                await answer_waiting(context, queue.take())
            else:
                for question in queue.items:
                    question.attempts += 1
            for question in [q for q in queue.items if q.attempts >= queue.attempts]:
                queue.items.remove(question)
                mark_answered(application, question.update_id)
                await send_text(
                    application.bot, question.chat_id, RETRY_GAVE_UP.format(time=vn_time(question.received_at))
                )
        except Exception:  # keep the loop alive; the error is logged
            log.exception("retrying waiting questions failed")


def load_unanswered(application: Application) -> int:
    """Put the inbox's unanswered questions of earlier runs in the retry queue; call before updates arrive.

    Returns how many; :func:`recover_unanswered` then answers them once the application runs.
    """
    shared = deps(application)
    if shared.inbox is None:
        return 0
    try:
        items = shared.inbox.take_unanswered()
    except Exception:
        log.exception("could not read the inbox")
        return 0
    for item in items:
        shared.retries.add(
            PendingQuestion(item.chat_id, item.sender, item.text, item.kind, item.received_at, update_id=item.update_id)
        )
    if items:
        log.info("%d question(s) left unanswered by the last run will be answered now", len(items))
    return len(items)


async def recover_unanswered(application: Application, wait: float = 30.0) -> None:
    """Once the application runs, answer the questions :func:`load_unanswered` queued (retry loop if Rasa is down)."""
    waited = 0.0
    while not application.running:
        if waited >= wait:
            return
        await asyncio.sleep(0.05)
        waited += 0.05
    queue = deps(application).retries
    try:
        context = ContextTypes.DEFAULT_TYPE(application)
        await answer_waiting(context, queue.take())
    except Exception:
        log.exception("answering the questions of the last run failed")
    if queue.items:
        start_retry_loop(application)
