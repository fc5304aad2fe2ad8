"""Render answers from jinja2 templates in ``actions/templates`` (plain text, numbered steps)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from actions.kb import get_kb
from knowledge.clock import MERGER
from knowledge.clock import vn_date as _vn_date
from knowledge.fees import Note
from knowledge.official import legal_citations
from knowledge.text import thousands

TEMPLATES = Path(__file__).parent / "templates"
# short labels (aspects, buttons) that Python code puts on buttons or into templates
WORDS: dict = yaml.safe_load((TEMPLATES / "words.yml").read_text(encoding="utf-8"))

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    trim_blocks=True,
    lstrip_blocks=True,
    # ``*.html.j2`` are Telegram HTML screens: what the knowledge holds is escaped there
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    keep_trailing_newline=False,
)


def vnd(amount: int | None) -> str:
    """``20000`` → ``"20.000 đồng"``; ``0`` → ``"miễn phí"``; ``None`` → ``"chưa rõ"``."""
    if amount is None:
        return WORDS["amount_unknown"]
    if amount == 0:
        return WORDS["amount_free"]
    return thousands(amount) + " " + WORDS["currency"]


def vn_date(value) -> str:
    """``2026-11-24`` (a date or its ISO text) → ``24/11/2026``; anything else as it is."""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return _vn_date(day)


def short_basis(text: str | None, limit: int = 110) -> str:
    """The first citation of a legal basis or source, never cut inside a word and never with "…"."""
    first = str(text or "").split(";")[0].strip().rstrip(".")
    if len(first) <= limit:
        return first
    cut = first[:limit]
    for sep in (" (", ", ", " "):
        if sep in cut:
            return cut[: cut.rfind(sep)].rstrip(" ,(")
    return cut


def first_sentence(text: str | None) -> str:
    """The first sentence of ``text`` (up to the first full stop followed by a space)."""
    text = str(text or "").strip()
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def sentences(text: str | None, limit: int = 420) -> str:
    """As many whole sentences of ``text`` as fit in ``limit`` characters (at least the first one)."""
    parts = re.findall(r".+?(?:[.!?](?=\s|$)|$)", str(text or "").strip())
    out = ""
    for part in (p.strip() for p in parts if p.strip()):
        if out and len(out) + 1 + len(part) > limit:
            break
        out = f"{out} {part}".strip()
    return out


def first_clause(text: str | None) -> str:
    """``"Công an cấp xã hoặc … (Công an tỉnh) nơi cư trú"`` → the part before the first parenthesis."""
    return str(text or "").split(" (")[0].strip()


def where_to_check() -> str:
    """Where a citizen can check an uncertain answer: the official portal, from the knowledge base."""
    portal = get_kb().get("portal_dvc")
    if portal and portal.get("url"):
        return f"{portal['title']} ({portal['url']})"
    return WORDS["portal_fallback"]


def note_text(note: Note) -> str:
    """The sentence a citizen reads for a fee note (``actions/templates/_notes.j2``)."""
    return render("_notes.j2", note=note)


_env.filters.update(
    note_text=note_text,
    vnd=vnd,
    vn_date=vn_date,
    short_basis=short_basis,
    first_sentence=first_sentence,
    first_clause=first_clause,
    sentences=sentences,
)
_env.globals.update(where_to_check=where_to_check, merger=MERGER, words=WORDS)
# "x is official_citation": the text names a legal document with its number (not "chưa xác định văn bản")
_env.tests["official_citation"] = lambda text: bool(legal_citations(str(text or "")))


def render(template: str, **context) -> str:
    """Render ``template`` (a file name in actions/templates) as one message.

    Blank lines are dropped: Rasa's REST channel splits a text on blank lines into separate messages,
    and one answer must stay one message.
    """
    text = _env.get_template(template).render(**context)
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()).strip()


def render_screen(template: str, **context) -> str:
    """Render a Telegram screen (HTML-escaped when ``*.html.j2``); blank lines stay, they separate its parts."""
    text = _env.get_template(template).render(**context)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()
