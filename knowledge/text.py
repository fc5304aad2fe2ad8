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

# Common abbreviations and teencode citizens type, mapped to folded (no-diacritic) full forms. Keys are folded
# too ("đc" is looked up as "dc"). Only forms that are unambiguous in questions about public services are here:
# "hong" (hỏng/không), "hs" (hồ sơ/học sinh), "dn" (doanh nghiệp/Đà Nẵng) are left alone.
ABBREVIATIONS: dict[str, str] = {
    # không / được / gì / vậy / rồi …
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
    "hem": "khong",
    "khg": "khong",
    "kg": "khong",
    "khum": "khong",
    "hk": "khong",
    "kk": "khong",
    "dc": "duoc",
    "dk": "dang ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "dangky": "dang ky",
    "ntn": "nhu the nao",
    "ntnao": "nhu the nao",
    "lsao": "lam sao",
    "j": "gi",
    "gj": "gi",
    "z": "vay",
    "v": "vay",
    "dzay": "vay",
    "r": "roi",
    "rui": "roi",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "nhiu": "nhieu",
    "bh": "bao gio",
    "bgio": "bao gio",
    "bik": "biet",
    "mik": "minh",
    "mjk": "minh",
    "mn": "moi nguoi",
    "ng": "nguoi",
    "vs": "voi",
    "lm": "lam",
    "ms": "moi",
    "cx": "cung",
    "trc": "truoc",
    "chx": "chua",
    "dag": "dang",
    "thui": "thoi",
    "wa": "qua",
    "ak": "a",
    "ah": "a",
    "e": "em",
    "ad": "admin",
    "pls": "giup",
    "tks": "cam on",
    "thks": "cam on",
    "cmon": "cam on",
    # giấy tờ, cơ quan, dịch vụ
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "dth": "dien thoai",
    "dtdd": "dien thoai di dong",
    "cccd": "can cuoc cong dan",
    "cmnd": "chung minh nhan dan",
    "cmt": "chung minh thu",
    "tk": "tai khoan",
    "mk": "mat khau",
    "password": "mat khau",
    "tp": "thanh pho",
    "hn": "ha noi",
    "hcm": "ho chi minh",
    "tphcm": "thanh pho ho chi minh",
    "sg": "sai gon",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "gplx": "giay phep lai xe",
    "dvc": "dich vu cong",
    "dvcqg": "dich vu cong quoc gia",
    "ubnd": "uy ban nhan dan",
    "mst": "ma so thue",
    "csgt": "canh sat giao thong",
    "tthc": "thu tuc hanh chinh",
    "onl": "online",
    "vnid": "vneid",
    "vneld": "vneid",
    "vnied": "vneid",
    "otp": "otp",
    "vneid": "vneid",
}

_WORD_RE = re.compile(r"\w+", re.UNICODE)


# Characters that some keyboards insert and that mean nothing (zero-width spaces and joiners, BOM, soft hyphen).
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Look-alike letters typed instead of Vietnamese ones: Icelandic eth (Ð) for Đ.
_LOOKALIKES = {"\u00d0": "\u0110", "\u00f0": "\u0111"}
_ODD_RE = re.compile("[" + "".join(_INVISIBLE) + "".join(_LOOKALIKES) + "]")


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`normalize` ``text`` and say where each character of the result came from.

    :return: the normalized text and a list ``origin`` one longer than it: ``origin[i]`` is the offset in
        ``text`` of normalized character ``i`` and ``origin[-1] == len(text)``, so a span ``(s, e)`` of the
        result is the span ``(origin[s], origin[e])`` of ``text``.
    """
    out, origin = normalize_with_spans(text)
    return out, [s for s, _ in origin] + [len(text)]


def normalize_with_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """:func:`normalize` ``text``; for each character of the result, the span in ``text`` it came from."""
    out: list[str] = []
    origin: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.category(text[j]).startswith("M"):
            j += 1  # a base letter with its combining marks is one cluster
        cluster = text[i:j]
        if cluster not in _INVISIBLE:
            for c in unicodedata.normalize("NFC", _LOOKALIKES.get(cluster, cluster)):
                out.append(c)
                origin.append((i, j))
        i = j
    # tone moves swap a mark between two letters: same length, so offsets still hold
    return _TONE_RE.sub(lambda m: _TONE_MOVES[m.group(0)], "".join(out)), origin


def normalize(text: str) -> str:
    """NFC-normalize ``text``, put tone marks in one fixed place (hoà, thuý), drop zero-width characters.

    Numbers, codes and punctuation are left as they are; case and diacritics are kept (see :func:`fold`).
    """
    if text.isascii():
        return text
    if unicodedata.is_normalized("NFC", text) and not _ODD_RE.search(text):
        return _TONE_RE.sub(lambda m: _TONE_MOVES[m.group(0)], text)
    return normalize_with_offsets(text)[0]


def fold(text: str) -> str:
    """Lowercase and strip every diacritic, including đ → d: "Định danh" → "dinh danh"."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.replace("đ", "d").replace("Đ", "d")


def expand_abbreviations(folded: str) -> str:
    """Replace known abbreviations in already-folded text by their full folded forms."""
    return _WORD_RE.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), folded)


def key_words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as search keys with their spans in ``text``: ``(key, start, end)``.

    A key is the folded word with abbreviations expanded ("dc" → "duoc", "cccd" → "can cuoc cong dan"), so
    names can be matched on keys and the match mapped back to the exact characters the user typed.
    """
    normalized, spans = normalize_with_spans(text)
    out = []
    for m in _WORD_RE.finditer(normalized):
        word = fold(m.group(0))
        out.append((ABBREVIATIONS.get(word, word), spans[m.start()][0], spans[m.end() - 1][1]))
    return out


def search_key(text: str) -> str:
    """The key used to compare text: normalized, folded, abbreviations expanded, spaces collapsed."""
    return " ".join(expand_abbreviations(fold(normalize(text))).split())


def thousands(amount: int) -> str:
    """``20000`` → ``"20.000"`` (Vietnamese digit grouping); the words around it belong to the caller."""
    return f"{amount:,}".replace(",", ".")
