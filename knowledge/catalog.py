"""What the knowledge base offers, as menus: the topic menu every front end shows, and finding the service a
user names.

The topic menu is one list: a key (sent back by the button), the title a user reads, and the content files
(``knowledge/content/<topic>.yml``) the topic covers.
"""

from __future__ import annotations

from knowledge.retrieval import GENERIC_WORDS, Retriever
from knowledge.text import search_key

SERVICE_MATCH_MIN = 0.45  # a service found by retrieval alone, without the NLU naming it

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


def find_service(kb, text: str, retriever: Retriever | None = None) -> dict | None:
    """The service that ``text`` names: an exact title or alias first, then one containing it, then the
    retrieval the chat uses (``retriever``, one per process, or a new one)."""
    key = search_key(text)
    if not set(key.split()) - GENERIC_WORDS:  # nothing, or only "đăng ký", "làm thủ tục"
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
    # the chat's retrieval over titles and aliases; one shared word alone does not name a service
    for hit in (retriever or Retriever(kb)).search(text, kinds=("service",), limit=1):
        if hit.pairs and hit.score >= SERVICE_MATCH_MIN:
            return kb.get(hit.unit.entry_id)
    return None
