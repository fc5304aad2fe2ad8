"""Fee rules: what a service costs in a province, online or at the counter, on a given date, and why.

A fee is a base amount per service and channel (``fee`` entries, national or provincial, each with a
validity window) minus reductions (``reduction`` entries with a jurisdiction, window, channel and legal
basis). :func:`quote` is the only place where these rules are applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from knowledge.clock import today
from knowledge.places import Place, canonical_province, resolve
from knowledge.schema import as_date


@dataclass(frozen=True)
class Note:
    """Something to tell the user beside a fee, as a code and the facts it needs; the wording is the front
    end's (``actions/templates/_notes.j2``), so rewording a note never means opening this module.

    Codes: ``place_unknown``, ``place_merged`` (old_province, province), ``no_online_rate``, ``fee_note``
    (text: the fee entry's own note), ``reduction_end_disputed`` (basis, percent, valid_to), ``territory_old``
    (name, province), ``territory_pre_merger`` (name), ``sources_disagree`` (title), ``review`` (text).
    """

    code: str
    facts: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, code: str, **facts: object) -> Note:
        return cls(code, tuple(facts.items()))

    def __getattr__(self, name: str) -> object:
        for key, value in self.facts:
            if key == name:
                return value
        raise AttributeError(name)


@dataclass
class AppliedReduction:
    entry: dict
    percent: int


@dataclass
class FeeQuote:
    """The answer to "what does service S cost in province P, online or not, on date D"."""

    service_id: str
    online: bool
    on: dt.date
    place: Place | None = None
    base: int | None = None  # before reductions, for the channel asked
    amount: int | None = None  # what the citizen pays; None = unknown
    fee_entry: dict | None = None
    reductions: list[AppliedReduction] = field(default_factory=list)
    possible_reductions: list[dict] = field(default_factory=list)  # scope-only, may apply
    notes: list[Note] = field(default_factory=list)
    disputed: list[dict] = field(default_factory=list)  # reductions whose sources disagree
    uncertain: bool = False

    @property
    def basis(self) -> list[str]:
        """Legal documents the answer rests on."""
        docs = [self.fee_entry["legal_basis"]] if self.fee_entry else []
        docs += [r.entry["legal_basis"] for r in self.reductions]
        return list(dict.fromkeys(docs))

    @property
    def sources(self) -> list[dict]:
        """Entries behind the answer (for source and verified_on)."""
        return ([self.fee_entry] if self.fee_entry else []) + [r.entry for r in self.reductions]


def _in_window(entry: dict, on: dt.date) -> bool:
    start = as_date(entry.get("valid_from")) or dt.date.min
    end = as_date(entry.get("valid_to")) or dt.date.max
    return start <= on <= end


def _started(entry: dict, on: dt.date) -> bool:
    return (as_date(entry.get("valid_from")) or dt.date.min) <= on


def _jurisdiction_matches(entry: dict, place: Place | None) -> bool:
    """National entries always match; provincial ones match the place's current or former province."""
    jur = entry.get("jurisdiction", "national")
    if jur == "national":
        return True
    if place is None:
        return False
    name = canonical_province(jur)
    if entry.get("territory") == "pre_merger":
        return name in (place.old_province or place.province,)
    return name in (place.province, place.old_province)


def territory_note(entry: dict, place: Place | None) -> Note | None:
    """A provincial reduction adopted before the merger covers the old province's territory only."""
    if entry.get("jurisdiction") == "national" or entry.get("territory") != "pre_merger":
        return None
    name = canonical_province(entry["jurisdiction"])
    if place and place.changed and name == place.old_province:
        return Note.of("territory_old", name=name, province=place.province)
    return Note.of("territory_pre_merger", name=name)


def place_notes(given: str | None, place: Place | None) -> list[Note]:
    """What to tell the user about the place they named: not recognised (never repeating their words), or
    merged into another province."""
    if given and place is None:
        return [Note.of("place_unknown")]
    if place and place.changed:
        return [Note.of("place_merged", old_province=place.old_province, province=place.province)]
    return []


def quote(kb, service_id: str, province: str | None = None, online: bool = True, on: dt.date | None = None) -> FeeQuote:
    """Work out the fee of ``service_id`` for ``province`` (old or new name), channel and date.

    :param kb: a :class:`knowledge.store.KnowledgeBase`
    :param province: province or pre-2025 address as the user gave it; ``None`` = national rules only
    :param online: filing online (``True``) or at the counter (``False``)
    :param on: the date (default today)
    """
    return _quotes(kb, service_id, province, (online,), on)[0]


def quote_channels(
    kb, service_id: str, province: str | None = None, on: dt.date | None = None
) -> tuple[FeeQuote, FeeQuote]:
    """The fee online and at the counter, as two :func:`quote` calls would give them, with the rule's inputs
    (the place, the fees and the reductions that apply there) read and matched once for both."""
    online, counter = _quotes(kb, service_id, province, (True, False), on)
    return online, counter


def _quotes(
    kb, service_id: str, province: str | None, channels: tuple[bool, ...], on: dt.date | None
) -> list[FeeQuote]:
    on = on or today()
    place = resolve(province) if province else None
    fees = [f for f in kb.fees(service_id) if _in_window(f, on) and _jurisdiction_matches(f, place)]
    # a provincial fee beats the national one; among equals, the latest valid_from wins
    fees.sort(
        key=lambda f: (f.get("jurisdiction") != "national", as_date(f.get("valid_from")) or dt.date.min), reverse=True
    )
    reductions = [r for r in kb.entries("reduction") if _jurisdiction_matches(r, place)] if fees else []
    return [_quote_channel(service_id, province, place, fees, reductions, online, on) for online in channels]


def _quote_channel(
    service_id: str,
    province: str | None,
    place: Place | None,
    fees: list[dict],
    reductions: list[dict],
    online: bool,
    on: dt.date,
) -> FeeQuote:
    """The fee of one channel from the fees and reductions that apply at ``place`` (best fee first)."""
    result = FeeQuote(service_id=service_id, online=online, on=on, place=place)
    result.notes += place_notes(province, place)
    if not fees:
        result.uncertain = True
        return result
    fee = result.fee_entry = fees[0]
    if online:
        result.base = fee.get("online") if fee.get("online") is not None else fee.get("in_person")
        if fee.get("online") is None:
            result.notes.append(Note.of("no_online_rate"))
    else:
        result.base = fee.get("in_person") if fee.get("in_person") is not None else fee.get("online")
    if fee.get("note"):
        result.notes.append(Note.of("fee_note", text=fee["note"]))

    channel_ok = ("any", "online") if online else ("any",)
    for red in reductions:
        if red.get("channel") not in channel_ok:
            continue
        # a scope-only reduction (no service list) may cover this fee; a province's own resolution can
        # only touch fees the province sets, never national ones
        scope_only = red.get("services") is None
        covers = service_id in (red.get("services") or []) or (
            scope_only and (red.get("jurisdiction") == "national" or fee.get("jurisdiction") != "national")
        )
        if not covers:
            continue
        if not _in_window(red, on):
            if red.get("conflicts") and _started(red, on):
                # ended on paper, but sources disagree on the end date: say so rather than guess
                result.uncertain = True
                result.notes.append(
                    Note.of(
                        "reduction_end_disputed",
                        basis=red["legal_basis"],
                        percent=red["percent"],
                        valid_to=as_date(red.get("valid_to")),
                    )
                )
                result.disputed.append(red)
            continue
        if scope_only or red.get("status") != "published":
            # a reduction whose text was not read in an official copy is never taken off the amount
            result.possible_reductions.append(red)
        else:
            result.reductions.append(AppliedReduction(red, int(red["percent"])))
        note = territory_note(red, place)
        if note:
            result.notes.append(note)
        if red.get("conflicts"):
            result.uncertain = True
            result.disputed.append(red)
            result.notes.append(Note.of("sources_disagree", title=red["title"]))

    amount = result.base
    if amount is not None and result.reductions:
        best = max(result.reductions, key=lambda r: r.percent)  # reductions do not stack
        result.reductions = [best]
        amount = round(amount * (100 - best.percent) / 100)
    result.amount = amount
    if any(e.get("status") == "needs_review" for e in result.sources):
        result.uncertain = True
    result.notes = list(dict.fromkeys(result.notes))
    return result


def reductions_for(kb, place: Place | None, on: dt.date) -> tuple[list[dict], list[dict]]:
    """Reductions that concern ``place`` (national ones and the province's, old or new name) on ``on``:
    those in force, and those that ended on paper but whose end date the sources dispute."""
    in_force, disputed = [], []
    for red in kb.entries("reduction"):
        if not _jurisdiction_matches(red, place):
            continue
        if _in_window(red, on):
            in_force.append(red)
        elif red.get("conflicts") and _started(red, on):
            disputed.append(red)
    return in_force, disputed
