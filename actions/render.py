"""Render answers from jinja2 templates in ``actions/templates`` (plain text, numbered steps)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from knowledge.fees import format_vnd

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                   trim_blocks=True, lstrip_blocks=True, autoescape=False,
                   keep_trailing_newline=False)


def _vn_date(value) -> str:
    """``2026-11-24`` → ``24/11/2026``."""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day}/{day.month}/{day.year}"


_env.filters["vnd"] = format_vnd
_env.filters["vn_date"] = _vn_date


def _unique_entries(entries) -> list[dict]:
    """Entries without repeats (by id), in order."""
    seen, out = set(), []
    for e in entries:
        if e and e.get("id") not in seen:
            seen.add(e.get("id"))
            out.append(e)
    return out


_env.filters["unique_entries"] = _unique_entries


def short_source(source: str, limit: int = 120) -> str:
    """The first citation of a source field, cut to ``limit`` characters (the full text is one button away)."""
    first = str(source).split(";")[0].strip()
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


_env.filters["short_source"] = short_source


def where_to_check() -> str:
    """Where a citizen can check an uncertain answer: the official portal, from the knowledge base."""
    from actions.kb import get_kb

    portal = get_kb().get("portal_dvc")
    if portal and portal.get("url"):
        return f"{portal['title']} ({portal['url']})"
    return "Cổng Dịch vụ công quốc gia"


_env.globals["where_to_check"] = where_to_check


def render(template: str, **context) -> str:
    """Render ``template`` (a file name in actions/templates) as one message.

    Blank lines are dropped: Rasa's REST channel splits a text on blank lines into separate messages,
    and one answer must stay one message.
    """
    text = _env.get_template(template).render(**context)
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()).strip()
