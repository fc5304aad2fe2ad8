"""A readable difference between two versions of an entry: which fields changed, and for long texts and lists
which lines were removed or added."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import yaml


@dataclass
class FieldChange:
    """One field that differs: ``lines`` holds ``(sign, text)`` with sign ``-``, ``+`` or `` ``."""

    name: str
    before: str
    after: str
    lines: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "added" if not self.before else "removed" if not self.after else "changed"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        return str(value)
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).strip()


def diff(old: dict, new: dict) -> list[FieldChange]:
    """The fields that differ between ``old`` and ``new`` (keys starting with ``_`` ignored), in entry order."""
    keys = [k for k in dict.fromkeys([*old, *new]) if not str(k).startswith("_")]
    out = []
    for key in keys:
        a, b = _text(old.get(key)), _text(new.get(key))
        if a == b:
            continue
        lines: list[tuple[str, str]] = []
        if "\n" in a or "\n" in b or len(a) > 80 or len(b) > 80:
            for line in difflib.ndiff(_split(a), _split(b)):
                if line[:1] in ("-", "+", " "):
                    lines.append((line[0], line[2:]))
        out.append(FieldChange(str(key), a, b, lines))
    return out


def _split(text: str) -> list[str]:
    """Lines, and long lines cut at sentence ends so a changed sentence shows alone."""
    out = []
    for line in text.splitlines():
        out += [p.strip() for p in line.replace("; ", ";\n").replace(". ", ".\n").split("\n") if p.strip()]
    return out


def format_text(changes: list[FieldChange]) -> str:
    """The changes as plain text for a terminal (``dvcbot kb diff``)."""
    if not changes:
        return "Không có khác biệt."
    out = []
    for c in changes:
        if c.lines:
            out.append(f"{c.name}:")
            out += [f"  {sign} {text}" for sign, text in c.lines]
        else:
            out.append(f"{c.name}:")
            if c.before:
                out.append(f"  - {c.before}")
            if c.after:
                out.append(f"  + {c.after}")
    return "\n".join(out)
