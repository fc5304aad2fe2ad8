"""The one text normalizer of dvcbot: Unicode and tone-mark normalization, abbreviations, folding.

Used by the NLU components (``bot/nlu``) and by knowledge search alike, so that "kich hoat", "kích hoạt"
and "kích hoạt" (decomposed) all meet the same keys.
"""

from __future__ import annotations

import re
import unicodedata

# Old-style vs new-style tone placement on the diphthongs oa, oe, uy: "hoà" and "hòa" are the same word.
# We normalise to the "new" placement (on the second vowel: hoà, thuý) — any one fixed choice works since
# folding removes the marks anyway; it matters for display-preserving comparisons.
_TONE_MOVES = {}
for _base, _vowel in (("o", "a"), ("o", "e"), ("u", "y")):
    for _mark in ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
        for _b, _v in ((_base, _vowel), (_base.upper(), _vowel.upper()), (_base.upper(), _vowel)):
            _old = unicodedata.normalize("NFC", _b + _mark + _v)
            _new = unicodedata.normalize("NFC", _b + _v + _mark)
            _TONE_MOVES[_old] = _new
_TONE_RE = re.compile("|".join(sorted(map(re.escape, _TONE_MOVES), key=len, reverse=True)) + r"(?![^\W\d_])")

# Common abbreviations and teencode citizens type, mapped to folded (no-diacritic) full forms.
ABBREVIATIONS: dict[str, str] = {
    "ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "hem": "khong", "khg": "khong", "kg": "khong",
    "dc": "duoc", "dk": "dang ky", "dky": "dang ky", "đk": "dang ky",
    "ntn": "nhu the nao", "sdt": "so dien thoai", "đt": "dien thoai", "dt": "dien thoai",
    "cccd": "can cuoc cong dan", "cmnd": "chung minh nhan dan", "cmt": "chung minh thu",
    "tk": "tai khoan", "mk": "mat khau", "bn": "bao nhieu", "j": "gi", "gj": "gi", "vs": "voi",
    "mn": "moi nguoi", "ad": "admin", "ng": "nguoi",
    "tp": "thanh pho", "hn": "ha noi", "hcm": "ho chi minh", "tphcm": "thanh pho ho chi minh",
    "bhyt": "bao hiem y te", "gplx": "giay phep lai xe", "dvc": "dich vu cong", "ubnd": "uy ban nhan dan",
    "r": "roi", "z": "vay", "ntn?": "nhu the nao", "lm": "lam", "ms": "moi", "cx": "cung",
    "trc": "truoc", "dtdd": "dien thoai di dong", "otp": "otp", "vneid": "vneid", "đc": "duoc",
}

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """NFC-normalize ``text`` and put tone marks in one fixed place; keeps length-insensitive meaning.

    Numbers, codes and punctuation are left as they are.
    """
    text = unicodedata.normalize("NFC", text)
    return _TONE_RE.sub(lambda m: _TONE_MOVES[m.group(0)], text)


def fold(text: str) -> str:
    """Lowercase and strip every diacritic, including đ → d: "Định danh" → "dinh danh"."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.replace("đ", "d").replace("Đ", "d")


def expand_abbreviations(folded: str) -> str:
    """Replace known abbreviations in already-folded text by their full folded forms."""
    return _WORD_RE.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), folded)


def search_key(text: str) -> str:
    """The key used to compare text: normalized, folded, abbreviations expanded, spaces collapsed."""
    return " ".join(expand_abbreviations(fold(normalize(text))).split())
