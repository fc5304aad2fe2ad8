"""Greeting, topic menus, the full sources behind an answer, and the privacy warning."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.buttons import payload, topic_buttons
from actions.kb import get_kb
from actions.render import render
from knowledge.catalog import TOPICS

MAX_MENU_BUTTONS = 12


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """Value of ``entity`` in the latest user message, if any."""
    for ent in reversed(tracker.latest_message.get("entities") or []):
        if ent.get("entity") == entity and ent.get("value"):
            return str(ent["value"])
    return None


def intent_meta(tracker: Tracker, **more: Any) -> dict[str, Any]:
    """The custom JSON sent with a reply: the intent recognised (for the front end's statistics) and ``more``."""
    return {"dvcbot": {"intent": (tracker.latest_message.get("intent") or {}).get("name"), **more}}


class ActionGreet(Action):
    """Greet and show the topic menu."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=render("greet.j2"), buttons=topic_buttons(), json_message=intent_meta(tracker))
        return []


class ActionTopicMenu(Action):
    """Show the questions and services of one topic as buttons."""

    def name(self) -> str:
        return "action_topic_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        key = latest_entity(tracker, "topic")
        if key not in TOPICS:
            dispatcher.utter_message(
                text=render("topic_choose.j2"), buttons=topic_buttons(), json_message=intent_meta(tracker)
            )
            return []
        title, topics = TOPICS[key]
        entries = [
            e
            for e in kb.entries()
            if e.get("topic") in topics and e["kind"] in ("faq", "service", "contact", "reduction")
        ]
        # the core questions of a topic (those the classifier knows by intent) first, then services
        entries.sort(key=lambda e: (e["kind"] != "faq", not e.get("intent"), topics.index(e["topic"])))
        buttons = [
            {"title": e["title"], "payload": payload("show_entry", entry_id=e["id"])}
            for e in entries[:MAX_MENU_BUTTONS]
        ]
        dispatcher.utter_message(
            text=render("topic_menu.j2", title=title), buttons=buttons, json_message=intent_meta(tracker)
        )
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
            dispatcher.utter_message(text=render("gone.j2"), json_message=intent_meta(tracker))
            return []
        dispatcher.utter_message(text=render("sources.j2", entries=entries), json_message=intent_meta(tracker))
        return []


class ActionPrivacyWarning(Action):
    """The user sent personal data or a code: warn, never repeat it."""

    def name(self) -> str:
        return "action_privacy_warning"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=render("privacy.j2"),
            json_message=intent_meta(tracker, answer="privacy", answered=True, entry=None),
        )
        return []
