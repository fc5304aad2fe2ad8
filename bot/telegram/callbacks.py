"""The callback-data codec: what a Telegram button carries (at most 64 bytes) and how it is read back.

Prefixes: ``p…``/``k…`` a Rasa payload (inline, or a key into :class:`PayloadStore`), ``r|`` a rating,
``f|`` the /phi walk-through, ``g|`` the guide and checklist, ``a|`` a staff confirmation.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

PAYLOAD_CACHE_SIZE = 5000  # long button payloads remembered for callback queries

RATE_PREFIX = "r|"
FEE_PREFIX = "f|"
GUIDE_PREFIX = "g|"
ADMIN_PREFIX = "a|"
PAYLOAD_PATTERN = r"^[pk]"
RATING_PATTERN = rf"^{re.escape(RATE_PREFIX)}\d+\|-?1$"


def pattern(prefix: str, rest: str = "") -> str:
    """The ``CallbackQueryHandler`` pattern of buttons whose data starts with ``prefix`` then ``rest`` (a regex)."""
    return rf"^{re.escape(prefix)}{rest}"


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


def keyboard(buttons: list[tuple[str, str]], payloads: PayloadStore) -> InlineKeyboardMarkup:
    """One button per row for Rasa payloads."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(title, callback_data=payloads.to_callback_data(p))] for title, p in buttons]
    )


def rating_row(message_id: int) -> list[InlineKeyboardButton]:
    """👍/👎 under an answer; ``message_id`` is the question's row in the statistics."""
    return [
        InlineKeyboardButton("👍", callback_data=f"{RATE_PREFIX}{message_id}|1"),
        InlineKeyboardButton("👎", callback_data=f"{RATE_PREFIX}{message_id}|-1"),
    ]


def read_rating(data: str) -> tuple[int, int]:
    """``(question id, +1 or -1)`` of a rating button's data."""
    _, question_id, value = data.split("|")
    return int(question_id), int(value)


def is_rating(data: str | None) -> bool:
    """True for the data of a 👍/👎 button."""
    return data is not None and data.startswith(RATE_PREFIX)
