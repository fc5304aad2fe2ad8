"""Talk to a running Rasa server through its REST channel: one message in, a list of replies out."""

from __future__ import annotations

import logging
import os
from typing import TypedDict
from urllib.parse import quote

import httpx

from bot.messages import clean_text, is_payload, safe_text

log = logging.getLogger(__name__)


INTERNAL_INTENTS = {"session_start", "back", "nlu_fallback"}
EMPTY_REPLY = "Bạn gõ câu hỏi bằng chữ giúp mình nhé, ví dụ: “kích hoạt VNeID mức 2”."


class Button(TypedDict):
    title: str
    payload: str


class _ReplyBase(TypedDict):
    text: str
    buttons: list[Button]


class Reply(_ReplyBase, total=False):
    # what kind of answer the action chose (service, faq, clarify, out_of_scope, privacy …) and whether the
    # knowledge base answered; sent by the actions as custom JSON next to the text, never shown to users
    answer: str
    answered: bool


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer in time."""


def to_reply(raw: dict) -> Reply:
    """Turn one REST-channel message into a :class:`Reply` (text plus buttons, nothing else)."""
    buttons: list[Button] = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in raw.get("buttons") or []
    ]
    return {"text": str(raw.get("text") or ""), "buttons": buttons}


class RasaClient:
    """Send user messages to Rasa's REST webhook.

    :param url: base URL of the Rasa server, e.g. ``http://127.0.0.1:5005``
    :param timeout: seconds to wait for one answer before raising :class:`RasaUnavailable`
    """

    def __init__(self, url: str, timeout: float = 10.0, token: str | None = None):
        self.url = url.rstrip("/")
        # Rasa's HTTP API (status, tracker) needs the stack's token; the REST webhook does not
        self.token = token if token is not None else os.environ.get("DVCBOT_RASA_TOKEN", "")
        self._auth = {"token": self.token} if self.token else {}
        self.timeout = timeout
        self._http = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, text: str) -> list[Reply]:
        """Send ``text`` as user ``sender`` and return the bot's replies in order.

        Personal data is redacted before the text leaves this process (Rasa, its tracker store and
        logs never see it); empty text is answered here; Rasa's internal intents typed as payloads
        (``/session_start``…) are sent as plain text.
        """
        text = clean_text(text or "")
        if not text:
            return [{"text": EMPTY_REPLY, "buttons": []}]
        if is_payload(text) and text[1:].split("{")[0] in INTERNAL_INTENTS:
            text = text[1:]  # Rasa's internal intents are not for users: treat as plain text
        # payloads too: a user can type "/0912345678"; our own payloads hold ids and names, never numbers
        text = safe_text(text, sender=sender)
        try:
            resp = await self._http.post(
                f"{self.url}/webhooks/rest/webhook",
                json={"sender": sender[:64], "message": text},
            )
            resp.raise_for_status()
            raw = resp.json()
        except (httpx.HTTPError, OSError, ValueError) as exc:
            raise RasaUnavailable(str(exc)) from exc
        replies = [to_reply(m) for m in raw if m.get("text") or m.get("buttons")]
        meta = next(
            (
                m["custom"]["dvcbot"]
                for m in raw
                if isinstance(m.get("custom"), dict) and isinstance(m["custom"].get("dvcbot"), dict)
            ),
            None,
        )
        if replies and meta:
            replies[0]["answer"] = str(meta.get("answer") or "")
            replies[0]["answered"] = bool(meta.get("answered"))
        if not replies:
            # every action of ours says something: silence means the action server failed
            raise RasaUnavailable("empty reply (action server down?)")
        return replies

    async def healthy(self) -> bool:
        """True when the Rasa server answers and has a model loaded."""
        try:
            resp = await self._http.get(f"{self.url}/status", params=self._auth, timeout=2.0)
            return resp.status_code == 200 and bool(resp.json().get("model_file"))
        except (httpx.HTTPError, OSError, ValueError):
            return False

    async def latest_intent(self, sender: str, timeout: float = 2.0) -> str | None:
        """Intent Rasa recognised in ``sender``'s latest message, or None when unknown or Rasa does not say.

        Reads the tracker through Rasa's HTTP API (``--enable-api``, with the stack's token) without its events.
        """
        url = f"{self.url}/conversations/{quote(sender[:64], safe='')}/tracker"
        try:
            resp = await self._http.get(url, params={"include_events": "NONE", **self._auth}, timeout=timeout)
            resp.raise_for_status()
            intent = ((resp.json().get("latest_message") or {}).get("intent") or {}).get("name")
        except (httpx.HTTPError, OSError, ValueError, AttributeError) as exc:
            log.debug("could not read the tracker of %s: %s", sender, exc)
            return None
        return str(intent) if intent else None

    async def close(self) -> None:
        await self._http.aclose()
