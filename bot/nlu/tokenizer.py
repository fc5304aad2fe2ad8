"""Rasa tokenizer that segments Vietnamese with underthesea and gives each token a folded lemma.

Token texts and offsets are exact substrings of the message. The lemma is
:func:`knowledge.text.search_key` of the token (no diacritics, lowercase, abbreviations expanded), so
featurizers that read lemmas see "kich hoat" whether or not the user typed the tone marks.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.segment import segment
from knowledge.text import search_key

MAX_CHARS = 2000  # longer messages are cut for understanding (the reply says so elsewhere)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Word tokens from underthesea with exact offsets and diacritic-free lemmas."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

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
    ) -> "VietnameseTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = (message.get(attribute) or "")[:MAX_CHARS]
        tokens = []
        for start, end in segment(text):
            word = text[start:end]
            tokens.append(Token(word, start, end, lemma=search_key(word) or word.lower()))
        return self._apply_token_pattern(tokens)
