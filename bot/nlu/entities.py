"""Rasa entity extractor that finds services and provinces by the names kept in the knowledge base.

Service names come from the ``aliases`` and ``title`` of ``service`` entries; provinces from the 34 current
and 63 former province names (``knowledge.places``); at training time the entity annotations of the
training data add the everyday forms people type ("làm lại cccd"), stored with the model. Matching is done on folded text (no diacritics,
lowercase), so "lam dong" → ``Lâm Đồng`` and "dang ky thuong tru" → ``thuong_tru``. The names are
reloaded when the knowledge base changes, so a new alias works without retraining.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.text import fold, normalize

log = logging.getLogger(__name__)


def fold_same_length(text: str) -> str:
    """Fold ``text`` one character at a time, so offsets in the result are offsets in ``text``."""
    return "".join((fold(c) or c)[:1] for c in text)


class NameMatcher:
    """Longest-first, non-overlapping matching of folded names on word boundaries."""

    def __init__(self, names: dict[str, tuple[str, str]]):
        # names: folded surface form -> (entity, value)
        self.names = names
        keys = sorted((k for k in names if k.strip()), key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, keys)) + r")(?!\w)") if keys else None

    def find(self, text: str) -> list[dict]:
        """Entities found in ``text`` with exact offsets into it."""
        if self.pattern is None:
            return []
        folded = fold_same_length(normalize(text)) if len(normalize(text)) == len(text) else fold_same_length(text)
        found = []
        for m in self.pattern.finditer(folded):
            entity, value = self.names[m.group(1)]
            found.append({"entity": entity, "value": value, "start": m.start(), "end": m.end(),
                          "confidence_entity": 1.0, "extractor": "KnowledgeEntityExtractor"})
        return found


def _names_from_kb() -> tuple[dict[str, tuple[str, str]], object]:
    from knowledge.places import _by_folded_name
    from knowledge.store import open_kb

    names: dict[str, tuple[str, str]] = {}
    for key, short in _by_folded_name().items():
        if len(key) >= 3:
            names[key] = ("province", short)
            names["tinh " + key] = ("province", short)
    version = None
    try:
        kb = open_kb()
        version = kb.db.execute("select max(seq) from revisions").fetchone()[0]
        for service in kb.entries("service"):
            for alias in [service["title"], *service.get("aliases", [])]:
                key = " ".join(fold(normalize(alias)).split())
                if len(key) >= 3:
                    names.setdefault(key, ("service", service["id"]))
        kb.close()
    except Exception as exc:  # the NLU still works with provinces only
        log.warning("knowledge base not readable for entity names: %s", exc)
    return names, version


def kb_version() -> object:
    """A value that changes whenever the knowledge base changes."""
    from knowledge.store import open_kb

    try:
        kb = open_kb()
        try:
            return kb.db.execute("select max(seq) from revisions").fetchone()[0]
        finally:
            kb.close()
    except Exception:
        return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class KnowledgeEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds ``service`` and ``province`` entities by their names in the knowledge base."""

    ENTITIES = ("service", "province")

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage | None = None,
                 resource: Resource | None = None, learned: dict[str, tuple[str, str]] | None = None) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self.learned = learned or {}
        self._version: object = object()
        self._matcher = NameMatcher({})

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KnowledgeEntityExtractor":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "KnowledgeEntityExtractor":
        learned = {}
        try:
            with model_storage.read_from(resource) as directory:
                raw = json.loads((directory / "names.json").read_text("utf-8"))
                learned = {k: (v[0], v[1]) for k, v in raw.items()}
        except (ValueError, FileNotFoundError, OSError):
            log.warning("no learned entity names in the model; using the knowledge base only")
        return cls(config, model_storage, resource, learned)

    def train(self, training_data: TrainingData) -> Resource:
        """Remember the annotated surface forms of services and provinces in the training data."""
        for example in training_data.entity_examples:
            text = example.get("text") or ""
            for ent in example.get("entities") or []:
                if ent.get("entity") in self.ENTITIES and ent.get("value"):
                    key = " ".join(fold(normalize(text[ent["start"]:ent["end"]])).split())
                    if len(key) >= 3:
                        self.learned.setdefault(key, (ent["entity"], str(ent["value"])))
        with self._storage.write_to(self._resource) as directory:
            (directory / "names.json").write_text(json.dumps(self.learned, ensure_ascii=False), "utf-8")
        return self._resource

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    def matcher(self) -> NameMatcher:
        """The matcher, rebuilt when the knowledge base has changed."""
        version = kb_version()
        if version != self._version or not self._matcher.names:
            names, self._version = _names_from_kb()
            self._matcher = NameMatcher({**self.learned, **names})
        return self._matcher

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        matcher = self.matcher()
        for message in messages:
            text = message.get("text") or ""
            found = matcher.find(text[:2000])
            if found:
                message.set("entities", message.get("entities", []) + found, add_to_output=True)
        return messages
