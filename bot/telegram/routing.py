"""Which updates reach which handler, and in what order: the message filters, the per-chat ordering of
updates, and the Rasa conversation id of an update."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor, filters

from bot.runtime.install_key import keyed_id

MAX_CONCURRENT_UPDATES = 256


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
    | filters.VENUE
    | filters.POLL
    | filters.Dice.ALL
)
PRIVATE_COMMAND = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.COMMAND


def staff_filter(admin_ids: frozenset[int] | set[int]) -> filters.BaseFilter:
    """Messages from staff, in a private chat only."""
    return filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE


def sender_id(update: Update) -> str:
    """Rasa conversation id: the chat for private chats, chat and user for groups, as a keyed hash
    (:func:`bot.runtime.install_key.keyed_id`): the tracker store never holds a raw Telegram id."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == ChatType.PRIVATE or user is None:
        return keyed_id(str(chat.id))
    return keyed_id(f"{chat.id}:{user.id}")


def strip_mentions(text: str, username: str) -> str:
    """``text`` without @mentions of the bot."""
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()
