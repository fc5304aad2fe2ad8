"""Talk to a running Rasa server through its REST channel: one message in, a list of replies out.

Several Rasa workers (``http://a:5005,http://b:5005``) share one conversation store and lock store: each
conversation goes to the worker its sender hashes to (a stable hash, so one chat sticks to one worker), and
to the next worker in the ring when that one does not take the connection (dead, restarting); a worker that
failed is skipped for :data:`DOWN_FOR` seconds. A timeout is not failed over: the slow worker may still be
answering, and asking another would answer twice.
"""

from __future__ import annotations

import logging
import os
import time
import zlib
from typing import TypedDict

import httpx

from bot.messages import clean_text, is_payload, safe_text

log = logging.getLogger(__name__)


INTERNAL_INTENTS = {"session_start", "back", "nlu_fallback"}
DOWN_FOR = 5.0  # seconds a worker that refused a connection is skipped
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
    intent: str  # the intent Rasa recognised, for the statistics


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

    :param url: base URL of the Rasa server, e.g. ``http://127.0.0.1:5005``, or the URLs of several workers
        separated by commas
    :param timeout: seconds to wait for one answer before raising :class:`RasaUnavailable`
    """

    def __init__(self, url: str, timeout: float = 10.0, token: str | None = None):
        self.urls = [u.strip().rstrip("/") for u in url.split(",") if u.strip()]
        if not self.urls:
            raise ValueError("no Rasa URL")
        self.url = self.urls[0]
        self._down: dict[str, float] = {}  # worker URL -> until when it is skipped (monotonic)
        # Rasa's HTTP API (status, tracker) needs the stack's token; the REST webhook does not
        self.token = token if token is not None else os.environ.get("DVCBOT_RASA_TOKEN", "")
        self._auth = {"token": self.token} if self.token else {}
        self.timeout = timeout
        self._http = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, text: str, redacted: bool = False) -> list[Reply]:
        """Send ``text`` as user ``sender`` and return the bot's replies in order.

        Personal data is redacted before the text leaves this process (Rasa, its tracker store and
        logs never see it); empty text is answered here; Rasa's internal intents typed as payloads
        (``/session_start``…) are sent as plain text.

        :param redacted: ``text`` went through :func:`bot.messages.safe_text` already (the Telegram relay
            redacts once for its inbox, this call and its statistics)
        """
        text = (text or "") if redacted else clean_text(text or "")
        if not text:
            return [{"text": EMPTY_REPLY, "buttons": []}]
        if is_payload(text) and text[1:].split("{")[0] in INTERNAL_INTENTS:
            text = text[1:]  # Rasa's internal intents are not for users: treat as plain text
        # payloads too: a user can type "/0912345678"; our own payloads hold ids and names, never numbers
        if not redacted:
            text = safe_text(text, sender=sender)
        raw = await self._post(sender[:64], text)
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
            if "answer" in meta:
                replies[0]["answer"] = str(meta.get("answer") or "")
                replies[0]["answered"] = bool(meta.get("answered"))
            if meta.get("intent"):
                replies[0]["intent"] = str(meta["intent"])
        if not replies:
            # every action of ours says something: silence means the action server failed
            raise RasaUnavailable("empty reply (action server down?)")
        return replies

    def workers_for(self, sender: str) -> list[str]:
        """The workers to try for ``sender``, in order: its own (stable hash), then the next ones in the ring."""
        first = zlib.crc32(sender.encode()) % len(self.urls)
        ring = self.urls[first:] + self.urls[:first]
        now = time.monotonic()
        up = [u for u in ring if self._down.get(u, 0.0) <= now]
        return up + [u for u in ring if u not in up]  # all marked down: try them all the same

    async def _post(self, sender: str, text: str) -> list[dict]:
        """Post to the sender's worker, failing over to the next when a worker refuses the connection or drops it."""
        error: Exception | None = None
        for url in self.workers_for(sender):
            try:
                resp = await self._http.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
                resp.raise_for_status()
                self._down.pop(url, None)
                return resp.json()
            except httpx.TimeoutException as exc:  # slow, not dead: another worker could answer it twice
                raise RasaUnavailable(str(exc) or "timeout") from exc
            except httpx.TransportError as exc:  # refused or dropped: the worker is dead or restarting
                log.info("Rasa worker %s unavailable (%s); trying the next", url, type(exc).__name__)
                self._down[url] = time.monotonic() + DOWN_FOR
                error = exc
            except (httpx.HTTPError, OSError, ValueError) as exc:
                raise RasaUnavailable(str(exc)) from exc
        raise RasaUnavailable(str(error)) from error

    async def healthy(self) -> bool:
        """True when a Rasa worker answers and has a model loaded."""
        for url in self.urls:
            try:
                resp = await self._http.get(f"{url}/status", params=self._auth, timeout=2.0)
                if resp.status_code == 200 and bool(resp.json().get("model_file")):
                    return True
            except (httpx.HTTPError, OSError, ValueError):
                continue
        return False

    async def close(self) -> None:
        await self._http.aclose()
