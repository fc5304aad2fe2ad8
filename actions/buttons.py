"""The buttons the answers offer, as Rasa payloads (``/intent{"entity":"value"}``); no Rasa import, so the
staff page and the Telegram front end can render answers too."""

from __future__ import annotations

import json

from knowledge.catalog import TOPICS


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload: ``/intent{"entity":"value"}``."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def topic_buttons() -> list[dict]:
    """One button per topic."""
    return [{"title": title, "payload": payload("choose_topic", topic=key)} for key, (title, _) in TOPICS.items()]
