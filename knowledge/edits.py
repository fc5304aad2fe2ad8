"""The one way staff changes reach the knowledge base (web page, ``dvcbot kb``, Telegram commands).

:func:`warnings` names edits that are valid but likely to hurt citizens (a national fee moved to one province,
a published entry sent back to review, a fee figure that moves a lot); :func:`save` writes an edit after the
caller has shown those warnings, and reports when the edit changed nothing (no revision is added then).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from knowledge.store import KnowledgeBase
from knowledge.text import thousands

STAFF_NAME_ENV = "DVCBOT_STAFF_NAME"
AMOUNT_JUMP = 2.0  # a fee figure multiplied or divided by this much is worth a second look


def staff_name(given: str | None) -> str:
    """The author of a change: ``given``, else ``$DVCBOT_STAFF_NAME``; never the operating-system user.

    :raises ValueError: neither is set
    """
    name = (given or os.environ.get(STAFF_NAME_ENV) or "").strip()
    if not name:
        raise ValueError(f'cần tên người sửa: thêm --by "Tên cán bộ" hoặc đặt biến môi trường {STAFF_NAME_ENV}')
    return name


def _public(entry: dict | None) -> dict:
    return {k: v for k, v in (entry or {}).items() if not k.startswith("_")}


def warnings(kb: KnowledgeBase, new: dict, old: dict | None = None) -> list[str]:
    """Harmful-looking parts of replacing ``old`` (default: the stored entry) by ``new``, in Vietnamese."""
    old = _public(old if old is not None else kb.get(str(new.get("id", "")), include_retired=True))
    new = _public(new)
    out: list[str] = []
    if not old:
        return out
    if new.get("kind") in ("fee", "reduction"):
        before, after = old.get("jurisdiction"), new.get("jurisdiction")
        if before == "national" and after and after != "national":
            out.append(
                f"Mục này đang áp dụng toàn quốc; đổi phạm vi thành '{after}' thì các tỉnh, thành khác sẽ không còn "
                "mức phí này."
            )
    if new.get("kind") == "fee":
        for channel, label in (("in_person", "trực tiếp"), ("online", "trực tuyến")):
            a, b = old.get(channel), new.get(channel)
            if isinstance(a, int) and b is None:
                out.append(f"Bỏ mức phí {label} ({_vnd(a)}): câu trả lời về phí {label} sẽ không còn số tiền.")
            elif isinstance(a, int) and isinstance(b, int) and a and b and max(a, b) / min(a, b) >= AMOUNT_JUMP:
                out.append(f"Mức phí {label} đổi từ {_vnd(a)} sang {_vnd(b)} (gấp {max(a, b) / min(a, b):.1f} lần).")
            elif isinstance(a, int) and isinstance(b, int) and (a == 0) != (b == 0):
                out.append(f"Mức phí {label} đổi giữa miễn phí và có thu ({_vnd(a)} → {_vnd(b)}).")
        if old.get("service") != new.get("service"):
            out.append(f"Mục phí chuyển từ dịch vụ '{old.get('service')}' sang '{new.get('service')}'.")
    if old.get("status") == "published" and new.get("status") == "needs_review":
        out.append("Mục chuyển sang 'cần kiểm tra': câu trả lời sẽ kèm lời nhắc chưa chắc chắn.")
    if old.get("intent") and old.get("intent") != new.get("intent"):
        out.append(f"Đổi intent '{old.get('intent')}': câu hỏi mô hình nhận ra theo intent cũ sẽ không tới mục này.")
    return out


@dataclass
class Saved:
    """The outcome of :func:`save`."""

    entry_id: str
    revision: int
    changed: bool


def save(kb: KnowledgeBase, entry: dict, author: str, reason: str, base_revision: int) -> Saved:
    """Validate and store an edit of an existing entry read at ``base_revision``.

    :raises knowledge.schema.InvalidEntry: the entry breaks the schema (nothing written)
    :raises knowledge.store.Conflict: someone saved since ``base_revision`` (nothing written)
    :raises ValueError: no author or no reason
    """
    if not str(reason or "").strip():
        raise ValueError("cần lý do sửa")
    revision = kb.edit(entry, staff_name(author), reason.strip(), base_revision=base_revision)
    return Saved(str(entry["id"]), revision, revision != base_revision)


def revert(kb: KnowledgeBase, entry_id: str, revision: int, author: str, reason: str) -> int:
    """Make an old revision current again; a reason is required."""
    if not str(reason or "").strip():
        raise ValueError("cần lý do khôi phục (--why)")
    return kb.revert(entry_id, revision, staff_name(author), reason.strip())


def _vnd(amount: int) -> str:
    """An amount in a staff warning ("miễn phí" for 0)."""
    return thousands(amount) + " đồng" if amount else "miễn phí"
