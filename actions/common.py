"""Small helpers shared by the actions: reading entities and slots, building buttons."""

from __future__ import annotations

import json

from rasa_sdk import Tracker

PENDING_LABELS = {"steps": "các bước", "documents": "giấy tờ cần chuẩn bị", "fee": "lệ phí",
                  "time": "thời gian giải quyết"}
INTENT_TO_PENDING = {"ask_steps": "steps", "ask_documents": "documents", "ask_fee": "fee",
                     "ask_processing_time": "time"}
PENDING_TO_INTENT = {v: k for k, v in INTENT_TO_PENDING.items()}

# services offered as buttons when the user did not name one (most asked first)
POPULAR_SERVICES = ("thuong_tru", "tam_tru", "can_cuoc_cap_doi", "can_cuoc_cap_lai", "ho_chieu", "khai_sinh")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """Value of ``entity`` in the latest user message, if any."""
    for ent in reversed(tracker.latest_message.get("entities") or []):
        if ent.get("entity") == entity and ent.get("value"):
            return str(ent["value"])
    return None


def entity_or_slot(tracker: Tracker, entity: str) -> str | None:
    """The entity from the latest message, else the slot remembered from earlier in the conversation."""
    return latest_entity(tracker, entity) or tracker.get_slot(entity)


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload: ``/intent{"entity":"value"}``."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def service_buttons(kb, intent: str, ids=POPULAR_SERVICES) -> list[dict]:
    """Buttons asking ``intent`` about each of the given services that exist in the knowledge base."""
    buttons = []
    for sid in ids:
        service = kb.get(sid)
        if service:
            buttons.append({"title": service["title"], "payload": payload(intent, service=sid)})
    return buttons


def service_menu_buttons(service_id: str) -> list[dict]:
    """What can be asked about one service."""
    return [
        {"title": "📋 Các bước", "payload": payload("ask_steps", service=service_id)},
        {"title": "📄 Giấy tờ", "payload": payload("ask_documents", service=service_id)},
        {"title": "💰 Lệ phí", "payload": payload("ask_fee", service=service_id)},
        {"title": "⏱ Thời gian", "payload": payload("ask_processing_time", service=service_id)},
    ]


def sources_button(entries) -> list[dict]:
    """A button that shows the full sources, review notes and disagreements behind an answer."""
    ids = list(dict.fromkeys(e["id"] for e in entries if e and e.get("id")))
    if not ids:
        return []
    return [{"title": "📚 Nguồn đầy đủ", "payload": payload("show_sources", entry_id=",".join(ids[:6]))}]
