"""Answer FAQ intents (VNeID, căn cước, Đề án 06, scams, contacts) from their knowledge entries."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import sources_button
from actions.kb import get_kb
from actions.render import render


def render_faq(kb, entry: dict) -> str:
    """The full answer of one FAQ entry, with its contacts and source."""
    return render("faq.j2", entry=entry, contacts=kb.contacts(entry.get("contacts") or []))


class ActionAnswerFaq(Action):
    """Answer the FAQ entry whose ``intent`` is the recognised intent."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        entry = kb.faq_for_intent(intent) if intent else None
        if entry is None:  # no specific answer (e.g. retired): offer the closest entries instead
            from actions.menus import ActionSearchFallback

            return await ActionSearchFallback().run(dispatcher, tracker, domain)
        dispatcher.utter_message(text=render_faq(kb, entry), buttons=sources_button([entry]))
        return []
