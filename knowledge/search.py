"""Full-text search over the knowledge base (SQLite FTS5), insensitive to case and diacritics.

Indexed and queried text go through the same steps: :func:`knowledge.text.search_key` (NFC, tone marks,
abbreviations, folding including đ → d) plus Vietnamese compound words from underthesea joined by ``_``
("kich_hoat", "dinh_danh"), so a compound match ranks above scattered syllables.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlite_utils

from knowledge.text import fold, normalize, search_key

TABLE = "search_docs"
_TOKEN_RE = re.compile(r"[0-9a-z_]+")
# Words that appear in most questions and carry no topic.
STOPWORDS = frozenset(
    "la gi cua va cho toi em ban minh thi co khong duoc nhu the nao lam sao o dau nhe a ah "
    "vay roi sao nao can muon hoi xin cam on oi ad admin".split()
)


@lru_cache(maxsize=4096)
def _compounds(text: str) -> tuple[str, ...]:
    from underthesea import word_tokenize  # noqa: PLC0415 - lazy: loads a CRF model only when first needed

    words = word_tokenize(normalize(text))
    return tuple(fold(w).replace(" ", "_") for w in words if " " in w.strip())


def index_text(text: str) -> str:
    """Folded syllables of ``text`` followed by its folded compound words (``kich_hoat``)."""
    return " ".join([search_key(text), *_compounds(text[:2000])])


def query_terms(text: str) -> list[str]:
    """Distinct search terms of a user query, stopwords removed."""
    terms = []
    for term in _TOKEN_RE.findall(index_text(text[:500])):
        if term not in STOPWORDS and term not in terms and (len(term) > 1 or term.isdigit()):
            terms.append(term)
    return terms[:40]


def entry_text(entry: dict) -> tuple[str, str]:
    """The (names, body) text of an entry that search looks at: the names (title and aliases) weigh most, so
    "đăng ký thường trú" finds the procedure before the FAQ entries that mention it."""
    parts: list[str] = []
    for field in ("questions", "documents", "tips", "channels"):
        parts += [str(v) for v in entry.get(field) or []]
    for field in (
        "answer",
        "scope",
        "description",
        "agency",
        "legal_basis",
        "processing_time",
        "service",
        "jurisdiction",
        "note",
    ):
        # a FAQ entry's ``service`` is a link, not its words: a fee's service id is how staff find the fee
        if entry.get(field) and not (field == "service" and entry.get("kind") != "fee"):
            parts.append(str(entry[field]))
    parts += [str(s.get("text", "")) for s in entry.get("steps") or [] if isinstance(s, dict)]
    names = [entry.get("title", ""), *(str(a) for a in entry.get("aliases") or [])]
    return "\n".join(n for n in names if n), "\n".join(parts)


def ensure_index(db: sqlite_utils.Database) -> None:
    """Create the search table and its FTS5 index when missing."""
    if TABLE not in db.table_names():
        db[TABLE].create({"id": str, "kind": str, "title": str, "body": str}, pk="id")
        db[TABLE].enable_fts(
            ["title", "body"],
            fts_version="FTS5",
            create_triggers=True,
            tokenize="unicode61 remove_diacritics 2 tokenchars _",
        )


def index_entry(db: sqlite_utils.Database, entry: dict, retired: bool) -> None:
    """Add, refresh or (when retired) remove one entry in the index."""
    if retired:
        db[TABLE].delete_where("id = ?", [entry["id"]])
        return
    title, body = entry_text(entry)
    db[TABLE].upsert(
        {"id": entry["id"], "kind": entry["kind"], "title": index_text(title), "body": index_text(body)}, pk="id"
    )


def search(db: sqlite_utils.Database, text: str, limit: int = 5, kinds: tuple[str, ...] = ()) -> list[dict]:
    """Best-matching entries for ``text``: dicts with ``id``, ``kind`` and ``score`` (higher is better)."""
    terms = query_terms(text)
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    sql = (
        f"select {TABLE}.id, {TABLE}.kind, -bm25({TABLE}_fts, 3.0, 1.0) as score from {TABLE}_fts "
        f"join {TABLE} on {TABLE}.rowid = {TABLE}_fts.rowid where {TABLE}_fts match ?"
    )
    params: list = [match]
    if kinds:
        sql += f" and {TABLE}.kind in ({','.join('?' * len(kinds))})"
        params += list(kinds)
    sql += " order by score desc limit ?"
    params.append(limit)
    return list(db.query(sql, params))
