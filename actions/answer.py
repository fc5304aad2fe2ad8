"""The action that answers a citizen's question: understand, decide, render (see :mod:`actions.answers`)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Context, decide, next_context, render_decision, understand
from actions.kb import get_kb, get_retriever

# slot -> field of Context: the conversation context carried between turns
CONTEXT_SLOTS = {
    "service": "service",
    "province": "province",
    "aspect": "aspect",
    "topic": "topic",
    "last_entry": "entry",
    "province_age": "province_age",
}


def read_context(tracker: Tracker) -> Context:
    """The conversation context kept in slots."""
    values = {field: tracker.get_slot(slot) for slot, field in CONTEXT_SLOTS.items()}
    return Context(**{**values, "province_age": int(values["province_age"] or 0)})


def context_events(context: Context, before: Context | None = None) -> list[dict[str, Any]]:
    """Slot events that store ``context``: only the slots that differ from ``before`` when it is given.

    Every event is stored, read back and replayed at each later turn of the conversation, so a turn that
    changes nothing adds no slot event.
    """
    events = []
    for slot, field in CONTEXT_SLOTS.items():
        value = getattr(context, field)
        if before is None or value != getattr(before, field):
            events.append(SlotSet(slot, float(value) if slot == "province_age" else value))
    return events


class ActionAnswer(Action):
    """Answer the latest message from the knowledge base, in the context of the conversation."""

    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        context = read_context(tracker)
        request = understand(kb, get_retriever(), tracker.latest_message, context)
        decision = decide(kb, request, context)
        text, buttons = render_decision(kb, decision)
        dispatcher.utter_message(
            text=text,
            buttons=buttons,
            json_message={
                "dvcbot": {
                    "answer": decision.kind,
                    "answered": decision.answered,
                    "entry": decision.service or decision.entry,
                    "intent": (tracker.latest_message.get("intent") or {}).get("name"),
                }
            },
        )
        return context_events(next_context(kb, decision, request, context), before=context)
