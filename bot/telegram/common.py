"""What every Telegram handler shares: texts, bot_data keys, button data, message splitting and the relay
to Rasa (with statistics, 👍/👎 ratings and the retry queue for questions asked while Rasa was down).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import html
import json
import logging
import re
from collections import OrderedDict, deque
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType, InlineKeyboardButtonLimit, MessageLimit, ParseMode
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, ConversationHandler, filters

from bot.privacy import redact
from bot.rasa_client import PAYLOAD_RE, RasaClient, RasaUnavailable, Reply, clean_text

log = logging.getLogger("bot.telegram_app")

RASA_TIMEOUT = 5.0  # seconds; past this the user is told the system is busy
# Show "typing..." only in private chats whose answer takes longer than this (seconds): chat actions pass
# the same rate limiter as answers (groups: 20 a minute), so fast answers and groups do without them.
TYPING_AFTER = 1.0
PAYLOAD_CACHE_SIZE = 5000  # long button payloads remembered for callback queries
MAX_CONCURRENT_UPDATES = 256
RETRY_INTERVAL = 10.0  # seconds between two tries of the questions Rasa could not answer
RETRY_ATTEMPTS = 30  # tries before the bot gives up on a question (about 5 minutes)
# Sending a reply: tries on a network error, a timeout or a 5xx of the Bot API, with a doubling pause between
# them (429 Too Many Requests is retried by the rate limiter, RATE_LIMIT_RETRIES times, after its retry_after).
SEND_ATTEMPTS = 3
SEND_BACKOFF = 0.5  # seconds before the second try
RATE_LIMIT_RETRIES = 3
VN_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")  # Vietnam has no daylight saving time

# bot_data keys
RASA = "rasa"
PAYLOADS = "payloads"
STATS = "stats"
KB = "kb"
ADMINS = "admin_ids"
RETRIES = "retries"
INBOX = "inbox"

# callback_data prefixes (Rasa payloads are "p…" or "k…", see PayloadStore)
RATE_PREFIX = "r|"
FEE_PREFIX = "f|"
GUIDE_PREFIX = "g|"
ADMIN_PREFIX = "a|"

BUSY_TEXT = "Hệ thống đang bận."
QUEUED_TEXT = "Mình đã ghi lại câu hỏi và sẽ tự trả lời ngay khi hệ thống sẵn sàng, bạn không cần gửi lại."
RETRY_INTRO = "Đây là câu trả lời cho câu hỏi bạn gửi lúc {time}:"
RETRY_GAVE_UP = (
    "Xin lỗi, hệ thống vẫn chưa sẵn sàng nên mình chưa trả lời được câu hỏi bạn gửi lúc {time}. "
    "Bạn vui lòng gửi lại sau nhé."
)
ERROR_TEXT = "Xin lỗi, đã có lỗi xảy ra. Bạn vui lòng thử lại sau hoặc gõ /start để bắt đầu lại nhé."
EXPIRED_BUTTON_TEXT = "Nút này đã hết hạn. Bạn vui lòng gõ lại câu hỏi hoặc gõ /start nhé."
CHOOSE_TEXT = "Mời bạn chọn:"
RATED_TEXT = "Cảm ơn bạn đã đánh giá!"


class PayloadStore:
    """Turn Rasa button payloads into Telegram callback_data (at most 64 bytes) and back.

    Payloads that fit are carried in the button itself (they survive restarts); longer ones get a short
    key and are remembered in a bounded LRU map.

    :param maxsize: how many long payloads to remember
    """

    def __init__(self, maxsize: int = PAYLOAD_CACHE_SIZE):
        self.maxsize = maxsize
        self._long: OrderedDict[str, str] = OrderedDict()

    def to_callback_data(self, payload: str) -> str:
        """Return callback_data for ``payload``."""
        inline = "p" + payload
        if len(inline.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
            return inline
        digest = hashlib.blake2b(payload.encode(), digest_size=12).digest()
        key = "k" + base64.urlsafe_b64encode(digest).decode()
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self.maxsize:
            self._long.popitem(last=False)
        return key

    def resolve(self, data: str | None) -> str | None:
        """Return the payload behind ``data``, or None when it is unknown or forgotten."""
        if not data:
            return None
        if data.startswith("p"):
            return data[1:]
        payload = self._long.get(data)
        if payload is not None:
            self._long.move_to_end(data)
        return payload


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process updates of different chats concurrently and those of one chat in arrival order."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES):
        super().__init__(max_concurrent_updates)
        self._chats: dict[int | None, list] = {}  # chat id -> [lock, updates holding or awaiting it]

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        """Run ``coroutine`` once the previous updates of the same chat are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat else None
        entry = self._chats.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                await coroutine
        finally:
            entry[1] -= 1
            if not entry[1]:
                del self._chats[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class _AddressedToBot(filters.MessageFilter):
    """Group messages meant for the bot: replies to its own messages and @mentions of it."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        entities = {**message.parse_entities(), **message.parse_caption_entities()}
        return any(
            (entity.type == MessageEntity.MENTION and text.lower() == f"@{bot.username}".lower())
            or (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id)
            for entity, text in entities.items()
        )


# New messages only (an edited question is not answered twice): every private message, and in groups
# only those addressed to the bot.
ADDRESSED = filters.UpdateType.MESSAGE & (filters.ChatType.PRIVATE | _AddressedToBot())
TYPED_TEXT = ADDRESSED & filters.TEXT & ~filters.COMMAND


def sender_id(update: Update) -> str:
    """Rasa conversation id: the chat for private chats, chat and user for groups."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == ChatType.PRIVATE or user is None:
        return str(chat.id)
    return f"{chat.id}:{user.id}"


def payload(intent: str, **entities: str) -> str:
    """A Rasa payload ``/intent{"entity":"value"}`` (the format the actions use for their buttons)."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


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
    chunks, current, size = [], [], 0
    for char in text:
        width = telegram_length(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    chunks.append("".join(current))
    return chunks


def strip_mentions(text: str, username: str) -> str:
    """``text`` without @mentions of the bot."""
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


def keyboard(buttons: list[tuple[str, str]], payloads: PayloadStore) -> InlineKeyboardMarkup:
    """One button per row for Rasa payloads."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(title, callback_data=payloads.to_callback_data(p))] for title, p in buttons]
    )


SOURCES_PAYLOAD = "/show_sources"


def is_answer(reply: dict) -> bool:
    """True for a reply that answers (no buttons but the one that opens its sources)."""
    return all(b["payload"].startswith(SOURCES_PAYLOAD) for b in reply["buttons"])


def rating_row(message_id: int) -> list[InlineKeyboardButton]:
    """👍/👎 under an answer; ``message_id`` is the question's row in the statistics."""
    return [
        InlineKeyboardButton("👍", callback_data=f"{RATE_PREFIX}{message_id}|1"),
        InlineKeyboardButton("👎", callback_data=f"{RATE_PREFIX}{message_id}|-1"),
    ]


def vn_time(moment: dt.datetime) -> str:
    """``14:05 ngày 3/12/2026`` in Vietnam time."""
    local = moment.astimezone(VN_TIME)
    return f"{local:%H:%M} ngày {local.day}/{local.month}/{local.year}"


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
            log.warning("sendMessage failed (%s: %s); try %d of %d in %.1f s",
                        type(exc).__name__, exc, attempt + 1, SEND_ATTEMPTS, pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


async def send_reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply,
                     rating_for: int | None = None) -> None:
    """Send one Rasa reply as escaped HTML, split to Telegram's size, buttons under the last part.

    :param rating_for: statistics id of the question; adds 👍/👎 under the last part
    """
    chunks = split_text(reply["text"]) or [CHOOSE_TEXT]
    rows = []
    if reply["buttons"]:
        buttons = [(b["title"] or b["payload"], b["payload"]) for b in reply["buttons"]]
        rows = list(keyboard(buttons, context.bot_data[PAYLOADS]).inline_keyboard)
    if rating_for is not None:
        rows.append(rating_row(rating_for))
    markup = InlineKeyboardMarkup(rows) if rows else None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await send_text(
            context.bot, chat_id, html.escape(chunk), parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )


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
    """Questions waiting for Rasa, oldest first (in memory; bounded)."""

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


async def ask_rasa(context: ContextTypes.DEFAULT_TYPE, chat_id: int | None, sender: str, text: str,
                   typing: bool = False) -> list[Reply]:
    """Rasa's replies to ``text``; shows "typing…" when ``typing`` and the answer is slow.

    :raises RasaUnavailable: when Rasa does not answer in time
    """
    rasa: RasaClient = context.bot_data[RASA]
    answer = asyncio.ensure_future(rasa.send(sender, text))
    if typing and chat_id is not None:
        done, _ = await asyncio.wait({answer}, timeout=TYPING_AFTER)
        if not done:
            # Fire and forget: the answer never waits for (or fails with) the typing indicator.
            context.application.create_task(send_typing(context, chat_id))
    return await answer


async def deliver(context: ContextTypes.DEFAULT_TYPE, chat_id: int, sender: str, text: str, kind: str,
                  replies: list[Reply], intro: str | None = None, update_id: int | None = None) -> None:
    """Record the question in the statistics and send Rasa's replies; an answer gets 👍/👎.

    Then the question (``update_id``) is marked answered in the inbox.

    An answer is a last reply whose only button, if any, opens its sources (menus and questions back to
    the user are not rated).
    """
    rasa: RasaClient = context.bot_data[RASA]
    stats = context.bot_data.get(STATS)
    question_id = None
    if stats is not None:
        try:
            intent = await rasa.latest_intent(sender)
            question_id = stats.record_message(chat_id, text, intent, kind)
        except Exception:  # statistics never stop an answer
            log.exception("could not record statistics")
    if intro:
        await send_text(context.bot, chat_id, intro)
    for index, reply in enumerate(replies):
        last = index == len(replies) - 1
        rate = question_id if last and is_answer(reply) else None
        await send_reply(context, chat_id, reply, rating_for=rate)
    mark_answered(context.bot_data, update_id)


def mark_answered(bot_data: dict, update_id: int | None) -> None:
    """Mark ``update_id`` answered in the inbox (if there is one); never fails the caller."""
    inbox = bot_data.get(INBOX)
    if inbox is None or update_id is None:
        return
    try:
        inbox.answered(update_id)
    except Exception:
        log.exception("could not mark update %s answered", update_id)


async def relay(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, kind: str = "text") -> None:
    """Send ``text`` to Rasa as this update's sender and deliver the replies to the chat.

    When Rasa is down or slow the user is told so at once and the question waits in the retry queue. The
    question is written to the inbox first (redacted) and marked answered once its answer is sent; an update
    already in the inbox (delivered again after a crash) is not answered again.
    """
    chat = update.effective_chat
    sender = sender_id(update)
    update_id = update.update_id
    inbox = context.bot_data.get(INBOX)
    if inbox is not None:
        try:
            if not inbox.record(update_id, chat.id, sender, text, kind):
                log.info("update %s was already received: not answered twice", update_id)
                return
        except Exception:  # the inbox never stops an answer
            log.exception("could not record update %s in the inbox", update_id)
    queue: RetryQueue = context.bot_data[RETRIES]
    if not await answer_waiting(context, queue.take(chat.id)):
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


def queue_question(context: ContextTypes.DEFAULT_TYPE, chat_id: int, sender: str, text: str, kind: str,
                   update_id: int | None = None) -> None:
    """Keep a question (redacted) for the retry loop and make sure the loop runs."""
    text = clean_text(text)
    if not PAYLOAD_RE.match(text):
        text, _ = redact(text)
    queue: RetryQueue = context.bot_data[RETRIES]
    queue.add(PendingQuestion(chat_id, sender, text, kind, dt.datetime.now(dt.timezone.utc), update_id=update_id))
    start_retry_loop(context.application)


def start_retry_loop(application: Application) -> None:
    """Make sure the retry loop runs (while questions wait)."""
    queue: RetryQueue = application.bot_data[RETRIES]
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
            context.bot_data[RETRIES].put_back(questions[index:])
            return False
        try:
            await deliver(context, question.chat_id, question.sender, question.text, question.kind, replies,
                          intro=RETRY_INTRO.format(time=vn_time(question.received_at)),
                          update_id=question.update_id)
        except TelegramError as exc:  # e.g. the user blocked the bot meanwhile: nobody left to answer
            log.warning("could not deliver a waiting answer: %s", exc)
            mark_answered(context.bot_data, question.update_id)
    return True


async def retry_loop(application: Application) -> None:
    """Until the queue is empty (or the bot stops): wait, then retry the waiting questions while Rasa is up."""
    context = ContextTypes.DEFAULT_TYPE(application)
    queue: RetryQueue = application.bot_data[RETRIES]
    rasa: RasaClient = application.bot_data[RASA]
    while queue.items:
        waited = 0.0
        while waited < queue.interval:
            if not application.running:
                return
            step = min(0.25, queue.interval - waited)
            await asyncio.sleep(step)
            waited += step
        try:
            if await rasa.healthy():
                await answer_waiting(context, queue.take())
            else:
                for question in queue.items:
                    question.attempts += 1
            for question in [q for q in queue.items if q.attempts >= queue.attempts]:
                queue.items.remove(question)
                mark_answered(application.bot_data, question.update_id)
                await send_text(application.bot, question.chat_id,
                                RETRY_GAVE_UP.format(time=vn_time(question.received_at)))
        except Exception:  # keep the loop alive; the error is logged
            log.exception("retrying waiting questions failed")


def load_unanswered(application: Application) -> int:
    """Put the inbox's unanswered questions of earlier runs in the retry queue; call before updates arrive.

    Returns how many; :func:`recover_unanswered` then answers them once the application runs.
    """
    inbox = application.bot_data.get(INBOX)
    if inbox is None:
        return 0
    try:
        items = inbox.take_unanswered()
    except Exception:
        log.exception("could not read the inbox")
        return 0
    queue: RetryQueue = application.bot_data[RETRIES]
    for item in items:
        queue.add(PendingQuestion(item.chat_id, item.sender, item.text, item.kind, item.received_at,
                                  update_id=item.update_id))
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
    try:
        context = ContextTypes.DEFAULT_TYPE(application)
        await answer_waiting(context, application.bot_data[RETRIES].take())
    except Exception:
        log.exception("answering the questions of the last run failed")
    if application.bot_data[RETRIES].items:
        start_retry_loop(application)


async def end_conversation(update: Update, text: str) -> int:
    """Say ``text`` in place of the pressed screen (or as a reply to a command) and end the conversation."""
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(text)
    else:
        await update.effective_message.reply_text(text)
    return ConversationHandler.END
