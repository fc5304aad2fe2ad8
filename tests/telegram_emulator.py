"""Drive the Telegram emulator (tests/emulator/server.js, telegram-test-api) as Telegram users.

Not a test module. :class:`Emulator` (from :mod:`bot.bench.emulator`, shared with ``dvcbot bench load --via
telegram``) runs the server as a subprocess on a free loopback port; bots talk to ``emulator.bot_api_url``
(give it to ``Application.builder().base_url``). :class:`TelegramUser` speaks the
emulator's client API (``/sendMessage``, ``/sendCommand``, ``/sendCallback``, ``/getUpdates``,
``/getUpdatesHistory``) to send messages, press inline buttons and read what the bot sent. :class:`RasaStub`
stands in for Rasa where the answer does not matter, and :func:`running_bot` runs the real application
against the emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from aiohttp import web

from bot.bench.emulator import EMULATOR_DIR, Emulator  # noqa: F401  (the tests' Emulator lives with the bench)
from bot.rasa_client import RasaClient
from bot.runtime.stack import free_port
from bot.telegram.app import build_application

# What the patched getMe of server.js answers.
BOT_ID = 666
BOT_USERNAME = "TestNameBot"


@dataclass
class BotMessage:
    """A message the bot sent, as the user sees it."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (text, callback_data), row by row
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_stored(cls, item: dict) -> BotMessage:
        """Build from one stored bot message of the emulator (``getUpdates``/``getUpdatesHistory``)."""
        message = item["message"]
        text = message.get("text", "")
        if str(message.get("parse_mode", "")).upper() == "HTML":
            text = html.unescape(re.sub(r"<[^>]+>", "", text))
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [(b["text"], b.get("callback_data", "")) for row in keyboard for b in row]
        return cls(int(item["messageId"]), int(message["chat_id"]), text, buttons, message)

    def callback_data(self, button_text: str) -> str:
        """callback_data of the button labelled ``button_text``."""
        for text, data in self.buttons:
            if text == button_text:
                return data
        raise KeyError(f"no button {button_text!r} in {[text for text, _ in self.buttons]}")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TelegramUser:
    """One Telegram user writing to a bot in one chat, through the emulator's client API.

    :param emulator_url: root URL of the emulator
    :param token: the bot's token (the emulator keeps messages per bot)
    :param chat_id: the chat; the user's own id for a private chat, negative for groups
    :param chat_type: ``private`` or ``group``/``supergroup``
    """

    def __init__(
        self,
        emulator_url: str,
        token: str,
        user_id: int,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Lan",
        username: str | None = None,
    ):
        self.token = token
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "username": username or f"user{user_id}"}
        self.chat_id = chat_id if chat_id is not None else user_id
        self.chat = {"id": self.chat_id, "type": chat_type}
        if chat_type == "private":
            self.chat.update(first_name=first_name, username=self.user["username"])
        else:
            self.chat["title"] = f"Nhóm {abs(self.chat_id)}"
        self._http = httpx.AsyncClient(base_url=emulator_url, timeout=5.0)
        self._callback_ids = itertools.count(1)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> TelegramUser:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _message(self, **fields) -> dict:
        return {"botToken": self.token, "from": self.user, "chat": self.chat, "date": int(time.time()), **fields}

    async def _post(self, route: str, body: dict) -> dict:
        resp = await self._http.post(route, json=body)
        resp.raise_for_status()
        return resp.json()

    async def send_text(self, text: str, reply_to: BotMessage | None = None) -> None:
        """Send a text message; @mentions get their entities as Telegram would add them."""
        entities = [
            {"type": "mention", "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m.group())}
            for m in re.finditer(r"@\w+", text)
        ]
        fields = {"text": text}
        if entities:
            fields["entities"] = entities
        if reply_to is not None:
            fields["reply_to_message"] = {
                "message_id": reply_to.message_id,
                "date": int(time.time()),
                "chat": self.chat,
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME},
                "text": reply_to.text,
            }
        await self._post("/sendMessage", self._message(**fields))

    async def send_command(self, command: str) -> None:
        """Send a command such as ``/start`` or ``/start@TestNameBot args``."""
        name = command.split(maxsplit=1)[0]
        entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(name)}]
        await self._post("/sendCommand", self._message(text=command, entities=entities))

    async def send_message(self, **content) -> None:
        """Send any other message, e.g. ``sticker={...}`` or ``contact={...}`` (Bot API field names)."""
        await self._post("/sendMessage", self._message(**content))

    async def press(self, message: BotMessage, button_text: str) -> None:
        """Press the inline button labelled ``button_text`` under ``message`` (a callback query)."""
        origin = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME},
            "text": message.text,
        }
        if message.raw.get("reply_markup"):  # Telegram sends the message's keyboard with the callback
            origin["reply_markup"] = message.raw["reply_markup"]
        await self._post(
            "/sendCallback",
            {
                "botToken": self.token,
                "from": self.user,
                "message": origin,
                "data": message.callback_data(button_text),
                "chat_instance": str(self.chat_id),
            },
        )

    async def replies(
        self,
        count: int = 1,
        timeout: float = 5.0,
        until: Callable[[list[BotMessage]], bool] | None = None,
        interval: float = 0.02,
    ) -> list[BotMessage]:
        """Wait for ``count`` new bot messages in this chat and return all new ones received by then.

        :param until: also wait until this is true of the messages received (for answers in several parts)
        :raises TimeoutError: when they did not arrive within ``timeout`` seconds
        """
        received: list[BotMessage] = []
        deadline = time.monotonic() + timeout
        while True:
            body = await self._post("/getUpdates", {"token": self.token, "chatId": self.chat_id})
            received += [BotMessage.from_stored(item) for item in body["result"]]
            if len(received) >= count and (until is None or until(received)):
                return received
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {count} bot messages (and `until`) within {timeout} s, got {received!r}")
            await asyncio.sleep(interval)

    async def history(self) -> list[BotMessage]:
        """Every bot message in this chat so far, in its current state (edits applied)."""
        items = await self._post("/getUpdatesHistory", {"token": self.token})
        return [
            BotMessage.from_stored(item)
            for item in items["result"]
            if "callbackQuery" not in item and str(item["message"].get("chat_id")) == str(self.chat_id)
        ]


@dataclass
class RasaStub:
    """Stands in for Rasa's REST webhook and status API.

    Answers from ``answers`` (default: an echo), records requests in ``received``; ``down`` makes every
    request fail with 503, ``delay`` slows the webhook; each answer reports ``intents[message]`` (default
    ``stub_intent``) as the intent recognised, in the custom JSON the answer action sends.
    """

    url: str = ""
    answers: dict[str, list[dict]] = field(default_factory=dict)
    intents: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    down: bool = False

    async def webhook(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503)
        body = await request.json()
        self.received.append((body["sender"], body["message"]))
        await asyncio.sleep(self.delay)
        answer = self.answers.get(body["message"], [{"text": f"Đã nhận: {body['message']}"}])
        meta = {"custom": {"dvcbot": {"intent": self.intents.get(body["message"], "stub_intent")}}}
        return web.json_response([*answer, meta])

    async def status(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503)
        return web.json_response({"model_file": "models/stub.tar.gz"})

    @contextlib.asynccontextmanager
    async def serve(self):
        """Listen on a free loopback port for the duration of the block."""
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        app.router.add_get("/status", self.status)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            await runner.cleanup()


@dataclass
class RunningBot:
    """The application under test, polling the emulator, and the users created for it."""

    emulator: Emulator
    token: str
    application: object
    users: list[TelegramUser] = field(default_factory=list)

    def user(self, user_id: int, chat_id: int | None = None, chat_type: str = "private") -> TelegramUser:
        """A user talking to this bot, in a private chat unless ``chat_id``/``chat_type`` say otherwise."""
        user = TelegramUser(self.emulator.url, self.token, user_id, chat_id, chat_type)
        self.users.append(user)
        return user


@contextlib.asynccontextmanager
async def running_bot(emulator: Emulator, rasa_url: str, rasa_timeout: float = 2.0, admin_ids=frozenset(), **options):
    """Run the real application, polling the emulator, for the duration of the block.

    :param options: more keyword arguments of ``build_application`` (``stats``, ``kb``, ``retry_interval``…)
    """
    token = f"123456:{uuid.uuid4().hex}"  # the emulator keeps messages per token: one per test
    rasa = RasaClient(rasa_url, timeout=rasa_timeout)
    application = build_application(token, rasa, base_url=emulator.bot_api_url, admin_ids=admin_ids, **options)
    bot = RunningBot(emulator, token, application)
    async with application:
        await application.updater.start_polling(poll_interval=0.02, timeout=0)
        await application.start()
        try:
            yield bot
        finally:
            await application.updater.stop()
            await application.stop()
            for user in bot.users:
                await user.close()
    await rasa.close()
