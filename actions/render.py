"""Render answers from jinja2 templates in ``actions/templates`` (plain text, numbered steps)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from actions.kb import get_kb
from knowledge.fees import format_vnd

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
    keep_trailing_newline=False,
)


def vn_date(value) -> str:
    """``2026-11-24`` → ``24/11/2026``."""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day}/{day.month}/{day.year}"


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
    return "Cổng Dịch vụ công quốc gia"


_env.filters.update(
    vnd=format_vnd,
    vn_date=vn_date,
    short_basis=short_basis,
    first_sentence=first_sentence,
    first_clause=first_clause,
    sentences=sentences,
)
_env.globals["where_to_check"] = where_to_check


def render(template: str, **context) -> str:
    """Render ``template`` (a file name in actions/templates) as one message.

    Blank lines are dropped: Rasa's REST channel splits a text on blank lines into separate messages,
    and one answer must stay one message.
    """
    text = _env.get_template(template).render(**context)
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()).strip()
