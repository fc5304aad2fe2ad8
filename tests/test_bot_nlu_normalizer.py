"""The normalizer component and the offset-keeping helpers of the one text normalizer (knowledge/text.py)."""

import unicodedata

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.normalizer import VietnameseNormalizer, normalize_message
from knowledge.text import key_words, normalize, normalize_with_offsets, search_key


@pytest.mark.parametrize(
    "typed, expected",
    [
        (unicodedata.normalize("NFD", "Đăng ký tạm trú"), "Đăng ký tạm trú"),  # combining marks
        ("Thanh Hóa", "Thanh Hoá"),  # old-style tone placement
        ("thủy", "thuỷ"),
        ("kich\u200b hoat", "kich hoat"),  # zero-width space
        ("\u00d0ăng ký", "Đăng ký"),  # Icelandic eth typed for Đ
        ("CCCD 001203004567, OTP 123456", "CCCD 001203004567, OTP 123456"),  # numbers and codes intact
        ("ko dc", "ko dc"),  # abbreviations stay in the text (they are expanded in lemmas)
    ],
)
def test_normalize(typed, expected):
    assert expected == normalize(typed)


def test_offsets_point_back_into_the_typed_text():
    typed = unicodedata.normalize("NFD", "ở Thanh Hóa\u200b nhé")
    normalized, origin = normalize_with_offsets(typed)
    assert len(origin) == len(normalized) + 1 and origin[-1] == len(typed)
    start = normalized.index("Thanh")
    end = start + len("Thanh Hoá")
    assert "Thanh Hoá" == normalize(typed[origin[start] : origin[end]]).strip()


@pytest.mark.parametrize(
    "text, keys",
    [
        ("dk tạm trú ko dc", ["dang ky", "tam", "tru", "khong", "duoc"]),
        ("làm cccd ntn", ["lam", "can cuoc cong dan", "nhu the nao"]),
        ("Lâm Đồng", ["lam", "dong"]),
    ],
)
def test_key_words_expand_and_keep_spans(text, keys):
    words = key_words(text)
    assert keys == [k for k, _, _ in words]
    for _key, start, end in words:
        assert text[start:end].strip() == text[start:end] and text[start:end]


@pytest.mark.parametrize(
    "a, b",
    [
        ("kích hoạt VNeID mức 2 không được", "kich hoat vneid muc 2 ko dc"),
        ("số điện thoại", "sđt"),
        ("bao nhiêu", "bn"),
        ("đăng ký tạm trú như thế nào", "đk tam tru ntn"),
        ("Thanh Hóa", "thanh hoa"),
    ],
)
def test_search_key_meets_careful_and_phone_typing(a, b):
    assert search_key(a) == search_key(b)


def test_training_entities_move_with_the_text():
    typed = unicodedata.normalize("NFD", "đổi căn cước ở Hà Nội")
    start = typed.index("H")
    message = Message(
        data={"text": typed, "entities": [{"entity": "province", "value": "Hà Nội", "start": start, "end": len(typed)}]}
    )
    normalize_message(message)
    text, ent = message.get("text"), message.get("entities")[0]
    assert "Hà Nội" == text[ent["start"] : ent["end"]]


def test_component_leaves_button_payloads_alone():
    component = VietnameseNormalizer()
    messages = [Message(data={"text": '/inform{"province": "Thanh Hóa"}'}), Message(data={"text": "Hóa"})]
    component.process(messages)
    assert '/inform{"province": "Thanh Hóa"}' == messages[0].get("text")
    assert "Hoá" == messages[1].get("text")
