"""Handlers for citizens: the topic menu, help, contacts, questions relayed to Rasa, buttons, ratings,
non-text messages, and the /phi fee walk-through (service → province → how to file).
"""

from __future__ import annotations

import html
import logging

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes, ConversationHandler

from bot.privacy import mostly_personal_data, redact
from bot.rasa_client import MAX_CHARS, clean_text
from bot.telegram.common import (
    EXPIRED_BUTTON_TEXT,
    FEE_PREFIX,
    KB,
    PAYLOADS,
    RATE_PREFIX,
    RATED_TEXT,
    STATS,
    end_conversation,
    keyboard,
    payload,
    relay,
    strip_mentions,
)
from knowledge.places import resolve

log = logging.getLogger("bot.telegram_app")

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
COMMANDS = [
    BotCommand("start", "Chọn chủ đề"),
    BotCommand("phi", "Tra lệ phí một thủ tục"),
    BotCommand("huongdan", "Hướng dẫn từng bước (cho tình nguyện viên)"),
    BotCommand("checklist", "Danh sách giấy tờ cần chuẩn bị"),
    BotCommand("lienhe", "Số điện thoại hỗ trợ"),
    BotCommand("help", "Hướng dẫn sử dụng"),
]

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
    "<b>Lệnh:</b> /start chọn chủ đề · /phi tra lệ phí · /lienhe số điện thoại hỗ trợ · /help hướng dẫn này\n"
    "<b>Tình nguyện viên:</b> /huongdan đi từng bước một thủ tục · /checklist &lt;thủ tục&gt; danh sách "
    "giấy tờ để in\n\n"
    "Thông tin chỉ để tham khảo. Đừng gửi số điện thoại, số căn cước hay mã OTP vào cuộc trò chuyện."
)
TEXT_ONLY = (
    "Xin lỗi, mình chỉ đọc được tin nhắn dạng chữ (không đọc được ảnh, nhãn dán, tin nhắn thoại, tệp hay "
    "vị trí). Bạn vui lòng gõ câu hỏi nhé."
)
CONTACT_WARNING = (
    "Vì an toàn của bạn, xin đừng chia sẻ số điện thoại, số căn cước/định danh cá nhân hay mã OTP "
    "trong cuộc trò chuyện. Mình không cần những thông tin này để trả lời và sẽ không lưu lại."
)
PRIVACY_NOTE = (
    "⚠️ Tin nhắn của bạn có số căn cước, số điện thoại hoặc mã bảo mật. Mình đã bỏ qua phần đó và không lưu lại; "
    "lần sau bạn đừng gửi những thông tin này nhé."
)
LONG_INPUT_TEXT = (
    "Tin nhắn khá dài nên mình chỉ đọc phần đầu. Bạn hỏi ngắn gọn từng câu để mình trả lời chính xác hơn nhé."
)
UNKNOWN_COMMAND_TEXT = "Mình chưa biết lệnh này. Gõ /help để xem hướng dẫn nhé."

# /phi conversation
CHOOSING_SERVICE, CHOOSING_PROVINCE, TYPING_PROVINCE, CHOOSING_CHANNEL = range(4)
FEE_PROVINCES = ["Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Nghệ An", "Lâm Đồng"]
NATIONWIDE = "Toàn quốc"
FEE_CHANNELS = {"o": "💻 Nộp trực tuyến", "t": "🏢 Nộp trực tiếp", "b": "⚖️ So sánh cả hai"}
FEE_ASK_SERVICE = "Bạn muốn tra lệ phí thủ tục nào?"
FEE_ASK_PROVINCE = "Lệ phí <b>{service}</b>: bạn nộp hồ sơ ở tỉnh/thành nào?"
FEE_TYPE_PROVINCE = "Bạn gõ tên tỉnh/thành (tên cũ trước sáp nhập hay tên mới đều được), ví dụ «Nghệ An»."
FEE_UNKNOWN_PROVINCE = "Mình chưa nhận ra tỉnh/thành «{given}». Bạn gõ lại giúp mình, hoặc gõ /huy để dừng."
FEE_ASK_CHANNEL = "Lệ phí <b>{service}</b> ở <b>{province}</b>: bạn định nộp hồ sơ thế nào?"
FEE_CHOSEN = (
    "Lệ phí <b>{service}</b> · {province} · {channel}\n"
    "Câu trả lời dưới đây có cả mức nộp trực tuyến và nộp trực tiếp{highlight}."
)
FEE_CANCELLED = "Đã dừng tra lệ phí. Gõ /phi để bắt đầu lại."
FEE_NO_SERVICE = "Thủ tục này không còn trong cơ sở tri thức. Gõ /phi để chọn lại."
FEE_NO_SERVICES = "Hiện chưa có thủ tục nào có lệ phí trong cơ sở tri thức."


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and offer the topics as buttons."""
    name = update.effective_user.first_name if update.effective_user else "bạn"
    topic_buttons = [(title, payload("choose_topic", topic=key)) for title, key in TOPICS]
    await update.effective_message.reply_text(
        GREETING.format(name=html.escape(name)),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(topic_buttons, context.bot_data[PAYLOADS]),
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what the bot can do and how to ask."""
    await update.effective_message.reply_text(
        HELP_TEXT.format(username=html.escape(context.bot.username)), parse_mode=ParseMode.HTML
    )


async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask Rasa for the support hotlines and official portals (/lienhe)."""
    await relay(update, context, CONTACT_PAYLOAD, kind="button")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help when a private chat sends a command the bot does not know."""
    await update.effective_message.reply_text(UNKNOWN_COMMAND_TEXT)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Relay a text message to Rasa and send back its replies (warning first about personal data)."""
    text = strip_mentions(update.effective_message.text, context.bot.username)
    if not text:
        await start(update, context)
        return
    redacted, found = redact(clean_text(text)[:MAX_CHARS])
    if found and not mostly_personal_data(redacted):  # Rasa itself warns when little else is left
        await update.effective_message.reply_text(PRIVACY_NOTE)
    if len(text) > MAX_CHARS:  # RasaClient reads only the start
        await update.effective_message.reply_text(LONG_INPUT_TEXT)
    await relay(update, context, text)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline button press by sending its payload to Rasa."""
    query = update.callback_query
    await query.answer()
    if update.effective_chat is None:  # a button under an inline-mode message: no chat to answer in
        return
    button_payload = context.bot_data[PAYLOADS].resolve(query.data)
    if button_payload is None:
        await context.bot.send_message(update.effective_chat.id, EXPIRED_BUTTON_TEXT)
        return
    await relay(update, context, button_payload, kind="button")


async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store a 👍/👎 rating of an answer and take the rating buttons away."""
    query = update.callback_query
    await query.answer(RATED_TEXT)
    _, question_id, value = query.data.split("|")
    stats = context.bot_data.get(STATS)
    if stats is not None:
        stats.record_rating(int(question_id), int(value))
    keep = [row for row in (query.message.reply_markup.inline_keyboard if query.message and
                            query.message.reply_markup else ()) if not row[0].callback_data.startswith(RATE_PREFIX)]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(keep) if keep else None)
    except TelegramError as exc:  # the message is too old to edit, or already edited: the rating counts
        log.debug("could not remove the rating buttons: %s", exc)


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button whose conversation is over (e.g. an old /phi screen)."""
    query = update.callback_query
    await query.answer()
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, EXPIRED_BUTTON_TEXT)


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the user what the bot can read."""
    await update.effective_message.reply_text(TEXT_ONLY)


async def shared_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Warn against sharing personal numbers; the contact is neither echoed, logged nor sent to Rasa."""
    await update.effective_message.reply_text(CONTACT_WARNING)


# ---- /phi ------------------------------------------------------------------------------------------------
def _fee_services(kb) -> list[dict]:
    return [s for s in kb.entries("service") if kb.fees(s["id"])]


def _fee_service(context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    return context.bot_data[KB].get(context.user_data.get("fee_service", ""))


def _channel_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"{FEE_PREFIX}c|{key}")] for key, label in FEE_CHANNELS.items()]
    )


async def fee_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask which service the fee question is about (/phi)."""
    services = _fee_services(context.bot_data[KB])
    if not services:
        await update.effective_message.reply_text(FEE_NO_SERVICES)
        return ConversationHandler.END
    rows = [[InlineKeyboardButton(s["title"], callback_data=f"{FEE_PREFIX}s|{s['id']}")] for s in services]
    rows.append([InlineKeyboardButton("✖️ Thôi", callback_data=f"{FEE_PREFIX}x")])
    await update.effective_message.reply_text(FEE_ASK_SERVICE, reply_markup=InlineKeyboardMarkup(rows))
    return CHOOSING_SERVICE


async def fee_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the service and ask for the province."""
    query = update.callback_query
    await query.answer()
    context.user_data["fee_service"] = query.data.split("|", 2)[2]
    service = _fee_service(context)
    if service is None:
        await query.edit_message_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    buttons = [InlineKeyboardButton(p, callback_data=f"{FEE_PREFIX}p|{i}") for i, p in enumerate(FEE_PROVINCES)]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(NATIONWIDE, callback_data=f"{FEE_PREFIX}p|all"),
                 InlineKeyboardButton("✍️ Gõ tên tỉnh", callback_data=f"{FEE_PREFIX}t")])
    await query.edit_message_text(FEE_ASK_PROVINCE.format(service=html.escape(service["title"])),
                                  parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup(rows))
    return CHOOSING_PROVINCE


async def fee_province(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the province picked from the buttons and ask how the user will file."""
    query = update.callback_query
    await query.answer()
    choice = query.data.split("|", 2)[2]
    context.user_data["fee_province"] = None if choice == "all" else FEE_PROVINCES[int(choice)]
    service = _fee_service(context)
    if service is None:
        await query.edit_message_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    await query.edit_message_text(
        FEE_ASK_CHANNEL.format(service=html.escape(service["title"]),
                               province=html.escape(context.user_data["fee_province"] or NATIONWIDE)),
        parse_mode=ParseMode.HTML, reply_markup=_channel_markup())
    return CHOOSING_CHANNEL


async def fee_ask_province(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask the user to type the province."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_text(FEE_TYPE_PROVINCE)
    return TYPING_PROVINCE


async def fee_typed_province(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Recognise a typed province (old or new name) and ask how the user will file."""
    typed, _ = redact(clean_text(strip_mentions(update.effective_message.text, context.bot.username))[:100])
    place = resolve(typed) if typed else None
    if place is None:
        await update.effective_message.reply_text(FEE_UNKNOWN_PROVINCE.format(given=typed[:60]))
        return TYPING_PROVINCE
    context.user_data["fee_province"] = place.old_province or place.province
    service = _fee_service(context)
    if service is None:
        await update.effective_message.reply_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    await update.effective_message.reply_text(
        FEE_ASK_CHANNEL.format(service=html.escape(service["title"]),
                               province=html.escape(context.user_data["fee_province"])),
        parse_mode=ParseMode.HTML, reply_markup=_channel_markup())
    return CHOOSING_CHANNEL


async def fee_channel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Close the walk-through and ask Rasa for the fee of the chosen service and province."""
    query = update.callback_query
    await query.answer()
    channel = query.data.split("|", 2)[2]
    service, province = _fee_service(context), context.user_data.get("fee_province")
    if service is None:
        await query.edit_message_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    highlight = {"o": " — mức của bạn là dòng «Nộp trực tuyến»",
                 "t": " — mức của bạn là dòng «Nộp trực tiếp»"}.get(channel, "")
    await query.edit_message_text(
        FEE_CHOSEN.format(service=html.escape(service["title"]), province=html.escape(province or NATIONWIDE),
                          channel=FEE_CHANNELS.get(channel, ""), highlight=highlight),
        parse_mode=ParseMode.HTML)
    entities = {"service": service["id"]}
    if province:
        entities["province"] = province
    await relay(update, context, payload("ask_fee", **entities), kind="button")
    return ConversationHandler.END


async def fee_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Stop the fee walk-through (/huy or the ✖️ button)."""
    return await end_conversation(update, FEE_CANCELLED)
