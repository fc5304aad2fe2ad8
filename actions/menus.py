"""Greeting, topic menus, bare answers (a service or province alone) and the search fallback."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import PENDING_TO_INTENT, latest_entity, payload, service_menu_buttons
from actions.kb import get_kb
from actions.render import render
from knowledge import search

# Telegram/terminal topic keys → knowledge topics (file names in knowledge/content)
TOPICS = {
    "vneid": ("VNeID", ["vneid"]),
    "can_cuoc": ("Căn cước", ["can_cuoc"]),
    "cu_tru": ("Cư trú", ["cu_tru"]),
    "phi": ("Lệ phí & giảm phí", ["giam_phi"]),
    "thiet_yeu": ("Thủ tục thiết yếu", ["de_an_06", "cong_an", "ho_tich", "dich_vu_khac"]),
    "lua_dao": ("Cảnh báo lừa đảo", ["scams"]),
    "lien_he": ("Liên hệ", ["contacts"]),
}
MAX_MENU_BUTTONS = 12


def topic_buttons() -> list[dict]:
    """One button per topic."""
    return [{"title": title, "payload": payload("choose_topic", topic=key)} for key, (title, _) in TOPICS.items()]


def entry_button(entry: dict) -> dict:
    """A button that opens one knowledge entry."""
    if entry["kind"] == "faq" and entry.get("intent"):
        return {"title": entry["title"], "payload": payload(entry["intent"])}
    return {"title": entry["title"], "payload": payload("show_entry", entry_id=entry["id"])}


class ActionGreet(Action):
    """Greet and show the topic menu."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=render("greet.j2"), buttons=topic_buttons())
        return []


class ActionTopicMenu(Action):
    """Show the questions and services of one topic as buttons."""

    def name(self) -> str:
        return "action_topic_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        key = latest_entity(tracker, "topic")
        if key not in TOPICS:
            dispatcher.utter_message(text="Bạn chọn một chủ đề nhé:", buttons=topic_buttons())
            return []
        title, topics = TOPICS[key]
        entries = [e for e in kb.entries() if e.get("topic") in topics and e["kind"] in ("faq", "service", "contact", "reduction")]
        entries.sort(key=lambda e: (e["kind"] != "faq", not e.get("intent"), topics.index(e["topic"])))
        buttons = [entry_button(e) for e in entries[:MAX_MENU_BUTTONS]]
        dispatcher.utter_message(text=f"{title}: bạn muốn hỏi gì?", buttons=buttons)
        return []


class ActionInform(Action):
    """The user named only a service or a province: answer what was pending, or offer what to ask."""

    def name(self) -> str:
        return "action_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        from actions.fees import answer_fee, answer_reductions
        from actions.services import answer_service

        kb = get_kb()
        pending = tracker.get_slot("pending")
        last = tracker.get_slot("last_question")
        new_service = latest_entity(tracker, "service")
        new_province = latest_entity(tracker, "province")
        service_id = new_service or tracker.get_slot("service")
        province = new_province or tracker.get_slot("province")
        # 1. the bot asked for something and now has it
        if pending == "reduction" and province:
            return answer_reductions(dispatcher, kb, province)
        if pending in PENDING_TO_INTENT and new_service:
            if pending == "fee":
                return answer_fee(dispatcher, kb, service_id, province)
            return answer_service(dispatcher, kb, pending, service_id)
        # 2. a follow-up that changes the place or the service of the last question
        if new_province and not new_service and last == "fee" and service_id:
            return answer_fee(dispatcher, kb, service_id, province)
        if new_province and not new_service:
            return answer_reductions(dispatcher, kb, province)
        if new_service and last == "fee":
            return answer_fee(dispatcher, kb, service_id, province)
        if new_service and last in PENDING_TO_INTENT:
            return answer_service(dispatcher, kb, last, service_id)
        # 3. a service alone: offer what can be asked about it
        if new_service and kb.get(service_id):
            dispatcher.utter_message(text=render("service.j2", service=kb.get(service_id)),
                                     buttons=service_menu_buttons(service_id))
            return [SlotSet("service", service_id)]
        return await ActionSearchFallback().run(dispatcher, tracker, domain)


class ActionSearchFallback(Action):
    """Low confidence: offer the best knowledge entries as buttons instead of "I don't understand"."""

    def name(self) -> str:
        return "action_search_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        text = tracker.latest_message.get("text") or ""
        hits = search.search(kb.db, text, limit=4) if text and not text.startswith("/") else []
        entries = [e for e in (kb.get(h["id"]) for h in hits) if e]
        buttons = [entry_button(e) for e in entries] or topic_buttons()
        dispatcher.utter_message(text=render("fallback.j2", matches=entries), buttons=buttons)
        return []


class ActionOutOfScope(Action):
    """Say honestly that this is not the bot's field, and where to ask."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        contacts = get_kb().contacts(["portal_dvc"])
        dispatcher.utter_message(text=render("out_of_scope.j2", contacts=contacts))
        return []


class ActionPrivacyWarning(Action):
    """The user sent personal data or a code: warn, never repeat it."""

    def name(self) -> str:
        return "action_privacy_warning"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=render("privacy.j2"))
        return []


class ActionNewProvince(Action):
    """Which province an old place belongs to since 1/7/2025."""

    def name(self) -> str:
        return "action_new_province"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        from knowledge.places import resolve

        text = tracker.latest_message.get("text") or ""
        province = latest_entity(tracker, "province")
        place = None
        if province:
            # try the whole message first (it may name a district or commune), then the province alone
            place = resolve(text[:300])
            if place is None or place.old_province != province:
                place = resolve(province)
        dispatcher.utter_message(text=render("new_province.j2", place=place))
        return []
