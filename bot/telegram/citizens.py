"""Handlers for citizens: the topic menu, help, contacts, questions relayed to Rasa, buttons, ratings and
non-text messages (the /phi walk-through is :mod:`bot.telegram.fee_walk`)."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from actions.buttons import topic_buttons as answer_topic_buttons
from bot.messages import is_long, redacted
from bot.privacy import mostly_personal_data
from bot.telegram.callbacks import is_rating, keyboard, read_rating
from bot.telegram.context import deps
from bot.telegram.relay import relay
from bot.telegram.routing import sender_id, strip_mentions
from bot.telegram.texts import (
    CONTACT_WARNING,
    EXPIRED_BUTTON_TEXT,
    GREETING,
    HELP_TEXT,
    LONG_INPUT_TEXT,
    PRIVACY_NOTE,
    RATED_TEXT,
    TEXT_ONLY,
    UNKNOWN_COMMAND_TEXT,
)

log = logging.getLogger("bot.telegram")

CONTACT_PAYLOAD = "/contact_hotline"


def topic_buttons() -> list[tuple[str, str]]:
    """The topic menu as (title, payload) buttons: the same buttons as the chat's greeting."""
    return [(b["title"], b["payload"]) for b in answer_topic_buttons()]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and offer the topics as buttons."""
    name = update.effective_user.first_name if update.effective_user else "bạn"
    await update.effective_message.reply_text(
        GREETING.format(name=html.escape(name)),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(topic_buttons(), deps(context).payloads),
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
    # cleaned and redacted once here, for the warning and for everything downstream (inbox, Rasa, statistics)
    clean, found = redacted(text, sender=sender_id(update))
    if found and not mostly_personal_data(clean):  # Rasa itself warns when little else is left
        await update.effective_message.reply_text(PRIVACY_NOTE)
    if is_long(text):  # only the start is read
        await update.effective_message.reply_text(LONG_INPUT_TEXT)
    await relay(update, context, clean, is_redacted=True)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline button press by sending its payload to Rasa."""
    query = update.callback_query
    await query.answer()
    if update.effective_chat is None:  # a button under an inline-mode message: no chat to answer in
        return
    button_payload = deps(context).payloads.resolve(query.data)
    if button_payload is None:
        await context.bot.send_message(update.effective_chat.id, EXPIRED_BUTTON_TEXT)
        return
    await relay(update, context, button_payload, kind="button")


async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store a 👍/👎 rating of an answer and take the rating buttons away."""
    query = update.callback_query
    await query.answer(RATED_TEXT)
    question_id, value = read_rating(query.data)
    stats = deps(context).stats
    if stats is not None:
        # only the chat that asked may rate: a forged "r|1|-1" from another chat changes nothing
        stats.record_rating(question_id, value, chat_id=update.effective_chat.id if update.effective_chat else None)
    markup = query.message.reply_markup if query.message else None
    keep = [row for row in (markup.inline_keyboard if markup else ()) if not is_rating(row[0].callback_data)]
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
