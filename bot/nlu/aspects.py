"""Rasa entity extractor for the *aspect* of a question: which fact of a procedure the citizen asks about.

Most questions are "this procedure, that aspect": fee, documents, steps, where to file, deadline, who may file,
processing time, online channel, validity of the result, fee reductions. Aspects are found by cue phrases on the
folded search key (no diacritics, abbreviations expanded), so "phi bn", "lệ phí bao nhiêu" and "mất bao nhiêu
tiền" are the same cue. Each cue becomes an ``aspect`` entity at its exact offsets; a question may carry two
("làm lại ở đâu, phí bao nhiêu" → where, fee).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.training_data.message import Message

from knowledge.text import key_words

# aspect -> cue phrases (folded, abbreviations expanded). Longer cues win over shorter overlapping ones.
CUES: dict[str, tuple[str, ...]] = {
    "reduction": (
        "giam phi",
        "giam le phi",
        "duoc giam",
        "mien giam",
        "giam bao nhieu phan tram",
        "giam 50",
        "giam 40",
        "giam 20",
        "uu dai phi",
        "mien le phi",
        "duoc mien phi khong",
        "nghi quyet giam",
    ),
    "fee": (
        "le phi",
        "phi",
        "bao nhieu tien",
        "mat tien",
        "ton tien",
        "mat phi",
        "chi phi",
        "mien phi",
        "het bao nhieu",
        "mat bao nhieu",
        "tra tien",
        "nop tien",
        "gia bao nhieu",
        "co mat tien",
        "re hon",
        "dat hon",
        "co re",
        "tiet kiem",
        "bao nhieu tien",
        "may tien",
        "nhieu tien",
    ),
    "documents": (
        "giay to",
        "ho so",
        "can mang",
        "mang theo",
        "mang gi",
        "can nhung gi",
        "chuan bi gi",
        "chuan bi nhung gi",
        "thanh phan ho so",
        "can giay",
        "to khai",
        "mau to khai",
        "nop gi",
        "can nhung giay",
        "can co gi",
    ),
    "where": (
        "o dau",
        "noi nao",
        "cho nao",
        "di dau",
        "den dau",
        "co quan nao",
        "dia chi",
        "nop o",
        "lam o",
        "lam tai",
        "nop tai",
        "xa nao",
        "phuong nao",
        "cong an nao",
        "bat ky dau",
        "bat ky noi nao",
        "bat cu dau",
        "cho nao lam",
        "tinh nao cung",
        "o tinh khac",
        "trai tuyen",
        "noi khac",
        "ve que",
        "ve noi thuong tru",
    ),
    "time": (
        "bao lau",
        "may ngay",
        "bao nhieu ngay thi co",
        "khi nao co",
        "bao gio co",
        "bao gio thi co",
        "mat bao lau",
        "mat bao nhieu ngay",
        "bao nhieu ngay",
        "thoi gian giai quyet",
        "thoi gian",
        "lau khong",
        "lau ko",
        "bao lau thi",
        "khi nao nhan",
        "bao gio nhan",
        "bao gio lay",
        "khi nao lay",
        "tra ket qua",
    ),
    "deadline": (
        "thoi han",
        "han chot",
        "trong vong",
        "cham nhat",
        "qua han",
        "tre han",
        "bi phat",
        "co bi phat",
        "phat tien",
        "den han",
        "qua thoi han",
        "dang ky muon",
        "lam muon",
        "khai muon",
        "muon co sao",
        "tre co sao",
        "de lau",
        "bao nhieu ngay phai",
        "trong bao lau",
        # "ở bao lâu thì phải đăng ký tạm trú": a time limit to file, not how long the office takes
        "bao lau thi phai",
        "bao lau phai",
        "bao nhieu ngay thi phai",
        "may ngay thi phai",
        "may ngay phai",
    ),
    "who": (
        "ai duoc",
        "ai phai",
        "ai co the",
        "co phai di",
        "co bat buoc",
        "bat buoc",
        "co can phai",
        "bao nhieu tuoi",
        "may tuoi",
        "tuoi",
        "doi tuong",
        "nguoi nuoc ngoai",
        "khai ho",
        "lam ho",
        "lam thay",
        "uy quyen",
        "dieu kien",
        "co phai doi",
        "phai doi khong",
        "co can doi",
        "nop thay",
    ),
    "online": (
        "online",
        "truc tuyen",
        "tren vneid",
        "qua vneid",
        "bang vneid",
        "qua mang",
        "tren mang",
        "tren app",
        "tren ung dung",
        "tren dien thoai",
        "qua dien thoai",
        "tai nha",
        "khong can den",
        "o nha",
        "cong dich vu cong",
        "dich vu cong",
        "nop mang",
        "lam tren",
    ),
    "result": (
        "co gia tri",
        "gia tri phap ly",
        "thay the",
        "thay cho",
        "ban dien tu",
        "ban giay",
        "nhan ket qua",
        "nhan the",
        "buu dien",
        "buu chinh",
        "in ra",
        "ban sao",
        "dung duoc khong",
        "con gia tri",
        "con dung duoc",
        "co dung duoc",
        "co hieu luc",
        "con han",
        # how long the result stays valid ("hộ chiếu có thời hạn bao lâu"): not the processing time
        "thoi han bao lau",
        "co thoi han bao lau",
        "thoi han may nam",
        "thoi han bao nhieu nam",
        "co thoi han",
        "gia tri bao lau",
        "co gia tri bao lau",
        "dung duoc bao lau",
        "dung duoc may nam",
        "han may nam",
        "bao nhieu nam",
        "may nam",
    ),
    "steps": (
        "cac buoc",
        "nhu the nao",
        "the nao",
        "lam sao",
        "cach lam",
        "cach",
        "huong dan",
        "thu tuc",
        "quy trinh",
        "lam gi",
        "lam the nao",
        "trinh tu",
    ),
}
# phrases that hold a cue's words but ask no aspect: "khác nhau chỗ nào" compares (its "chỗ nào" is no "where"),
# "làm hộ chiếu" is no "làm hộ" (on someone's behalf)
NO_ASPECT = "none"
CUES[NO_ASPECT] = (
    "khac nhau cho nao",
    "khac cho nao",
    "khac nhau the nao",
    "khac nhau o dau",
    "khac nhau gi",
    "khac gi",
    "lam ho chieu",
    "lam ho khau",
    "lam ho tich",
)
ASPECTS = tuple(a for a in CUES if a != NO_ASPECT)

_CUE_TO_ASPECT = {cue: aspect for aspect, cues in CUES.items() for cue in cues}
_CUE_RE = re.compile(
    r"(?<![\w])(" + "|".join(map(re.escape, sorted(_CUE_TO_ASPECT, key=len, reverse=True))) + r")(?![\w])"
)
# "bao nhiêu ngày" asks a time, but "trong vòng bao nhiêu ngày phải" a deadline: the deadline cue is longer.


def find_aspects(text: str) -> list[dict]:
    """``aspect`` entities in ``text`` (first mention of each aspect), with exact offsets into ``text``."""
    words = key_words(text)
    if not words:
        return []
    key = " ".join(w[0] for w in words)
    owner: list[int] = []
    for i, (k, _, _) in enumerate(words):
        owner += [i] * len(k) + [i]
    found, seen = [], set()
    for m in _CUE_RE.finditer(key):
        aspect = _CUE_TO_ASPECT[m.group(1)]
        if aspect in seen or aspect == NO_ASPECT:  # its words are used up, it names nothing
            continue
        seen.add(aspect)
        first, last = words[owner[m.start()]], words[owner[m.end() - 1]]
        found.append(
            {
                "entity": "aspect",
                "value": aspect,
                "start": first[1],
                "end": last[2],
                "confidence_entity": 1.0,
                "extractor": "AspectExtractor",
            }
        )
    return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class AspectExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``aspect`` entities (fee, documents, where, time, deadline, who, online, result, steps, reduction)."""

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
    ) -> "AspectExtractor":
        return cls()

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/"):
                continue
            found = find_aspects(text[:2000])
            if found:
                message.set("entities", message.get("entities", []) + found, add_to_output=True)
        return messages
