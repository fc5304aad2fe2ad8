"""Vietnamese word segmentation with exact character offsets (underthesea, offline)."""

from __future__ import annotations

import re
from functools import lru_cache

from underthesea import word_tokenize

_SPACE_RE = re.compile(r"\S+")
_WORD_CHAR_RE = re.compile(r"\w", re.UNICODE)


def _simple_spans(text: str) -> list[tuple[int, int]]:
    """Whitespace spans with leading/trailing punctuation cut off (the fallback)."""
    spans = []
    for m in _SPACE_RE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and not _WORD_CHAR_RE.match(text[start]):
            start += 1
        while end > start and not _WORD_CHAR_RE.match(text[end - 1]):
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


@lru_cache(maxsize=8192)
def segment(text: str) -> tuple[tuple[int, int], ...]:
    """Spans ``(start, end)`` of the words of ``text``; every span is an exact substring.

    Multi-syllable words ("kích hoạt") are one span. Tokens without any letter or digit (punctuation,
    emoji) are dropped. When underthesea's output cannot be aligned with the text, falls back to
    whitespace tokens, so offsets are always right.
    """
    if not text.strip():
        return ()
    try:
        words = word_tokenize(text)
    except Exception:  # a segmenter failure must never break understanding
        return tuple(_simple_spans(text))
    spans: list[tuple[int, int]] = []
    pos = 0
    for word in words:
        syllables = word.split()
        if not syllables:
            continue
        start = text.find(syllables[0], pos)
        if start < 0 or text[pos:start].strip():
            return tuple(_simple_spans(text))
        end = start
        for syllable in syllables:
            i = text.find(syllable, end)
            if i < 0 or text[end:i].strip():
                return tuple(_simple_spans(text))
            end = i + len(syllable)
        pos = end
        if _WORD_CHAR_RE.search(text[start:end]):
            spans.append((start, end))
    return tuple(spans)
