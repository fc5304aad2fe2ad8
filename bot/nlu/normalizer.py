"""Rasa component that normalizes Vietnamese text before the tokenizer, with :func:`knowledge.text.normalize`.

What it changes in the message text: Unicode NFC (phone keyboards that send "a" + combining marks), one fixed
tone-mark placement ("hòa" → "hoà", "thúy" → "thuý"), zero-width characters dropped, look-alike letters
(Icelandic "Ð") replaced. Case, diacritics, numbers and codes stay as typed.

What it does not change: abbreviations and teencode ("ko", "dc", "cccd") and diacritics. Expanding "cccd"
into "căn cước công dân" would change the length of the text and move every entity after it; instead the
tokenizer puts the expanded, folded form in each token's *lemma* (:func:`knowledge.text.search_key`), which the
featurizers read, and the entity extractor matches names on the same keys and maps them back to the exact
characters typed. So offsets stay those of the text the user sent, up to NFC.

When NFC or a dropped character changes the length of a training example, its entity offsets are moved with
the text (:func:`knowledge.text.normalize_with_offsets`), so annotations stay on the same words.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.text import normalize, normalize_with_offsets


def normalize_message(message: Message) -> None:
    """Normalize the text of ``message`` in place, moving its entity annotations along."""
    text = message.get(TEXT)
    if not text or text.startswith("/"):  # intent payloads from buttons stay as they are
        return
    normalized = normalize(text)
    if normalized == text:
        return
    entities = message.get(ENTITIES)
    if entities and len(normalized) != len(text):
        normalized, origin = normalize_with_offsets(text)
        # origin[i] is where normalized char i came from; invert it to move each annotation
        new_pos = {}
        for i, o in enumerate(origin):
            new_pos.setdefault(o, i)
        moved = []
        for ent in entities:
            start = next(new_pos[o] for o in range(ent["start"], len(text) + 1) if o in new_pos)
            end = next(new_pos[o] for o in range(ent["end"], len(text) + 1) if o in new_pos)
            moved.append({**ent, "start": start, "end": end})
        message.set(ENTITIES, moved)
    message.set(TEXT, normalized)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseNormalizer(GraphComponent):
    """Normalizes message text (NFC, tone-mark placement, invisible characters) before tokenization."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["vi"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VietnameseNormalizer":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            normalize_message(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            normalize_message(message)
        return messages
