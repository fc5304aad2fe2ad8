"""The one normalizer: NFC, tone-mark placement, folding (including đ), abbreviations."""

import unicodedata

import pytest

from knowledge.text import fold, normalize, search_key


@pytest.mark.parametrize("a, b", [("hòa", "hoà"), ("thúy", "thuý"), ("Hóa", "Hoá"), ("khỏe", "khoẻ")])
def test_tone_mark_placements_are_equal(a, b):
    assert normalize(a) == normalize(b)


def test_nfc():
    assert normalize(unicodedata.normalize("NFD", "định danh")) == "định danh"


@pytest.mark.parametrize(
    "text, expected", [("Định danh", "dinh danh"), ("ĐĂNG KÝ", "dang ky"), ("Hồ Chí Minh", "ho chi minh")]
)
def test_fold(text, expected):
    assert expected == fold(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ko nhận dc OTP", "khong nhan duoc otp"),
        ("sđt đổi rồi", "so dien thoai doi roi"),
        ("làm cccd ntn", "lam can cuoc cong dan nhu the nao"),
        ("mức 2 ạ 001203", "muc 2 a 001203"),
    ],
)
def test_search_key(text, expected):
    assert expected == search_key(text)
