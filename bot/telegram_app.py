"""Telegram front end: relay chats between Telegram users and Rasa (python-telegram-bot 22, polling)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Sequence

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, InlineKeyboardButtonLimit, MessageLimit, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.rasa_client import MAX_CHARS, RasaClient, RasaUnavailable, Reply

log = logging.getLogger(__name__)

RASA_TIMEOUT = 5.0  # seconds; past this the user is told the system is busy
# Show "typing..." only in private chats whose answer takes longer than this (seconds): chat actions pass
# the same rate limiter as answers (groups: 20 a minute), so fast answers and groups do without them.
TYPING_AFTER = 1.0
PAYLOAD_CACHE_SIZE = 5000  # long button payloads remembered for callback queries
MAX_CONCURRENT_UPDATES = 256

RASA = "rasa"
PAYLOADS = "payloads"

TOPICS = [
    ("VNeID", "vneid"),
    ("Căn cước", "can_cuoc"),
    ("Cư trú", "cu_tru"),
    ("Lệ phí & giảm phí", "phi"),
    ("Thủ tục thiết yếu", "thiet_yeu"),
    ("Cảnh báo lừa đảo", "lua_dao"),
    ("Liên hệ", "lien_he"),
]
CONTACT_PAYLOAD = "/contact_hotline"

GREETING = (
    "Xin chào <b>{name}</b>! Mình là trợ lý Dịch vụ công, giúp bạn tìm hiểu các thủ tục "
    "hành chính trực tuyến.\n\n"
    "Bạn chọn một chủ đề bên dưới hoặc gõ câu hỏi của mình nhé."
)
HELP_TEXT = (
    "<b>Mình có thể giúp bạn:</b>\n"
    "• Kích hoạt và sử dụng tài khoản định danh điện tử VNeID\n"
    "• Làm, cấp đổi thẻ căn cước\n"
    "• Đăng ký thường trú, tạm trú\n"
    "• Lệ phí và mức giảm phí khi nộp hồ sơ trực tuyến\n"
    "• Các thủ tục thiết yếu trên Cổng Dịch vụ công\n"
    "• Nhận biết chiêu lừa đảo mạo danh cơ quan nhà nước\n\n"
    "<b>Cách hỏi:</b> gõ câu hỏi bằng tiếng Việt (có dấu càng tốt), mỗi tin một câu, ví dụ "
    "«Lệ phí đăng ký thường trú là bao nhiêu?»\n"
    "Trong nhóm, bạn nhắc @{username} hoặc trả lời tin nhắn của mình.\n\n"
    "<b>Lệnh:</b> /start chọn chủ đề · /lienhe số điện thoại hỗ trợ · /help hướng dẫn này\n\n"
    "Thông tin chỉ để tham khảo. Đừng gửi số điện thoại, số căn cước hay mã OTP vào cuộc trò chuyện."
)
BUSY_TEXT = "Hệ thống đang bận, bạn vui lòng thử lại sau ít phút nhé."
ERROR_TEXT = "Xin lỗi, đã có lỗi xảy ra. Bạn vui lòng thử lại sau hoặc gõ /start để bắt đầu lại nhé."
TEXT_ONLY = "Xin lỗi, mình chỉ đọc được tin nhắn dạng chữ. Bạn vui lòng gõ câu hỏi nhé."
CONTACT_WARNING = (
    "Vì an toàn của bạn, xin đừng chia sẻ số điện thoại, số căn cước/định danh cá nhân hay mã OTP "
    "trong cuộc trò chuyện. Mình không cần những thông tin này để trả lời và sẽ không lưu lại."
)
LONG_INPUT_TEXT = (
    "Tin nhắn khá dài nên mình chỉ đọc phần đầu. Bạn hỏi ngắn gọn từng câu để mình trả lời chính xác hơn nhé."
)
EXPIRED_BUTTON_TEXT = "Nút này đã hết hạn. Bạn vui lòng gõ lại câu hỏi hoặc gõ /start nhé."
UNKNOWN_COMMAND_TEXT = "Mình chưa biết lệnh này. Gõ /help để xem hướng dẫn nhé."
CHOOSE_TEXT = "Mời bạn chọn:"
COMMANDS = [
    BotCommand("start", "Chọn chủ đề"),
    BotCommand("help", "Hướng dẫn sử dụng"),
    BotCommand("lienhe", "Số điện thoại hỗ trợ"),
]


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
NON_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
)


def sender_id(update: Update) -> str:
    """Rasa conversation id: the chat for private chats, chat and user for groups."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == ChatType.PRIVATE or user is None:
        return str(chat.id)
    return f"{chat.id}:{user.id}"


def topic_payload(topic: str) -> str:
    """Rasa payload that opens ``topic`` (one of the keys in :data:`TOPICS`)."""
    return "/choose_topic" + json.dumps({"topic": topic}, separators=(",", ":"))


def _telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split ``text`` into messages Telegram accepts: on paragraphs, then on lines, then anywhere.

    :param limit: longest message, in UTF-16 code units
    """
    return [chunk for chunk in _split(text.strip(), limit, ("\n\n", "\n")) if chunk.strip()]


def _split(text: str, limit: int, separators: Sequence[str]) -> list[str]:
    if _telegram_length(text) <= limit:
        return [text]
    if not separators:
        return _hard_split(text, limit)
    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for part in text.split(separator):
        for piece in _split(part, limit, finer):
            candidate = f"{current}{separator}{piece}" if current else piece
            if _telegram_length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    chunks.append(current)
    return chunks


def _hard_split(text: str, limit: int) -> list[str]:
    chunks, current, size = [], [], 0
    for char in text:
        width = _telegram_length(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    chunks.append("".join(current))
    return chunks


def _strip_mentions(text: str, username: str) -> str:
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


def _keyboard(buttons: list[tuple[str, str]], payloads: PayloadStore) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(title, callback_data=payloads.to_callback_data(payload))] for title, payload in buttons]
    )


async def _send_typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:  # e.g. a Bot API server without sendChatAction
        log.debug("sendChatAction failed: %s", exc)


async def send_reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply) -> None:
    """Send one Rasa reply as escaped HTML, split to Telegram's size, buttons under the last part."""
    chunks = split_text(reply["text"]) or [CHOOSE_TEXT]
    markup = None
    if reply["buttons"]:
        buttons = [(b["title"] or b["payload"], b["payload"]) for b in reply["buttons"]]
        markup = _keyboard(buttons, context.bot_data[PAYLOADS])
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await context.bot.send_message(
            chat_id, html.escape(chunk), parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )


async def relay(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Send ``text`` to Rasa as this update's sender and deliver the replies to the chat."""
    chat = update.effective_chat
    rasa: RasaClient = context.bot_data[RASA]
    answer = asyncio.ensure_future(rasa.send(sender_id(update), text))
    if chat.type == ChatType.PRIVATE:
        done, _ = await asyncio.wait({answer}, timeout=TYPING_AFTER)
        if not done:
            # Fire and forget: the answer never waits for (or fails with) the typing indicator.
            context.application.create_task(_send_typing(context, chat.id))
    try:
        replies = await answer
    except RasaUnavailable as exc:
        log.warning("Rasa unavailable: %s", exc)
        await context.bot.send_message(chat.id, BUSY_TEXT)
        return
    for reply in replies:
        await send_reply(context, chat.id, reply)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and offer the topics as buttons."""
    name = update.effective_user.first_name if update.effective_user else "bạn"
    await update.effective_message.reply_text(
        GREETING.format(name=html.escape(name)),
        parse_mode=ParseMode.HTML,
        reply_markup=_keyboard([(title, topic_payload(key)) for title, key in TOPICS], context.bot_data[PAYLOADS]),
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what the bot can do and how to ask."""
    await update.effective_message.reply_text(
        HELP_TEXT.format(username=html.escape(context.bot.username)), parse_mode=ParseMode.HTML
    )


async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask Rasa for the support hotlines (/lienhe)."""
    await relay(update, context, CONTACT_PAYLOAD)


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell an admin whether Rasa answers."""
    healthy = await context.bot_data[RASA].healthy()
    await update.effective_message.reply_text("Rasa: đang hoạt động." if healthy else "Rasa: không phản hồi.")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help when a private chat sends a command the bot does not know."""
    await update.effective_message.reply_text(UNKNOWN_COMMAND_TEXT)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Relay a text message to Rasa and send back its replies."""
    text = _strip_mentions(update.effective_message.text, context.bot.username)
    if not text:
        await start(update, context)
        return
    if len(text) > MAX_CHARS:  # RasaClient reads only the start
        await update.effective_message.reply_text(LONG_INPUT_TEXT)
    await relay(update, context, text)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline button press by sending its payload to Rasa."""
    query = update.callback_query
    await query.answer()
    if update.effective_chat is None:  # a button under an inline-mode message: no chat to answer in
        return
    payload = context.bot_data[PAYLOADS].resolve(query.data)
    if payload is None:
        await context.bot.send_message(update.effective_chat.id, EXPIRED_BUTTON_TEXT)
        return
    await relay(update, context, payload)


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the user the bot only reads text messages."""
    await update.effective_message.reply_text(TEXT_ONLY)


async def shared_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Warn against sharing personal numbers; the contact is neither echoed, logged nor sent to Rasa."""
    await update.effective_message.reply_text(CONTACT_WARNING)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user something went wrong."""
    log.error("Exception while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await context.bot.send_message(update.effective_chat.id, ERROR_TEXT)
        except TelegramError as exc:
            log.warning("Could not tell the user about the error: %s", exc)


async def _post_init(application: Application) -> None:
    """Publish the command menu; Bot API servers without setMyCommands (the emulator) are fine."""
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        log.debug("setMyCommands failed: %s", exc)


def _file_url(base_url: str) -> str:
    """File URL beside a Bot API base URL: ``http://host/bot`` -> ``http://host/file/bot``."""
    root, _, last = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


def build_application(
    token: str, rasa: RasaClient, base_url: str | None = None, admin_ids: set[int] = frozenset()
) -> Application:
    """Build the Telegram application that relays messages to ``rasa``.

    :param base_url: Bot API URL before the token (e.g. ``http://127.0.0.1:9000/bot``); Telegram's by default
    :param admin_ids: Telegram user ids allowed to use /status
    """
    builder = (
        Application.builder()
        .token(token)
        .rate_limiter(AIORateLimiter())
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
    )
    if base_url:
        builder = builder.base_url(base_url).base_file_url(_file_url(base_url))
    application = builder.build()
    application.bot_data[RASA] = rasa
    application.bot_data[PAYLOADS] = PayloadStore()

    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("lienhe", contact))
    if admin_ids:
        application.add_handler(CommandHandler("status", status, filters.User(user_id=admin_ids)))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.COMMAND, unknown_command)
    )
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(ADDRESSED & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(MessageHandler(ADDRESSED & filters.CONTACT, shared_contact))
    application.add_handler(MessageHandler(ADDRESSED & NON_TEXT, non_text))
    application.add_error_handler(error_handler)
    return application


def run_polling(token: str, rasa_url: str, base_url: str | None = None) -> None:
    """Relay Telegram chats to the Rasa server at ``rasa_url`` until stopped (Ctrl-C or SIGTERM).

    :param base_url: Bot API URL before the token, for a local Bot API server or the test emulator
    """
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rasa = RasaClient(rasa_url, timeout=RASA_TIMEOUT)
    application = build_application(token, rasa, base_url=base_url)

    async def close_rasa(_: Application) -> None:
        await rasa.close()

    application.post_shutdown = close_rasa
    application.run_polling(allowed_updates=Update.ALL_TYPES)
