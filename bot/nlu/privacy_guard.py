"""Rasa component: a message that is mostly personal data (or holds an OTP/password) gets the intent
``share_personal_data``, whatever the classifier said, so the bot warns instead of answering."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.intent_override import IntentOverride
from bot.privacy import mostly_personal_data, redact


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonalDataGuard(IntentOverride):
    """Overrides the intent of messages that carry personal data or secrets."""

    INTENT = "share_personal_data"

    def matches(self, text: str) -> bool:
        return mostly_personal_data(redact(text[:2000])[0])
