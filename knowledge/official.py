"""What counts as an official source: THE list of official domains and the recogniser of legal citations.

A citizen acts on a fee, a deadline or a step only when it names an official source: a legal document
with its number (``Thông tư 73/2024/TT-BTC``, ``Luật số 26/2023/QH15``), a procedure of the national
procedure database by its code (``1.004222``), or a page of a government portal (``*.gov.vn``,
``chinhphu.vn`` …). Press may stand beside such a source as an extra pointer, never alone. The project's
own leads (seed articles, notes) and unofficial copies (personal repositories, re-typed texts) are never
a source a citizen reads.
"""

from __future__ import annotations

import re

# Official portals outside the .gov.vn zone, and the .gov.vn ones the content cites most (documentation;
# every host ending in .gov.vn is official anyway). A subdomain of a listed domain is official too.
OFFICIAL_DOMAINS: tuple[str, ...] = (
    # Government, gazette, legal databases
    "chinhphu.vn",
    "baochinhphu.vn",
    "xaydungchinhsach.chinhphu.vn",
    "vanban.chinhphu.vn",
    "congbao.chinhphu.vn",
    "quochoi.vn",
    "vbpl.vn",
    "moj.gov.vn",
    "phapdien.moj.gov.vn",
    # national public-service portals and the procedure database
    "dichvucong.gov.vn",
    "csdl.dichvucong.gov.vn",
    "thutuc.dichvucong.gov.vn",
    # ministries and agencies
    "bocongan.gov.vn",
    "dichvucong.bocongan.gov.vn",
    "vneid.gov.vn",
    "mof.gov.vn",
    "baohiemxahoi.gov.vn",
    "mps.gov.vn",
    "moh.gov.vn",
    "molisa.gov.vn",
    "moet.gov.vn",
    "gdt.gov.vn",
    "evn.com.vn",
)
OFFICIAL_SUFFIXES: tuple[str, ...] = (".gov.vn",)

# Press and law-information sites: an extra pointer beside an official citation, never the only basis.
PRESS_DOMAINS: tuple[str, ...] = (
    "vnexpress.net",
    "dantri.com.vn",
    "plo.vn",
    "cafef.vn",
    "kenh14.vn",
    "ngoisao.vn",
    "luatvietnam.vn",
    "thuvienphapluat.vn",
    "afamily.vn",
    "soha.vn",
    "znews.vn",
    "vtcnews.vn",
    "tuoitre.vn",
    "thanhnien.vn",
    "vietnamnet.vn",
    "laodong.vn",
    "cand.com.vn",
    "suckhoedoisong.vn",
    "nguoiduatin.vn",
    "vietnam.vn",
    "baoquocte.vn",
    "baoquangnam.vn",
    "vietnamplus.vn",
    "kinhtedothi.vn",
    "lawnet.vn",
    "luatvantin.com.vn",
)

# Markers of the project's own leads and of unofficial copies: never cited in shipped content.
_UNOFFICIAL_PATTERNS = (
    r"\bseeds?\b",
    r"\btư liệu\b",
    r"\bghi chú (?:của )?dự án\b",
    r"\bKNOWLEDGE_NOTES\b",
    r"\.\./shared\b",
    r"\bgithub\.com\b",
    r"\bgitlab\.com\b",
    r"\bgithub\b",
    r"\bbản chép\b",
    r"\bbản sao công khai\b",
    r"\bnguồn không chính thức\b",
)
_UNOFFICIAL_RE = re.compile("|".join(_UNOFFICIAL_PATTERNS), re.IGNORECASE)

_HOST_RE = re.compile(r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w-])", re.IGNORECASE)

_DOC_TYPES = (
    r"Bộ luật|Luật|Pháp lệnh|Nghị định|Nghị quyết|Thông tư(?: liên tịch)?|Quyết định|Chỉ thị|"
    r"Công văn|Công điện|Hướng dẫn|Kế hoạch"
)
# 73/2024/TT-BTC, 26/2023/QH15, 69/2024/NĐ-CP, 06/QĐ-TTg, 24/CT-TTg, 09/2025/NQ-HĐND, 2221/BTC-CST, 66.22/2026/NQ-CP
_DOC_NUMBER = r"\d{1,5}(?:\.\d{1,3})?/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ][A-ZĐa-z0-9]*)*"
_CITATION_RE = re.compile(rf"\b(?:{_DOC_TYPES})\b[^;\n]{{0,60}}?(?<![\w/.]){_DOC_NUMBER}")
# a procedure of the national procedure database: 1.004222, 2.001159
_PROCEDURE_RE = re.compile(r"(?<![\w.])[123]\.\d{6}(?![\w.])")


def hosts(text: str) -> list[str]:
    """The domain names written in ``text`` (lower case, without ``www.``)."""
    found = []
    for host in _HOST_RE.findall(text or ""):
        host = host.lower()
        found.append(host[4:] if host.startswith("www.") else host)
    return found


def is_official_domain(host: str) -> bool:
    """True for a government domain: listed, a subdomain of a listed one, or under ``.gov.vn``."""
    host = host.lower().removeprefix("www.")
    return (
        host in OFFICIAL_DOMAINS
        or any(host.endswith("." + d) for d in OFFICIAL_DOMAINS)
        or any(host.endswith(s) for s in OFFICIAL_SUFFIXES)
    )


def is_press_domain(host: str) -> bool:
    """True for a press or law-information site (a pointer, not a source)."""
    host = host.lower().removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in PRESS_DOMAINS)


def legal_citations(text: str) -> list[str]:
    """Legal documents cited with their number, e.g. ``Thông tư 73/2024/TT-BTC``."""
    return [m.group(0).strip() for m in _CITATION_RE.finditer(text or "")]


def procedure_codes(text: str) -> list[str]:
    """Codes of the national procedure database written in ``text``, e.g. ``1.004222``."""
    return _PROCEDURE_RE.findall(text or "")


def official_domains(text: str) -> list[str]:
    """The official domains written in ``text``."""
    return [h for h in hosts(text) if is_official_domain(h)]


def is_official_source(text: str) -> bool:
    """True when ``text`` names at least one official document, procedure code or official domain."""
    return bool(legal_citations(text) or procedure_codes(text) or official_domains(text))


def unofficial_citations(text: str) -> list[str]:
    """Citations that must never reach a citizen: the project's leads and unofficial copies."""
    return [m.group(0) for m in _UNOFFICIAL_RE.finditer(text or "")]


def press_only(text: str) -> bool:
    """True when ``text`` cites press but no official source."""
    return bool(any(is_press_domain(h) for h in hosts(text))) and not is_official_source(text)
