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

from knowledge.text import key_words

log = logging.getLogger(__name__)


class NameMatcher:
    """Longest-first, non-overlapping matching of names on the search keys of the words of a text.

    Names and text are compared as :func:`knowledge.text.key_words` keys (folded, abbreviations expanded), so
    "dk tam tru", "đăng ký tạm trú" and "Đăng ký TẠM TRÚ" meet; a match is mapped back to the exact characters
    typed.
    """

    def __init__(self, names: dict[str, tuple[str, str]], extractor: str = "KnowledgeEntityExtractor"):
        # names: search key -> (entity, value)
        self.names = {" ".join(k.split()): v for k, v in names.items() if k.strip()}
        self.extractor = extractor
        keys = sorted(self.names, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, keys)) + r")(?![\w])") if keys else None

    def find(self, text: str) -> list[dict]:
        """Entities found in ``text`` with exact offsets into it."""
        if self.pattern is None:
            return []
        words = key_words(text)
        if not words:
            return []
        key = " ".join(w[0] for w in words)
        owner = []  # key character -> index of the word it came from
        for i, (k, _, _) in enumerate(words):
            owner += [i] * len(k) + [i]
        found = []
        for m in self.pattern.finditer(key):
            entity, value = self.names[m.group(1)]
            first, last = words[owner[m.start()]], words[owner[m.end() - 1]]
            found.append(
                {
                    "entity": entity,
                    "value": value,
                    "start": first[1],
                    "end": last[2],
                    "confidence_entity": 1.0,
                    "extractor": self.extractor,
                }
            )
        return found


# Words that may be left off the start or end of a service name ("đăng ký tạm trú online" → "tạm trú"), when
# what remains still has two words or more and names no other service.
_OPTIONAL_PREFIXES = ("dang ky ", "lam ", "xin ", "thu tuc ", "cap ", "khai bao ")
_OPTIONAL_SUFFIXES = (" online", " truc tuyen", " qua mang", " cho con", " cho be", " moi")
_VARIANTS = (
    ("the can cuoc", "can cuoc"),
    ("can cuoc cong dan", "can cuoc"),
    ("so ho khau", "ho khau"),
    ("giay phep lai xe", "bang lai xe"),
    ("bang lai xe", "bang lai"),
    ("bao hiem y te", "bhyt"),
)
# remainders too vague to name one service on their own, and words a remainder may not start with
_TOO_VAGUE = frozenset(
    {
        "can cuoc",
        "the can cuoc",
        "can cuoc moi",
        "the can cuoc moi",
        "xe may",
        "lan dau",
        "dien moi",
        "con dau moi",
        "ho so",
        "ma so thue",
    }
)
_DANGLING = frozenset({"lai", "nhat", "doi", "moi", "xe", "khach", "nguoi"})


def name_key(name: str) -> str:
    """The key a name is matched under: its words as :func:`knowledge.text.key_words` keys, parentheses dropped."""
    return " ".join(k for k, _, _ in key_words(re.sub(r"\(.*?\)", " ", name)))


def service_name_variants(name: str) -> set[str]:
    """Search keys under which a citizen may name the service called ``name`` (a title or an alias)."""
    base = name_key(name)
    out = {base}
    for old, new in _VARIANTS:
        for k in list(out):
            # each occurrence on its own, and all of them
            out |= {k[: m.start()] + new + k[m.end() :] for m in re.finditer(rf"\b{old}\b", k)}
            out.add(re.sub(rf"\b{old}\b", new, k))
    for k in list(out):
        for suffix in _OPTIONAL_SUFFIXES:
            if k.endswith(suffix):
                out.add(k[: -len(suffix)])
    for k in list(out):
        for prefix in _OPTIONAL_PREFIXES:
            if k.startswith(prefix) and k[len(prefix) :].split(" ")[0] not in _DANGLING:
                out.add(k[len(prefix) :])
    return {k for k in out if len(k) >= 3 and (k == base or (len(k.split()) >= 2 and k not in _TOO_VAGUE))}


# Papers a citizen can hold in the VNeID wallet or bring to an office (``paper_type``): canonical value and the
# names people use for them. Kept here only; services with the same words stay ``service`` entities.
PAPER_TYPES: dict[str, tuple[str, ...]] = {
    "can_cuoc": (
        "căn cước",
        "thẻ căn cước",
        "căn cước công dân",
        "cccd",
        "căn cước điện tử",
        "chứng minh nhân dân",
        "cmnd",
        "chứng minh thư",
    ),
    "bhyt": ("bảo hiểm y tế", "thẻ bảo hiểm y tế", "bhyt", "thẻ bhyt", "thẻ bảo hiểm"),
    "gplx": ("giấy phép lái xe", "bằng lái", "bằng lái xe", "gplx"),
    "dang_ky_xe": ("giấy đăng ký xe", "đăng ký xe", "cà vẹt", "cà vẹt xe"),
    "ho_chieu": ("hộ chiếu", "passport"),
    "ma_so_thue": ("mã số thuế", "mst"),
    "khai_sinh": ("giấy khai sinh", "khai sinh"),
    "ket_hon": ("giấy đăng ký kết hôn", "giấy kết hôn", "giấy chứng nhận kết hôn"),
    "cu_tru": ("thông tin cư trú", "xác nhận cư trú", "sổ hộ khẩu", "hộ khẩu"),
}

# "mức 2", "muc 2", "level 2", "mức hai" (not "mức độ 3": that is a level of online public services)
_LEVEL_VALUES = {"1": "mức 1", "mot": "mức 1", "2": "mức 2", "hai": "mức 2"}


def account_levels(text: str) -> list[dict]:
    """``account_level`` entities ("mức 1" / "mức 2") in ``text``, with exact offsets."""
    words = key_words(text)
    found = []
    for i, (key, start, _) in enumerate(words[:-1]):
        if key in ("muc", "level", "lv") and words[i + 1][0] in _LEVEL_VALUES:
            found.append(
                {
                    "entity": "account_level",
                    "value": _LEVEL_VALUES[words[i + 1][0]],
                    "start": start,
                    "end": words[i + 1][2],
                    "confidence_entity": 1.0,
                    "extractor": "KnowledgeEntityExtractor",
                }
            )
    return found


def paper_matcher() -> NameMatcher:
    """The matcher of ``paper_type`` names."""
    return NameMatcher(
        {name_key(name): ("paper_type", value) for value, names in PAPER_TYPES.items() for name in names}
    )


def _names_from_kb() -> dict[str, tuple[str, str]]:
    from knowledge.places import _by_folded_name
    from knowledge.store import open_kb

    names: dict[str, tuple[str, str]] = {}
    for folded, short in _by_folded_name().items():
        key = name_key(folded)
        if len(key) >= 3:
            for prefix in ("", "tinh ", "thanh pho ", "tp "):
                names[name_key(prefix + key)] = ("province", short)
    try:
        kb = open_kb()
        exact: dict[str, tuple[str, str]] = {}
        variants: dict[str, set[str]] = {}
        for service in kb.entries("service"):
            for alias in [service["title"], *service.get("aliases", [])]:
                exact.setdefault(name_key(alias), ("service", service["id"]))
                for key in service_name_variants(alias):
                    variants.setdefault(key, set()).add(service["id"])
        # a generated variant counts only when it names one service and is not another service's own name
        for key, ids in variants.items():
            if len(ids) == 1 and key not in exact:
                names.setdefault(key, ("service", next(iter(ids))))
        names.update(exact)
        kb.close()
    except Exception as exc:  # the NLU still works with provinces only
        log.warning("knowledge base not readable for entity names: %s", exc)
    return names


def kb_version() -> object:
    """A value that changes whenever the knowledge base changes: the size and time of its files.

    Checked on every message, so it must be cheap: two ``stat`` calls, no database connection.
    """
    from knowledge.store import default_path

    path = default_path()
    version = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            info = file.stat()
            version.append((info.st_mtime_ns, info.st_size))
        except OSError:
            version.append(None)
    return tuple(version)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class KnowledgeEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds ``service`` and ``province`` entities by their names in the knowledge base."""

    ENTITIES = ("service", "province", "account_level", "paper_type")

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        learned: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self.learned = learned or {}
        self._version: object = object()
        self._matcher = NameMatcher({})
        self._papers = paper_matcher()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KnowledgeEntityExtractor":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "KnowledgeEntityExtractor":
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
                if ent.get("entity") in ("service", "province") and ent.get("value"):
                    key = name_key(text[ent["start"] : ent["end"]])
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
            names = _names_from_kb()
            self._version = version
            self._matcher = NameMatcher({**self.learned, **names})
        return self._matcher

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        matcher = self.matcher()
        for message in messages:
            text = message.get("text") or ""
            found = matcher.find(text[:2000]) + self._papers.find(text[:2000]) + account_levels(text[:2000])
            if found:
                message.set("entities", message.get("entities", []) + found, add_to_output=True)
        return messages
