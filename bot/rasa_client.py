"""Talk to a running Rasa server through its REST channel: one message in, a list of replies out."""

from __future__ import annotations

import logging
from typing import TypedDict

import httpx

log = logging.getLogger(__name__)


class Button(TypedDict):
    title: str
    payload: str


class Reply(TypedDict):
    text: str
    buttons: list[Button]


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer in time."""


def to_reply(raw: dict) -> Reply:
    """Turn one REST-channel message into a :class:`Reply` (text plus buttons, nothing else)."""
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in raw.get("buttons") or []
    ]
    return {"text": str(raw.get("text") or ""), "buttons": buttons}


class RasaClient:
    """Send user messages to Rasa's REST webhook.

    :param url: base URL of the Rasa server, e.g. ``http://127.0.0.1:5005``
    :param timeout: seconds to wait for one answer before raising :class:`RasaUnavailable`
    """

    def __init__(self, url: str, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, text: str) -> list[Reply]:
        """Send ``text`` as user ``sender`` and return the bot's replies in order."""
        try:
            resp = await self._http.post(
                f"{self.url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
            )
            resp.raise_for_status()
        except (httpx.HTTPError, OSError) as exc:
            raise RasaUnavailable(str(exc)) from exc
        return [to_reply(m) for m in resp.json() if m.get("text") or m.get("buttons")]

    async def healthy(self) -> bool:
        """True when the Rasa server answers and has a model loaded."""
        try:
            resp = await self._http.get(f"{self.url}/status", timeout=2.0)
            return resp.status_code == 200 and bool(resp.json().get("model_file"))
        except (httpx.HTTPError, OSError, ValueError):
            return False

    async def close(self) -> None:
        await self._http.aclose()
