"""Rasa component: a message that is mostly personal data (or holds an OTP/password) gets the intent
``share_personal_data``, whatever the classifier said, so the bot warns instead of answering."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from bot.privacy import mostly_personal_data, redact

INTENT = "share_personal_data"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonalDataGuard(GraphComponent):
    """Overrides the intent of messages that carry personal data or secrets."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PersonalDataGuard":
        return cls()

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/"):
                continue
            redacted, _ = redact(text[:2000])
            if mostly_personal_data(redacted):
                ranking = message.get("intent_ranking") or []
                message.set("intent", {"name": INTENT, "confidence": 1.0}, add_to_output=True)
                message.set("intent_ranking", [{"name": INTENT, "confidence": 1.0}, *ranking][:10],
                            add_to_output=True)
        return messages
