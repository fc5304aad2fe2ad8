"""Find the knowledge units that answer a question: lexical retrieval over the live knowledge base.

A *unit* is something that can answer: a FAQ entry, a service (identified by its title and aliases), or one
question-level fact of a service (its ``faq`` items). Each unit has example texts (questions, aliases); a query
is scored against every example by TF-IDF cosine over folded words and word pairs, and a unit scores as its best
example. Words after a negation ("chứ không phải đổi") are dropped from the query, so a correction names what
the citizen means, not what they reject.

The index is built from the store in memory and rebuilt when the store's revision counter moves, so an entry
that staff add or edit answers its example questions on the next message, without retraining.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from knowledge.text import search_key

# Words that carry no topic: question words, pronouns, politeness, filler. Kept out of the features.
STOPWORDS = frozenset(
    """la gi cua va cho toi em ban minh thi co khong duoc nhu the nao lam sao o dau nhe a ah ak oi ad admin
    vay roi sao nao can muon hoi xin cam on anh chi ong ba me bo con chau ho nguoi ta cac nhung mot nay kia do
    day vao ra len xuong voi tai ve tu khi neu ma de bi phai nua con duoc dang se da van cung rat qua hay hoac
    giup huong dan biet cach oi uh um nhi nha nhen luon thoi chua mai""".split()
)
# Words of any procedure's question ("nộp hồ sơ", "đăng ký", "làm"): alone they name no service.
GENERIC_WORDS = frozenset("nop ho so giai quyet thu tuc lam dang ky xin cap ngay muon biet tu van bao nhieu".split())
# Word pairs that name no procedure ("thủ tục" is in questions about anything): kept out like stopwords, so an
# alias such as "thủ tục cưới" is not found by "thủ tục gì đó".
FILLER_PAIRS = frozenset({"thu_tuc"})
# Negation cues: what follows them (up to the next comma or "ma/la") is what the citizen does NOT mean.
_NEGATION_RE = re.compile(r"\b(?:chu khong phai|chu khong|khong phai la|khong phai|ko phai|k phai)\b([^,.;!?]*)")
_WORD_RE = re.compile(r"[0-9a-z]+")


def query_key(text: str) -> str:
    """The folded search key of ``text`` with negated parts removed ("bị mất chứ không phải đổi" → "bi mat")."""
    key = search_key(text[:600])
    return _NEGATION_RE.sub(" ", key)


def negated_words(text: str) -> set[str]:
    """Words the citizen explicitly rejects ("không phải đổi" → {"doi"})."""
    out: set[str] = set()
    for m in _NEGATION_RE.finditer(search_key(text[:600])):
        out |= set(_WORD_RE.findall(m.group(1))) - STOPWORDS
    return out


def features(key: str) -> Counter[str]:
    """Weighted features of a folded key: content words and pairs of adjacent words (pairs count double)."""
    words = _WORD_RE.findall(key)
    feats: Counter[str] = Counter()
    for w in words:
        if w not in STOPWORDS and (len(w) > 1 or w.isdigit()):
            feats[w] += 1
    for a, b in zip(words, words[1:]):
        if not (a in STOPWORDS and b in STOPWORDS) and f"{a}_{b}" not in FILLER_PAIRS:
            feats[f"{a}_{b}"] += 2
    return feats


@dataclass(frozen=True)
class Unit:
    """Something that answers: ``kind`` is ``faq``, ``service`` or ``service_faq`` (``index`` = its faq item)."""

    kind: str
    entry_id: str
    index: int = -1
    topic: str = ""


@dataclass
class Hit:
    """A unit and how well the query matched its closest example (cosine, 0–1)."""

    unit: Unit
    score: float
    example: str = ""
    pairs: int = 0  # word pairs of the query found in that example (single shared words are weak evidence)


@dataclass
class _Doc:
    unit: Unit
    text: str
    vector: dict[str, float] = field(default_factory=dict)


def unit_examples(entry: dict) -> list[tuple[Unit, str]]:
    """The units of one entry with their example texts."""
    kind, eid, topic = entry.get("kind"), entry["id"], entry.get("topic", "")
    out: list[tuple[Unit, str]] = []
    if kind == "faq":
        unit = Unit("faq", eid, topic=topic)
        out += [(unit, t) for t in [entry.get("title", ""), *(entry.get("questions") or [])] if t]
    elif kind == "service":
        unit = Unit("service", eid, topic=topic)
        out += [(unit, t) for t in [entry.get("title", ""), *(entry.get("aliases") or [])] if t]
        for i, item in enumerate(entry.get("faq") or []):
            if isinstance(item, dict):
                sub = Unit("service_faq", eid, i, topic=topic)
                out += [(sub, q) for q in item.get("questions") or [] if isinstance(q, str) and q]
    return out


class Index:
    """TF-IDF vectors of every example of every published unit; :meth:`search` ranks units for a query."""

    def __init__(self, entries: list[dict], kinds: tuple[str, ...] = ()):
        docs = [_Doc(u, t) for e in entries for u, t in unit_examples(e) if not kinds or u.kind in kinds]
        raw = [features(search_key(d.text)) for d in docs]
        df: Counter = Counter()
        for feats in raw:
            df.update(feats.keys())
        n = max(len(docs), 1)
        self.idf = {f: math.log((n + 1) / (c + 0.5)) for f, c in df.items()}
        self.default_idf = math.log(n + 1)
        for doc, feats in zip(docs, raw):
            doc.vector = self._vector(feats)
        self.docs = docs
        self.by_feature: dict[str, list[int]] = {}
        for i, d in enumerate(docs):
            for f in d.vector:
                self.by_feature.setdefault(f, []).append(i)

    def _vector(self, feats: Counter) -> dict[str, float]:
        vec = {f: (1 + math.log(c)) * self.idf.get(f, self.default_idf) for f, c in feats.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {f: v / norm for f, v in vec.items()}

    def search(self, text: str, kinds: tuple[str, ...] = (), limit: int = 5) -> list[Hit]:
        """Units best matching ``text`` (negations removed), best first, one hit per unit."""
        query = self._vector(Counter({f: c for f, c in features(query_key(text)).items() if f in self.idf}))
        best: dict[Unit, Hit] = {}
        scores: dict[int, float] = {}
        for f, weight in query.items():
            for i in self.by_feature.get(f, ()):
                scores[i] = scores.get(i, 0.0) + weight * self.docs[i].vector[f]
        for i, score in scores.items():
            doc = self.docs[i]
            if kinds and doc.unit.kind not in kinds:
                continue
            if doc.unit not in best or score > best[doc.unit].score:
                pairs = sum(1 for f in query if "_" in f and f in doc.vector)
                best[doc.unit] = Hit(doc.unit, score, doc.text, pairs)
        return sorted(best.values(), key=lambda h: h.score, reverse=True)[:limit]


class Retriever:
    """Indexes over a knowledge base, rebuilt whenever the store has a new revision.

    Services (named by their titles and aliases) and answers (FAQ entries, question-level facts) are indexed
    apart, so adding FAQ entries does not move the scores with which services are recognised.
    """

    GROUPS = (("service",), ("faq", "service_faq"))

    def __init__(self, kb):
        self.kb = kb
        self._version: object = None
        self._indexes: dict[tuple[str, ...], Index] = {}

    def index(self, kinds: tuple[str, ...]) -> Index:
        """The index of the group that holds ``kinds``, for the store as it is now."""
        version = self.kb.version()
        if not self._indexes or version != self._version:
            entries = [e for e in self.kb.entries() if e.get("status") in ("published", "needs_review")]
            self._indexes = {group: Index(entries, group) for group in self.GROUPS}
            self._version = version
        return next(self._indexes[g] for g in self.GROUPS if set(kinds) <= set(g))

    def search(self, text: str, kinds: tuple[str, ...] = ("faq", "service_faq"), limit: int = 5) -> list[Hit]:
        """See :meth:`Index.search`; ``kinds`` must lie within one group."""
        return self.index(kinds).search(text, kinds, limit)
