"""Tokenizer: Vietnamese words with exact offsets and folded lemmas, with and without diacritics."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.segment import segment
from bot.nlu.tokenizer import VietnameseTokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def tokens(tokenizer, text):
    return tokenizer.tokenize(Message(data={"text": text}), "text")


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Làm thế nào để kích hoạt tài khoản định danh điện tử mức 2?",
            ["Làm", "thế nào", "để", "kích hoạt tài khoản", "định danh điện tử", "mức", "2"],
        ),
        ("kich hoat vneid muc 2 ko dc", ["kich", "hoat", "vneid", "muc", "2", "ko", "dc"]),
        ("Hà Nội, Hồ Chí Minh!! 😀 ok", ["Hà Nội", "Hồ Chí Minh", "ok"]),
        ("lệ phí   đăng ký\tthường trú", None),
        ("", []),
        ("   ", []),
        ("😀😀", []),
    ],
)
def test_token_texts_are_exact_substrings(tokenizer, text, expected):
    toks = tokens(tokenizer, text)
    for tok in toks:
        assert text[tok.start : tok.end] == tok.text
        assert tok.text.strip() == tok.text and tok.text
    if expected is not None:
        assert expected == [t.text for t in toks]


@pytest.mark.parametrize(
    "with_marks, without",
    [
        ("kích hoạt tài khoản mức 2", "kich hoat tai khoan muc 2"),
        ("Định danh điện tử", "dinh danh dien tu"),
        ("Đăng ký thường trú", "dang ky thuong tru"),
    ],
)
def test_lemmas_ignore_diacritics(tokenizer, with_marks, without):
    lemma_with = " ".join(t.lemma for t in tokens(tokenizer, with_marks)).split()
    lemma_without = " ".join(t.lemma for t in tokens(tokenizer, without)).split()
    assert lemma_with == lemma_without


def test_abbreviations_expand_in_lemmas(tokenizer):
    lemmas = [t.lemma for t in tokens(tokenizer, "ko nhận dc otp")]
    assert lemmas[0] == "khong" and "duoc" in lemmas


def test_decomposed_text_keeps_offsets(tokenizer):
    text = "ki\u0301ch hoa\u0323t"  # combining marks, as some phone keyboards send
    for tok in tokens(tokenizer, text):
        assert text[tok.start : tok.end] == tok.text


def test_long_message_is_cut_not_crashed(tokenizer):
    text = "thường trú " * 1000
    toks = tokens(tokenizer, text)
    assert toks and toks[-1].end <= 2000


def test_segment_falls_back_to_whitespace_on_odd_text():
    text = "a\u200bb c"
    spans = segment(text)
    assert all(text[s:e].strip() for s, e in spans)
