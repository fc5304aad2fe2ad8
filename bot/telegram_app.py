"""Telegram front end (python-telegram-bot 22): polling by default, a webhook as an option.

The code lives in the package :mod:`bot.telegram` (``common``, ``citizens``, ``guide``, ``admin``, ``app``);
this module keeps the names the CLI and the tests import.
"""

from bot.telegram.admin import ADMIN_ONLY
from bot.telegram.app import build_application, run_polling, run_webhook, webhook_app
from bot.telegram.citizens import (
    CONTACT_WARNING,
    LONG_INPUT_TEXT,
    PRIVACY_NOTE,
    TEXT_ONLY,
    TOPICS,
    UNKNOWN_COMMAND_TEXT,
)
from bot.telegram.common import (
    BUSY_TEXT,
    ERROR_TEXT,
    QUEUED_TEXT,
    RETRY_INTRO,
    TYPING_AFTER,
    PayloadStore,
    split_text,
)

__all__ = [
    "ADMIN_ONLY", "BUSY_TEXT", "CONTACT_WARNING", "ERROR_TEXT", "LONG_INPUT_TEXT", "PRIVACY_NOTE", "QUEUED_TEXT",
    "RETRY_INTRO", "TEXT_ONLY", "TOPICS", "TYPING_AFTER", "UNKNOWN_COMMAND_TEXT", "PayloadStore",
    "build_application", "run_polling", "run_webhook", "split_text", "webhook_app",
]
