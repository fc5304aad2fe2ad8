"""/phi: the fee walk-through (service → province → how to file), then the fee answer from Rasa.

The state between screens is the conversation's (``user_data``); the buttons carry ``f|…`` data
(:data:`bot.telegram.callbacks.FEE_PREFIX`).
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, ConversationHandler, MessageHandler

from actions.buttons import payload
from bot.messages import TYPED_NAME_CHARS, safe_text
from bot.telegram.callbacks import FEE_PREFIX, pattern
from bot.telegram.context import kb_call
from bot.telegram.relay import relay
from bot.telegram.routing import TYPED_TEXT, strip_mentions
from bot.telegram.send import end_conversation
from bot.telegram.texts import (
    FEE_ASK_CHANNEL,
    FEE_ASK_PROVINCE,
    FEE_ASK_SERVICE,
    FEE_CANCELLED,
    FEE_CHANNELS,
    FEE_CHOSEN,
    FEE_HIGHLIGHT,
    FEE_NATIONWIDE,
    FEE_NO_SERVICE,
    FEE_NO_SERVICES,
    FEE_QUIT_BUTTON,
    FEE_TYPE_PROVINCE,
    FEE_TYPE_PROVINCE_BUTTON,
    FEE_UNKNOWN_PROVINCE,
)
from knowledge.places import resolve
from knowledge.store import KnowledgeBase

CHOOSING_SERVICE, CHOOSING_PROVINCE, TYPING_PROVINCE, CHOOSING_CHANNEL = range(4)
# the provinces offered as buttons (any other can be typed)
FEE_PROVINCES = ["Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Nghệ An", "Lâm Đồng"]


def _fee_services(kb) -> list[dict]:
    return [s for s in kb.entries("service") if kb.fees(s["id"])]


async def _fee_service(context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    return await kb_call(context, KnowledgeBase.get, context.user_data.get("fee_service", ""))


def _channel_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"{FEE_PREFIX}c|{key}")] for key, label in FEE_CHANNELS.items()]
    )


async def fee_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask which service the fee question is about (/phi)."""
    services = await kb_call(context, _fee_services)
    if not services:
        await update.effective_message.reply_text(FEE_NO_SERVICES)
        return ConversationHandler.END
    rows = [[InlineKeyboardButton(s["title"], callback_data=f"{FEE_PREFIX}s|{s['id']}")] for s in services]
    rows.append([InlineKeyboardButton(FEE_QUIT_BUTTON, callback_data=f"{FEE_PREFIX}x")])
    await update.effective_message.reply_text(FEE_ASK_SERVICE, reply_markup=InlineKeyboardMarkup(rows))
    return CHOOSING_SERVICE


async def fee_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the service and ask for the province."""
    query = update.callback_query
    await query.answer()
    context.user_data["fee_service"] = query.data.split("|", 2)[2]
    service = await _fee_service(context)
    if service is None:
        await query.edit_message_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    buttons = [InlineKeyboardButton(p, callback_data=f"{FEE_PREFIX}p|{i}") for i, p in enumerate(FEE_PROVINCES)]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(FEE_NATIONWIDE, callback_data=f"{FEE_PREFIX}p|all"),
            InlineKeyboardButton(FEE_TYPE_PROVINCE_BUTTON, callback_data=f"{FEE_PREFIX}t"),
        ]
    )
    await query.edit_message_text(
        FEE_ASK_PROVINCE.format(service=html.escape(service["title"])),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return CHOOSING_PROVINCE


async def fee_province(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the province picked from the buttons and ask how the user will file."""
    query = update.callback_query
    await query.answer()
    choice = query.data.split("|", 2)[2]
    context.user_data["fee_province"] = None if choice == "all" else FEE_PROVINCES[int(choice)]
    service = await _fee_service(context)
    if service is None:
        await query.edit_message_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    await query.edit_message_text(
        FEE_ASK_CHANNEL.format(
            service=html.escape(service["title"]),
            province=html.escape(context.user_data["fee_province"] or FEE_NATIONWIDE),
        ),
        parse_mode=ParseMode.HTML,
        reply_markup=_channel_markup(),
    )
    return CHOOSING_CHANNEL


async def fee_ask_province(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask the user to type the province."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_text(FEE_TYPE_PROVINCE)
    return TYPING_PROVINCE


async def fee_typed_province(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Recognise a typed province (old or new name) and ask how the user will file."""
    typed = safe_text(strip_mentions(update.effective_message.text, context.bot.username), limit=TYPED_NAME_CHARS)
    place = resolve(typed) if typed else None
    if place is None:
        await update.effective_message.reply_text(FEE_UNKNOWN_PROVINCE)  # never repeat what was typed
        return TYPING_PROVINCE
    context.user_data["fee_province"] = place.old_province or place.province
    service = await _fee_service(context)
    if service is None:
        await update.effective_message.reply_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    await update.effective_message.reply_text(
        FEE_ASK_CHANNEL.format(
            service=html.escape(service["title"]), province=html.escape(context.user_data["fee_province"])
        ),
        parse_mode=ParseMode.HTML,
        reply_markup=_channel_markup(),
    )
    return CHOOSING_CHANNEL


async def fee_channel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Close the walk-through and ask Rasa for the fee of the chosen service and province."""
    query = update.callback_query
    await query.answer()
    channel = query.data.split("|", 2)[2]
    service, province = await _fee_service(context), context.user_data.get("fee_province")
    if service is None:
        await query.edit_message_text(FEE_NO_SERVICE)
        return ConversationHandler.END
    await query.edit_message_text(
        FEE_CHOSEN.format(
            service=html.escape(service["title"]),
            province=html.escape(province or FEE_NATIONWIDE),
            channel=FEE_CHANNELS.get(channel, ""),
            highlight=FEE_HIGHLIGHT.get(channel, ""),
        ),
        parse_mode=ParseMode.HTML,
    )
    entities = {"service": service["id"]}
    if province:
        entities["province"] = province
    await relay(update, context, payload("ask_fee", **entities), kind="button")
    return ConversationHandler.END


async def fee_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Stop the fee walk-through (/huy or the ✖️ button)."""
    return await end_conversation(update, FEE_CANCELLED)


def conversation(build=ConversationHandler) -> ConversationHandler:
    """The /phi conversation handler.

    :param build: how to make the ``ConversationHandler`` (the app passes one that silences a PTB warning)
    """
    cancel = [CommandHandler("huy", fee_cancel), CallbackQueryHandler(fee_cancel, pattern=pattern(FEE_PREFIX, "x$"))]
    return build(
        entry_points=[CommandHandler("phi", fee_start)],
        states={
            CHOOSING_SERVICE: [CallbackQueryHandler(fee_service, pattern=pattern(FEE_PREFIX, r"s\|"))],
            CHOOSING_PROVINCE: [
                CallbackQueryHandler(fee_province, pattern=pattern(FEE_PREFIX, r"p\|")),
                CallbackQueryHandler(fee_ask_province, pattern=pattern(FEE_PREFIX, "t$")),
            ],
            TYPING_PROVINCE: [MessageHandler(TYPED_TEXT, fee_typed_province)],
            CHOOSING_CHANNEL: [CallbackQueryHandler(fee_channel, pattern=pattern(FEE_PREFIX, r"c\|"))],
        },
        fallbacks=cancel,
        allow_reentry=True,
        name="fee",
    )
