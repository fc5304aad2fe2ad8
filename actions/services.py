"""Answer the steps, documents and processing time of a service; ask which service when none is named."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (INTENT_TO_PENDING, PENDING_LABELS, entity_or_slot, latest_entity,
                            service_buttons, service_menu_buttons, sources_button)
from actions.kb import get_kb
from actions.render import render
from knowledge.clock import today

TEMPLATES = {"steps": "service_steps.j2", "documents": "service_documents.j2", "time": "service_time.j2"}


def ask_for_service(dispatcher: CollectingDispatcher, kb, what: str, intent: str) -> list[dict]:
    """Ask which service the user means, with buttons, and remember what they asked."""
    dispatcher.utter_message(text=render("ask_service.j2", what=PENDING_LABELS[what]),
                             buttons=service_buttons(kb, intent))
    return [SlotSet("pending", what)]


def answer_service(dispatcher: CollectingDispatcher, kb, what: str, service_id: str) -> list[dict]:
    """Send the steps / documents / time of ``service_id``."""
    service = kb.get(service_id)
    if service is None or service.get("kind") != "service":
        dispatcher.utter_message(text="Mình chưa có thông tin về thủ tục này. Bạn chọn một thủ tục bên dưới nhé.",
                                 buttons=service_buttons(kb, "ask_steps"))
        return [SlotSet("pending", what)]
    dispatcher.utter_message(text=render(TEMPLATES[what], service=service), buttons=sources_button([service]))
    return [SlotSet("pending", None), SlotSet("service", service_id), SlotSet("last_question", what)]


class ActionServiceInfo(Action):
    """Steps, documents or processing time of the service named now or earlier."""

    def name(self) -> str:
        return "action_service_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        intent = tracker.latest_message["intent"]["name"]
        what = INTENT_TO_PENDING[intent]
        service_id = entity_or_slot(tracker, "service")
        if not service_id:
            return ask_for_service(dispatcher, kb, what, intent)
        return answer_service(dispatcher, kb, what, service_id)


class ActionShowEntry(Action):
    """Show any knowledge entry by id (used by buttons from menus and search)."""

    def name(self) -> str:
        return "action_show_entry"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        from actions.faq import render_faq

        kb = get_kb()
        entry_id = latest_entity(tracker, "entry_id")
        entry = kb.get(entry_id) if entry_id else None
        if entry is None:
            dispatcher.utter_message(text="Mục này không còn nữa hoặc đã được thay thế. Bạn thử hỏi lại bằng lời nhé.")
            return []
        if entry["kind"] == "service":
            dispatcher.utter_message(text=render("service.j2", service=entry),
                                     buttons=service_menu_buttons(entry["id"]))
            return [SlotSet("service", entry["id"])]
        if entry["kind"] == "faq":
            dispatcher.utter_message(text=render_faq(kb, entry), buttons=sources_button([entry]))
            return []
        if entry["kind"] == "reduction":
            dispatcher.utter_message(text=render("reductions.j2", reductions=[entry], place=None,
                                                 on=today(), notes=[]))
            return []
        if entry["kind"] == "contact":
            dispatcher.utter_message(text=render("out_of_scope.j2", contacts=[entry]).split("\n", 1)[-1])
            return []
        service = kb.get(entry.get("service", ""))
        if service:
            from actions.fees import answer_fee
            return answer_fee(dispatcher, kb, service["id"], tracker.get_slot("province"))
        return []


class ActionShowSources(Action):
    """Show the full sources, review notes and disagreements of the entries behind an answer."""

    def name(self) -> str:
        return "action_show_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        ids = (latest_entity(tracker, "entry_id") or "").split(",")
        entries = [e for e in (kb.get(i.strip()) for i in ids[:6] if i.strip()) if e]
        if not entries:
            dispatcher.utter_message(text="Mục này không còn nữa hoặc đã được thay thế. Bạn thử hỏi lại bằng lời nhé.")
            return []
        dispatcher.utter_message(text=render("sources.j2", entries=entries))
        return []
