"""Provinces before and after the 1/7/2025 merger (63 → 34), resolved offline with ``underthesea.address``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import underthesea.address as _address
from underthesea.address import convert_address

from knowledge.text import fold


@dataclass(frozen=True)
class Place:
    """A place as the user named it, and the province it belongs to now.

    :param given: the name as given (old or new)
    :param old_province: short name of the pre-2025 province, when one was recognised
    :param province: short name of the province it belongs to now (one of the 34)
    :param ward: the new ward/commune, when a full address was converted
    """

    given: str
    province: str
    old_province: str | None = None
    ward: str | None = None
    district: str | None = None

    @property
    def changed(self) -> bool:
        """True when the old province is now part of another province."""
        return bool(self.old_province) and self.old_province != self.province


@lru_cache(maxsize=1)
def _names() -> tuple[dict, dict]:
    data = json.loads((Path(_address.__file__).parent / "data" / "mapping.json").read_text("utf-8"))
    new = {info["short"]: info for info in data["province_names"].values()}
    old = {info["short"]: info for info in data["old_province_names"].values()}
    return new, old


def new_provinces() -> list[str]:
    """Short names of the 34 provinces in force since 1/7/2025."""
    return sorted(_names()[0])


def old_provinces() -> list[str]:
    """Short names of the 63 provinces before 1/7/2025."""
    return sorted(_names()[1])


_PREFIX_RE = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")
_NICKNAMES = {
    "hcm": "Hồ Chí Minh",
    "tphcm": "Hồ Chí Minh",
    "sai gon": "Hồ Chí Minh",
    "hn": "Hà Nội",
    "thua thien hue": "Huế",
    "brvt": "Bà Rịa - Vũng Tàu",
    "vung tau": "Bà Rịa - Vũng Tàu",
    "ba ria vung tau": "Bà Rịa - Vũng Tàu",
    "daklak": "Đắk Lắk",
    "dak lak": "Đắk Lắk",
    "daknong": "Đắk Nông",
}


def _key(name: str) -> str:
    return _PREFIX_RE.sub("", " ".join(fold(name).replace(",", " ").replace("-", " ").split()))


@lru_cache(maxsize=1)
def _by_folded_name() -> dict[str, str]:
    new, old = _names()
    index: dict[str, str] = {}
    for names in (old, new):
        for short, info in names.items():
            index[_key(short)] = short
            index[_key(info["name"])] = short
    index.update(_NICKNAMES)
    return index


def canonical_province(name: str) -> str | None:
    """The short canonical name ("Đắk Nông", "Lâm Đồng") of a province named with or without diacritics,
    with or without "tỉnh"/"thành phố"; ``None`` when it is not a province (old or new)."""
    return _by_folded_name().get(_key(name))


def is_province(name: str) -> bool:
    """True for any of the 34 current or 63 former province names."""
    return canonical_province(name) is not None


@lru_cache(maxsize=1024)
def resolve(text: str) -> Place | None:
    """Resolve a province name or a pre-2025 address to the province it belongs to now.

    ``resolve("Đắk Nông")`` → ``Place(given="Đắk Nông", province="Lâm Đồng", old_province="Đắk Nông")``.
    """
    new, old = _names()
    short = canonical_province(text)
    if short and short in new and short not in old:
        return Place(given=text, province=short)
    result = convert_address(old[short]["name"] if short in old else text)
    if not result.new or not result.new.province:
        return None
    new_short = next((s for s, info in new.items() if info["name"] == result.new.province), None)
    if new_short is None:
        return None
    old_short = short if short in old else canonical_province(result.old.province) if result.old else None
    ward = result.new.ward or None
    return Place(given=text, province=new_short, old_province=old_short, ward=ward)


def merged_from(province: str) -> list[str]:
    """Short names of the pre-2025 provinces that make up the current ``province`` (itself included)."""
    data = _mapping()
    key = next((k for k, info in data["province_names"].items() if info["short"] == province), None)
    return sorted(
        info["short"]
        for o, info in data["old_province_names"].items()
        if key and data["province_mapping"].get(o) == key
    )


@lru_cache(maxsize=1)
def _mapping() -> dict:
    return json.loads((Path(_address.__file__).parent / "data" / "mapping.json").read_text("utf-8"))


_DISTRICT_PREFIX_RE = re.compile(r"^(huyen|quan|thi xa|thanh pho)\s+")


@lru_cache(maxsize=1)
def _districts() -> dict[str, dict[str, tuple[str, str, str]]]:
    """Folded pre-2025 district name → {old province: (district name, old province short, new province short)}."""
    _, old = _names()
    new_by_name = {info["name"]: info["short"] for info in _mapping()["province_names"].values()}
    old_by_name = {info["name"]: info["short"] for info in old.values()}
    index: dict[str, dict[str, tuple[str, str, str]]] = {}
    for row in _mapping()["ward_mapping"]:
        name = row.get("old_district") or ""
        key = _DISTRICT_PREFIX_RE.sub("", fold(name))
        old_short, new_short = old_by_name.get(row["old_province"]), new_by_name.get(row["new_province"])
        if len(key) >= 4 and " " in key and old_short and new_short:
            index.setdefault(key, {}).setdefault(old_short, (name, old_short, new_short))
    return index


@lru_cache(maxsize=1)
def _district_re() -> re.Pattern:
    names = sorted(_districts(), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(" + "|".join(map(re.escape, names)) + r")(?![a-z])")


def find_place(text: str) -> Place | None:
    """The place a message names: a pre-2025 district or town (with its province when several share the
    name) or a province, old or new. ``given`` is the official name found, never the citizen's own text."""
    key = " ".join(fold(text[:500]).replace(",", " ").replace(".", " ").split())
    provinces: list[str] = []
    taken: list[tuple[int, int]] = []
    for name, short in sorted(_by_folded_name().items(), key=lambda p: len(p[0]), reverse=True):
        for m in re.finditer(rf"(?<![a-z]){re.escape(name)}(?![a-z])", key) if len(name) >= 4 else ():
            if not any(s < m.end() and m.start() < e for s, e in taken):
                taken.append((m.start(), m.end()))
                provinces.append(short)
    for m in _district_re().finditer(key):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue  # "Nghệ An thì" holds no district "Ân Thi"
        options = _districts()[m.group(1)]
        chosen = [v for o, v in options.items() if o in provinces] or list(options.values())
        if len({v[2] for v in chosen}) == 1:
            name, old_short, new_short = chosen[0]
            return Place(given=name, province=new_short, old_province=old_short, district=name)
    for short in provinces:
        place = resolve(short)
        if place:
            return place
    return None
