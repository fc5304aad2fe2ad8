"""Base of the Rasa components that overrule the classifier: when a rule matches a message, its intent
becomes the component's ``INTENT`` with full confidence (the classifier's ranking follows it)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message


class IntentOverride(GraphComponent):
    """Sets ``INTENT`` on every message for which :meth:`matches` is true (button payloads excepted)."""

    INTENT = ""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "IntentOverride":
        return cls()

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    def matches(self, text: str) -> bool:
        """True when ``text`` must get :attr:`INTENT`."""
        raise NotImplementedError

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/") or not self.matches(text):
                continue
            top = {"name": self.INTENT, "confidence": 1.0}
            ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != self.INTENT]
            message.set("intent", top, add_to_output=True)
            message.set("intent_ranking", [top, *ranking][:10], add_to_output=True)
        return messages
