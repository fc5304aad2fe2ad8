"""What the running Rasa understands of a text: ``POST /model/parse`` (with the stack's token), cached by text.

The cache is keyed by the model Rasa serves, so a switched model is asked again. Texts are cleaned and redacted
the way :class:`bot.rasa_client.RasaClient` sends them, so a parse sees what the live bot would see.
"""

from __future__ import annotations

import asyncio
import os

import aiohttp

from bot.messages import clean_text, safe_text

URL_ENV = "DVCBOT_RASA_URL"
TOKEN_ENV = "DVCBOT_RASA_TOKEN"
CONCURRENCY = 4


class NluUnavailable(RuntimeError):
    """Rasa did not answer a parse."""


def message_text(text: str) -> str:
    """The text as the live bot passes it to Rasa (cleaned, personal data redacted)."""
    return safe_text(clean_text(text or ""))


class Parser:
    """Parses texts with the Rasa server at ``url``.

    :param url: Rasa base URL (default ``$DVCBOT_RASA_URL``)
    :param token: Rasa's API token (default ``$DVCBOT_RASA_TOKEN``)
    """

    def __init__(self, url: str | None = None, token: str | None = None):
        self.url = (url or os.environ.get(URL_ENV) or "http://127.0.0.1:5005").rstrip("/")
        self.token = token if token is not None else os.environ.get(TOKEN_ENV, "")
        self._cache: dict[tuple[str, str], dict] = {}
        self._gate = asyncio.Semaphore(CONCURRENCY)
        self.model = ""  # the model file the live Rasa served at the last parse

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    async def status(self, http: aiohttp.ClientSession) -> dict:
        """Rasa's ``/status`` (model file, fingerprint)."""
        try:
            async with http.get(f"{self.url}/status", params=self._params()) as resp:
                resp.raise_for_status()
                return await resp.json()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise NluUnavailable(f"Rasa không trả lời ({self.url}): {exc}") from exc

    async def parse_many(self, texts: list[str], url: str | None = None) -> dict[str, dict]:
        """Parse every distinct text (cached); returns ``{text: parse}``.

        :param url: another Rasa server (a model being checked); default the live one
        """
        target = (url or self.url).rstrip("/")
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            if target == self.url:
                model = self.model = str((await self.status(http)).get("model_file", ""))
            else:
                model = target
            todo = sorted({t for t in texts if (model, t) not in self._cache})

            async def one(text: str) -> None:
                async with self._gate:
                    try:
                        async with http.post(
                            f"{target}/model/parse", params=self._params(), json={"text": message_text(text)}
                        ) as resp:
                            resp.raise_for_status()
                            self._cache[(model, text)] = await resp.json()
                    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                        raise NluUnavailable(f"Rasa không phân tích được câu hỏi ({target}): {exc}") from exc

            await asyncio.gather(*(one(t) for t in todo))
        return {t: self._cache[(model, t)] for t in texts}

    def forget(self) -> None:
        """Drop every cached parse."""
        self._cache.clear()
