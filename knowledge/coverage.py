"""Coverage tables of the knowledge base for staff (``dvcbot kb stats``).

Three tables: the online-filing fee reductions checked for each of the 34 provinces, the share of services
per topic with each aspect filled, and the share of entries whose source names an official document or
domain (which must be 100% for published fee, deadline and step entries).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge import official
from knowledge.places import new_provinces
from knowledge.schema import ASPECTS

SERVICE_ASPECTS = (*ASPECTS, "cases", "faq")
RESULT_LABELS = {"found": "có giảm phí", "none_found": "không thấy", "not_checked": "chưa kiểm tra"}


@dataclass
class Table:
    """A titled table of strings, printed by :func:`format_table`."""

    title: str
    header: list[str]
    rows: list[list[str]]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def entry_sources(entry: dict) -> list[str]:
    """Every source text of an entry: its own, its aspects' and its FAQ items' (conflicts excluded)."""
    texts = [str(entry.get("source") or "")]
    texts += [str(entry[a].get("source") or "") for a in ASPECTS if isinstance(entry.get(a), dict)]
    texts += [str(i.get("source") or "") for i in entry.get("faq") or [] if isinstance(i, dict)]
    return [t for t in texts if t.strip()]


def has_official_source(entry: dict) -> bool:
    """True when the entry's own source names an official document, procedure code or domain."""
    return official.is_official_source(str(entry.get("source") or ""))


def province_rows(entries: list[dict]) -> list[dict]:
    """One row per new province (34): result, date checked, reduction ids; a missing row counts as not checked."""
    checks = {e.get("province"): e for e in entries if e.get("kind") == "province_check"}
    rows = []
    for province in new_provinces():
        check = checks.get(province) or {}
        rows.append(
            {
                "province": province,
                "result": check.get("result", "not_checked"),
                "checked_on": check.get("checked_on"),
                "reductions": list(check.get("reductions") or []),
                "status": check.get("status", "needs_review"),
            }
        )
    return rows


def province_table(entries: list[dict]) -> Table:
    """The 34-row table of online-filing reductions by province."""
    rows = [
        [r["province"], RESULT_LABELS[r["result"]], str(r["checked_on"] or "—"), ", ".join(r["reductions"]) or "—"]
        for r in province_rows(entries)
    ]
    counts = {label: sum(1 for r in rows if r[1] == label) for label in RESULT_LABELS.values()}
    rows.append(["TỔNG", ", ".join(f"{k}: {v}" for k, v in counts.items()), "", ""])
    return Table(
        "Giảm phí, lệ phí khi nộp trực tuyến theo tỉnh (34 tỉnh, thành phố)",
        ["tỉnh, thành phố", "kết quả", "ngày kiểm tra", "mục giảm phí"],
        rows,
    )


def aspect_table(entries: list[dict]) -> Table:
    """Per topic, the share of services with each aspect filled."""
    services = [e for e in entries if e.get("kind") == "service"]
    topics = sorted({str(e.get("topic", "?")) for e in services})
    rows = []
    for topic in topics + ["TỔNG"]:
        group = services if topic == "TỔNG" else [e for e in services if e.get("topic") == topic]
        rows.append(
            [topic, str(len(group))] + [_pct(sum(1 for e in group if e.get(a)), len(group)) for a in SERVICE_ASPECTS]
        )
    return Table("Dịch vụ có từng khía cạnh (tỷ lệ theo chủ đề)", ["chủ đề", "dịch vụ", *SERVICE_ASPECTS], rows)


def _groups(entries: list[dict]) -> dict[str, list[dict]]:
    published = [e for e in entries if e.get("status") == "published" and e.get("kind") != "province_check"]
    return {
        "phí (fee) đã công bố": [e for e in published if e.get("kind") == "fee"],
        "thời hạn (deadline) đã công bố": [e for e in published if e.get("deadline")],
        "có các bước (steps) đã công bố": [e for e in published if e.get("steps")],
        "mọi mục đã công bố": published,
        "mọi mục": [e for e in entries if e.get("kind") != "province_check"],
    }


def official_share(entries: list[dict]) -> dict[str, tuple[int, int]]:
    """``group -> (entries with an official source, entries)``."""
    return {
        name: (sum(1 for e in group if has_official_source(e)), len(group)) for name, group in _groups(entries).items()
    }


def official_table(entries: list[dict]) -> Table:
    """The share of entries whose source names an official document or domain."""
    rows = [[name, str(total), _pct(ok, total)] for name, (ok, total) in official_share(entries).items()]
    return Table(
        "Nguồn chính thức (văn bản có số hiệu, mã thủ tục hoặc trang .gov.vn …)",
        ["nhóm", "số mục", "có nguồn chính thức"],
        rows,
    )


def tables(entries: list[dict]) -> list[Table]:
    """The three coverage tables, in the order ``dvcbot kb stats`` prints them."""
    return [province_table(entries), aspect_table(entries), official_table(entries)]


def format_table(table: Table) -> str:
    """Plain-text rendering with columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in [table.header, *table.rows]) for i in range(len(table.header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([table.title, line(table.header), *(line(r) for r in table.rows)])
