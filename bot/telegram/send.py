"""Sending to Telegram: messages split to Telegram's size, retried on a short Bot API failure, replies of
Rasa with their buttons, the "typing…" indicator."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, MessageLimit, ParseMode
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes, ConversationHandler

from bot.rasa_client import Reply
from bot.telegram.callbacks import keyboard, rating_row
from bot.telegram.context import deps
from bot.telegram.texts import CHOOSE_TEXT

log = logging.getLogger("bot.telegram")

# Sending a reply: tries on a network error, a timeout or a 5xx of the Bot API, with a doubling pause between
# them (429 Too Many Requests is retried by the rate limiter, RATE_LIMIT_RETRIES times, after its retry_after).
SEND_ATTEMPTS = 3
SEND_BACKOFF = 0.5  # seconds before the second try
RATE_LIMIT_RETRIES = 3
SOURCES_PAYLOAD = "/show_sources"


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split ``text`` into messages Telegram accepts: on paragraphs, then on lines, then anywhere.

    :param limit: longest message, in UTF-16 code units
    """
    return [chunk for chunk in _split(text.strip(), limit, ("\n\n", "\n")) if chunk.strip()]


def _split(text: str, limit: int, separators: Sequence[str]) -> list[str]:
    if telegram_length(text) <= limit:
        return [text]
    if not separators:
        return _hard_split(text, limit)
    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for part in text.split(separator):
        for piece in _split(part, limit, finer):
            candidate = f"{current}{separator}{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    chunks.append(current)
    return chunks


def _hard_split(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = telegram_length(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    chunks.append("".join(current))
    return chunks


# kinds of reply the answer action reports (``Reply["answer"]``) that answer a question and can be rated
RATED_ANSWERS = frozenset({"service", "fact", "faq", "entry", "reductions", "new_province"})


def is_answer(reply: Reply) -> bool:
    """True for a reply that answers: the action says so, or (older replies) its only button opens its sources."""
    if "answer" in reply:
        return bool(reply.get("answered")) and reply["answer"] in RATED_ANSWERS
    return all(b["payload"].startswith(SOURCES_PAYLOAD) for b in reply["buttons"])


async def send_typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Show "typing…"; a Bot API server without sendChatAction (the emulator) only gets a log line."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("sendChatAction failed: %s", exc)


async def send_text(bot, chat_id: int, text: str, **kwargs) -> Message:
    """``bot.send_message`` that survives a short Bot API failure: network errors, timeouts and 5xx answers
    (all :class:`telegram.error.NetworkError`) are tried again, :data:`SEND_ATTEMPTS` times in all.

    :raises TelegramError: when every try failed, or at once for errors a retry cannot fix (400, 403…)
    """
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await bot.send_message(chat_id, text, **kwargs)
        except NetworkError as exc:
            if attempt == SEND_ATTEMPTS:
                log.error("sendMessage failed %d times, giving up: %s", attempt, exc)
                raise
            pause = SEND_BACKOFF * 2 ** (attempt - 1)
            log.warning(
                "sendMessage failed (%s: %s); try %d of %d in %.1f s",
                type(exc).__name__,
                exc,
                attempt + 1,
                SEND_ATTEMPTS,
                pause,
            )
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


async def send_reply(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, rating_for: int | None = None
) -> None:
    """Send one Rasa reply as escaped HTML, split to Telegram's size, buttons under the last part.

    :param rating_for: statistics id of the question; adds 👍/👎 under the last part
    """
    chunks = split_text(reply["text"]) or [CHOOSE_TEXT]
    rows = []
    if reply["buttons"]:
        buttons = [(b["title"] or b["payload"], b["payload"]) for b in reply["buttons"]]
        rows = list(keyboard(buttons, deps(context).payloads).inline_keyboard)
    if rating_for is not None:
        rows.append(tuple(rating_row(rating_for)))
    markup = InlineKeyboardMarkup(rows) if rows else None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await send_text(
            context.bot, chat_id, html.escape(chunk), parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )


async def end_conversation(update: Update, text: str) -> int:
    """Say ``text`` in place of the pressed screen (or as a reply to a command) and end the conversation."""
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(text)
    else:
        await update.effective_message.reply_text(text)
    return ConversationHandler.END
