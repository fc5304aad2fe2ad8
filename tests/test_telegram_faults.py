"""Bot API faults and a killed front end: every question is answered once (not zero, not twice).

The emulator (tests/emulator/server.js) injects faults through POST /dvcbotFaults: 429 with retry_after, 5xx,
or a call held past the bot's timeout. Rasa is :class:`RasaStub`. The last test runs the front end as a
process, SIGKILLs it while Rasa is still thinking, restarts it and checks the durable inbox answers once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from telegram import Update

from bot.runtime import paths
from bot.runtime.install_key import keyed_id
from bot.telegram.inbox import Inbox, bot_key
from bot.telegram.texts import ERROR_TEXT, RETRY_INTRO
from telegram_emulator import TelegramUser, running_bot

ROOT = Path(__file__).resolve().parents[1]
INTRO = RETRY_INTRO.split("{", 1)[0]


async def inject(emulator, token: str, method: str = "sendMessage", **fault) -> None:
    async with httpx.AsyncClient() as http:
        resp = await http.post(f"{emulator.url}/dvcbotFaults", json={"method": method, "token": token, **fault})
        resp.raise_for_status()


async def no_more_replies(user: TelegramUser, wait: float = 0.6) -> None:
    with pytest.raises(TimeoutError):
        extra = await user.replies(timeout=wait)
        pytest.fail(f"unexpected messages: {extra!r}")


async def test_429_with_retry_after_still_answers_once(emulator, rasa_stub):
    async with running_bot(emulator, rasa_stub.url) as bot:
        await inject(emulator, bot.token, status=429, retry_after=1)
        user = bot.user(8101)
        started = time.monotonic()
        await user.send_text("câu hỏi lúc bận")
        [answer] = await user.replies(timeout=8)
        assert time.monotonic() - started >= 1  # waited for retry_after
        await no_more_replies(user)
    assert "Đã nhận: câu hỏi lúc bận" == answer.text
    assert [(keyed_id("8101"), "câu hỏi lúc bận")] == rasa_stub.received


async def test_two_500s_on_send_message_still_answer_once(emulator, rasa_stub, caplog):
    async with running_bot(emulator, rasa_stub.url) as bot:
        await inject(emulator, bot.token, status=500, count=2)
        user = bot.user(8102)
        await user.send_text("câu hỏi khi Telegram lỗi")
        [answer] = await user.replies(timeout=8)
        await no_more_replies(user)
    assert "Đã nhận: câu hỏi khi Telegram lỗi" == answer.text
    assert 1 == len(rasa_stub.received)
    assert "sendMessage failed" in caplog.text


async def test_send_message_beyond_the_timeout_is_retried_without_duplicate(emulator, rasa_stub, caplog):
    async with running_bot(emulator, rasa_stub.url, api_timeout=0.5) as bot:
        await inject(emulator, bot.token, delay_ms=1500)
        user = bot.user(8103)
        await user.send_text("câu hỏi khi mạng chậm")
        [answer] = await user.replies(timeout=8)
        await no_more_replies(user, wait=1.5)  # the held call ends meanwhile: it sends nothing
    assert "Đã nhận: câu hỏi khi mạng chậm" == answer.text
    assert "TimedOut" in caplog.text


async def test_lasting_5xx_tells_the_user_and_the_bot_keeps_serving(emulator, rasa_stub):
    async with running_bot(emulator, rasa_stub.url) as bot:
        await inject(emulator, bot.token, status=502, count=3)  # every try of the answer fails
        user = bot.user(8104)
        await user.send_text("câu một")
        [told] = await user.replies(timeout=8)
        assert ERROR_TEXT == told.text
        await user.send_text("câu hai")
        [answer] = await user.replies()
        await no_more_replies(user)
    assert "Đã nhận: câu hai" == answer.text


async def test_update_delivered_again_is_answered_once(emulator, rasa_stub):
    async with running_bot(emulator, rasa_stub.url) as bot:
        user = bot.user(8105)
        raw = {
            "update_id": 900_000_000 + int(time.time()) % 1000,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "text": "câu hỏi gửi lại",
                "chat": {"id": 8105, "type": "private", "first_name": "Lan"},
                "from": {"id": 8105, "is_bot": False, "first_name": "Lan"},
            },
        }
        for _ in range(2):  # Telegram delivers the same update again (e.g. after a crash)
            await bot.application.process_update(Update.de_json(raw, bot.application.bot))
        [answer] = await user.replies()
        await no_more_replies(user)
    assert "Đã nhận: câu hỏi gửi lại" == answer.text
    assert 1 == len(rasa_stub.received)


def test_inbox_keeps_only_redacted_text_and_answers_once(tmp_path):
    inbox = Inbox(bot_key("t"), tmp_path / "inbox.db")
    try:
        assert inbox.record(1, 42, "42", "số căn cước 001203012345 của tôi", "text")
        assert not inbox.record(1, 42, "42", "lại lần nữa", "text")
        assert inbox.record(2, 42, "42", "câu hai", "text")
        inbox.answered(2)
        [item] = inbox.take_unanswered()
        assert (1, 42, "số căn cước <CCCD> của tôi") == (item.update_id, item.chat_id, item.text)
        assert [] == Inbox(bot_key("other"), tmp_path / "inbox.db").take_unanswered()
        for _ in range(2):  # a question that keeps failing is given up after MAX_TRIES starts
            inbox.take_unanswered()
        assert [] == inbox.take_unanswered()
    finally:
        inbox.close()
    assert b"001203012345" not in (tmp_path / "inbox.db").read_bytes()


def _front_end(token: str, rasa_url: str, emulator, log: Path) -> subprocess.Popen:
    code = "import sys; from bot.telegram.app import run_polling; run_polling(*sys.argv[1:])"
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", code, token, rasa_url, emulator.bot_api_url],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


async def test_front_end_killed_mid_conversation_answers_once_after_restart(emulator, rasa_stub, tmp_path):
    token = f"123456:{uuid.uuid4().hex}"
    log = tmp_path / "front.log"
    slow = rasa_stub.delay = 2.0  # the question is still with Rasa when the front end dies
    first = _front_end(token, rasa_stub.url, emulator, log)
    second = None
    try:
        async with TelegramUser(emulator.url, token, 8106) as user:
            await user.send_text("câu hỏi trước khi sập")
            deadline = time.monotonic() + 20
            while not rasa_stub.received:  # the front end got the question and asked Rasa
                assert time.monotonic() < deadline and first.poll() is None, log.read_text()
                await asyncio.sleep(0.02)
            asked = time.monotonic()
            first.send_signal(signal.SIGKILL)
            await asyncio.to_thread(first.wait, 10)
            rasa_stub.delay = 0
            second = _front_end(token, rasa_stub.url, emulator, log)
            intro, answer = await user.replies(count=2, timeout=20)
            await no_more_replies(user, wait=1.0)
            await user.send_text("câu hỏi sau khi chạy lại")
            [after] = await user.replies(timeout=5)
            await no_more_replies(user)
            await asyncio.sleep(max(0.0, asked + slow + 0.1 - time.monotonic()))  # the stub's slow call ends
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.to_thread(process.wait, 10)
    assert intro.text.startswith(INTRO), log.read_text()
    assert "Đã nhận: câu hỏi trước khi sập" == answer.text
    assert "Đã nhận: câu hỏi sau khi chạy lại" == after.text
    assert 0 == second.returncode
    assert "Traceback" not in log.read_text()
    with sqlite3.connect(paths.VAR / "telegram_inbox.db") as db:
        rows = db.execute("select answered_at is not null from inbox where bot = ?", [bot_key(token)]).fetchall()
    assert [(1,), (1,)] == rows
