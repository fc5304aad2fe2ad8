"""The one message-hygiene rule of every front end and store: clean, cut, redact (button payloads too).

A user's text is made NFC with control characters turned into spaces (:func:`clean_text`), cut to the length
the assistant reads (:func:`cut`), and redacted with :func:`bot.privacy.redact`; a button payload
(``/intent{"entity":"value"}``) keeps its intent and has its values redacted, since callback data can be
forged (``/ask_fee{"province":"09…"}``).

All length limits of messages live here, so the long-message warning and the understanding agree.
"""

from __future__ import annotations

import re
import unicodedata

from bot.privacy import redact

# characters of a message that are sent to Rasa; the NLU components read the same
# (bot/nlu keeps its own 2000 for now: keep the two equal); a longer message gets a warning that only its
# start was read
MAX_INPUT_CHARS = 2000
# characters of a (redacted) question kept in the usage statistics for staff
STORED_TEXT_CHARS = 500
# characters of a name typed in a walk-through (a province for /phi, a service for /checklist)
TYPED_NAME_CHARS = 100
# text is redacted before it is cut (a number is never split in two by a cut, half of it left in clear);
# only this much of it, so a huge message costs bounded work
_REDACT_CHARS = 4 * MAX_INPUT_CHARS

PAYLOAD_RE = re.compile(r"^/[a-z_0-9]+(\{.*\})?$", re.DOTALL)


def clean_text(text: str) -> str:
    """NFC text without control characters (newlines and tabs become spaces), trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return " ".join(text.split())


def is_payload(text: str) -> bool:
    """True when ``text`` has the form of a Rasa payload ``/intent{…}``."""
    return bool(PAYLOAD_RE.match(text))


def cut(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """At most ``limit`` characters of ``text``."""
    return text[:limit]


def is_long(text: str) -> bool:
    """True when only the start of ``text`` is read (it is longer than :data:`MAX_INPUT_CHARS` once clean)."""
    return len(clean_text(text or "")) > MAX_INPUT_CHARS


def safe_text(text: str | None, button: bool = False, limit: int = MAX_INPUT_CHARS, sender: str | None = None) -> str:
    """``text`` cleaned, redacted and cut to ``limit`` (a payload keeps its intent, its values are redacted).

    :param button: the text is the payload of a button the user pressed (not typed); redacted all the same,
        button data can be forged
    :param sender: who sent it: a number split over this and the sender's previous message is found too
    """
    return redacted(text, limit, button, sender)[0]


def redacted(
    text: str | None, limit: int = MAX_INPUT_CHARS, button: bool = False, sender: str | None = None
) -> tuple[str, set[str]]:
    """``text`` cleaned, redacted and cut to ``limit``, with the kinds of personal data found."""
    text = clean_text(text or "")
    text, found = redact(cut(text, _REDACT_CHARS), sender=sender)
    return cut(text, limit), found
