"""What the knowledge base offers, as menus: the topic menu every front end shows, and finding the service a
user names.

The topic menu is one list: a key (sent back by the button), the title a user reads, and the content files
(``knowledge/content/<topic>.yml``) the topic covers.
"""

from __future__ import annotations

from knowledge import search
from knowledge.text import search_key

# key → (title, content topics); the order is the menu's order
TOPICS: dict[str, tuple[str, list[str]]] = {
    "vneid": ("VNeID", ["vneid"]),
    "can_cuoc": ("Căn cước", ["can_cuoc"]),
    "cu_tru": ("Cư trú", ["cu_tru"]),
    "phi": ("Lệ phí & giảm phí", ["giam_phi"]),
    "thiet_yeu": ("Thủ tục thiết yếu", ["de_an_06", "cong_an", "ho_tich", "dich_vu_khac"]),
    "lua_dao": ("Cảnh báo lừa đảo", ["scams"]),
    "lien_he": ("Liên hệ", ["contacts"]),
}


def find_service(kb, text: str) -> dict | None:
    """The service that ``text`` names: an exact title or alias first, then one containing it, then search."""
    key = search_key(text)
    if not key:
        return None
    services = kb.entries("service")
    names = [
        (service, search_key(name))
        for service in services
        for name in [service["title"], *(service.get("aliases") or []), service["id"].replace("_", " ")]
    ]
    for service, name in names:
        if name == key:
            return service
    best: tuple[float, dict] | None = None
    for service, name in names:
        if name and (key in name or name in key):
            score = min(len(key), len(name)) / max(len(key), len(name))
            if best is None or score > best[0]:
                best = (score, service)
    if best and best[0] >= 0.5:
        return best[1]
    # search ranks anything sharing one word; keep a hit only when its names hold more than half of the query's words
    terms = [t for t in search.query_terms(text) if "_" not in t]
    for hit in search.search(kb.db, text, limit=3, kinds=("service",)):
        service = kb.get(hit["id"])
        words = set(" ".join(name for s, name in names if service and s["id"] == service["id"]).split())
        if service and terms and sum(t in words for t in terms) / len(terms) > 0.5:
            return service
    return None
