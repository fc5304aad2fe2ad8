"""Rasa component: a message that carries an identity number or a secret (ID, old ID, card or account number,
OTP, password), or is little more than other personal data (a phone, an e-mail), gets the intent
``share_personal_data`` whatever the classifier said, so the bot warns instead of answering: it never looks up
or handles anyone's data, and the citizen learns not to paste it."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.intent_override import IntentOverride
from bot.privacy import CARD, CCCD, CMND, NUMBER, OTP, PASSWORD, mostly_personal_data, redact

# placeholders that always warrant the warning, whatever else the message asks
IDENTITY_KINDS = (CCCD, CMND, CARD, NUMBER, OTP, PASSWORD)


def carries_personal_data(text: str) -> bool:
    """True when ``text`` holds an identity number or a secret, or is mostly personal data."""
    redacted = redact(text[:2000])[0]
    return any(kind in redacted for kind in IDENTITY_KINDS) or mostly_personal_data(redacted)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonalDataGuard(IntentOverride):
    """Overrides the intent of messages that carry personal data or secrets."""

    INTENT = "share_personal_data"

    def matches(self, text: str) -> bool:
        return carries_personal_data(text)
