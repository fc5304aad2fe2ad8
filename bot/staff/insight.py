"""What citizens asked: the questions the bot could not answer (grouped by similar wording, with counts, turned
into an example question of an entry or a new entry, marked done) and usage statistics over 7 and 30 days with
SVG charts. Reads the statistics store of the front ends (already redacted: no raw text, no chat id)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from bot.staff.accounts import Accounts
from bot.staff.charts import day_bars, hbars
from bot.staff.pages import KB
from bot.staff.web import ACCOUNTS, render
from bot.telegram.stats import Stats
from knowledge.retrieval import STOPWORDS
from knowledge.search import search
from knowledge.text import fold, search_key

STATS: web.AppKey[Stats] = web.AppKey("stats", Stats)
SIMILAR = 0.6  # share of shared content words above which two questions are one group
WINDOW_DAYS = 30


def words(text: str) -> frozenset[str]:
    """The content words of a question, folded (no diacritics, no stopwords)."""
    return frozenset(w for w in search_key(text).split() if w not in STOPWORDS and len(w) > 1)


@dataclass
class Group:
    """Questions with similar wording."""

    texts: Counter = field(default_factory=Counter)
    words: frozenset[str] = frozenset()
    thumbs_down: int = 0

    @property
    def count(self) -> int:
        return sum(self.texts.values())

    @property
    def text(self) -> str:
        """The wording shown: the most frequent one written with diacritics (easier to read), else the most frequent."""
        return max(self.texts, key=lambda t: (fold(t) != t.lower(), self.texts[t]))

    @property
    def key(self) -> str:
        return hashlib.sha256(" ".join(sorted(self.words)).encode()).hexdigest()[:16]


def group_questions(rows: list[dict]) -> list[Group]:
    """Group texts whose content words overlap by :data:`SIMILAR` (Jaccard), biggest group first."""
    groups: list[Group] = []
    for row in rows:
        text = str(row.get("text") or "").strip()
        ws = words(text)
        if not text or not ws:
            continue
        best = max(groups, key=lambda g: len(g.words & ws) / len(g.words | ws), default=None)
        if best is not None and len(best.words & ws) / len(best.words | ws) >= SIMILAR:
            best.texts[text] += 1
            best.words = best.words | ws if len(best.words) < 12 else best.words
        else:
            best = Group(Counter({text: 1}), ws)
            groups.append(best)
        best.thumbs_down += int(row.get("rating") == -1)
    return sorted(groups, key=lambda g: -g.count)


def _columns(stats: Stats) -> set[str]:
    return {c.name for c in stats.db["messages"].columns}


def unanswered_rows(stats: Stats, days: int = WINDOW_DAYS) -> list[dict]:
    """Typed messages of the last ``days`` days that got no answer (fallback, or ``answered = 0`` where the store
    records it) or a 👎."""
    since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).isoformat()
    missing = "fallback = 1 or rating = -1" + (" or answered = 0" if "answered" in _columns(stats) else "")
    return list(
        stats.db.query(f"select * from messages where kind = 'text' and created_at >= ? and ({missing})", [since])
    )


async def unanswered(request: web.Request) -> web.Response:
    stats, accounts = request.app[STATS], request.app[ACCOUNTS]
    done = accounts.done_keys()
    groups = [g for g in group_questions(unanswered_rows(stats)) if g.key not in done]
    kb = request.app[KB]
    suggestions = {}
    for g in groups[:50]:
        hits = [h["id"] for h in search(kb.db, g.text, limit=3, kinds=("faq",))]
        suggestions[g.key] = [e for e in (kb.get(i) for i in hits) if e]
    faqs = kb.entries("faq")
    return render(request, "unanswered.html", groups=groups[:50], suggestions=suggestions, faqs=faqs)


async def mark_done(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    accounts: Accounts = request.app[ACCOUNTS]
    accounts.mark_done(str(form.get("key", ""))[:32], request["session"].name)
    raise web.HTTPSeeOther("/unanswered")


async def use_as_example(request: web.Request) -> web.StreamResponse:
    """Open entry X's form with the question added to its example questions (then the usual check and publish)."""
    form = await request.post()
    entry_id, text = str(form.get("entry", "")), str(form.get("text", ""))
    if request.app[KB].get(entry_id) is None:
        raise web.HTTPBadRequest(text="Không có mục này.")
    raise web.HTTPSeeOther(str(request.app.router["entry"].url_for(id=entry_id).with_query(add_question=text)))


def figures(stats: Stats, days: int, now: dt.datetime | None = None) -> dict:
    """Messages, conversations, most asked, share unanswered, ratings, and day-by-day series over ``days``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    summary = stats.summary(days=days, now=now, top=8)
    since = (now - dt.timedelta(days=days)).isoformat()
    rows = list(stats.db.query("select * from messages where created_at >= ?", [since]))
    cols = _columns(stats)
    typed = [r for r in rows if r["kind"] == "text"]
    missing = [r for r in typed if r["fallback"] or ("answered" in cols and r.get("answered") == 0)]
    day_list = [(now - dt.timedelta(days=days - 1 - i)).date().isoformat() for i in range(days)]
    per_day = Counter(r["created_at"][:10] for r in rows)
    chats_day: dict[str, set] = {}
    for r in rows:
        chats_day.setdefault(r["created_at"][:10], set()).add(r["chat"])
    entry_col = "entry" if "entry" in cols else "intent"
    asked = Counter(r[entry_col] for r in rows if r.get(entry_col))
    return {
        **summary,
        "unanswered_share": len(missing) / len(typed) if typed else 0.0,
        "unanswered_count": len(missing),
        "days_chart": day_bars(
            day_list,
            [
                ("tin nhắn", [per_day.get(d, 0) for d in day_list]),
                ("cuộc trò chuyện", [len(chats_day.get(d, ())) for d in day_list]),
            ],
        ),
        "asked_chart": hbars(asked.most_common(8)),
        "asked_label": "mục" if entry_col == "entry" else "ý định (intent)",
        "ratings_chart": hbars([("👍 hữu ích", summary["thumbs_up"]), ("👎 chưa đúng", summary["thumbs_down"])]),
    }


async def statistics(request: web.Request) -> web.Response:
    days = 30 if request.query.get("days") == "30" else 7
    return render(request, "stats.html", days=days, f=figures(request.app[STATS], days))


def add_routes(app: web.Application, stats: Stats | None = None) -> None:
    app[STATS] = stats or Stats()
    app.router.add_get("/unanswered", unanswered)
    app.router.add_post("/unanswered/done", mark_done)
    app.router.add_post("/unanswered/example", use_as_example)
    app.router.add_get("/stats", statistics)
