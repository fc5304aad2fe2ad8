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
