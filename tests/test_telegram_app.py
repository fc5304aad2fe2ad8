"""End-to-end tests of the Telegram front end against a local Telegram emulator.

The bot (``build_application``) polls telegram-test-api 4.2.1 (``tests/emulator/server.js``, installed with
``npm ci --prefix tests/emulator``) inside the test's event loop; :mod:`telegram_emulator` plays the users.

The emulator implements only these Bot API methods: getMe, getUpdates, sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, deleteMessage, setWebhook, deleteWebhook. Every other method
(sendChatAction, setMyCommands, sendPhoto and the other send* methods, getChat, getFile, ...) is answered
with HTTP 500 "API method '...' is not supported". server.js patches three gaps at start-up: getMe lacks
``is_bot``; the bot's own messages come back dated in milliseconds; callback queries lose
``chat_instance``. It also always reports the chat of a bot message as private.

Tests taking the ``rasa_url`` fixture (tests/conftest.py) talk to a real Rasa and action server; the others
use a small stub of Rasa's REST webhook started here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from telegram.error import TelegramError

from bot.messages import MAX_INPUT_CHARS as MAX_CHARS
from bot.runtime.install_key import keyed_id
from bot.telegram import relay
from bot.telegram.callbacks import PayloadStore
from bot.telegram.context import KB_WAIT, KnowledgeBusy, deps, kb_call
from bot.telegram.relay import TYPING_AFTER, TypingBudget
from bot.telegram.send import split_text
from bot.telegram.texts import (
    ADMIN_ONLY,
    BUSY_TEXT,
    CONTACT_WARNING,
    ERROR_TEXT,
    KB_BUSY_SAVE,
    LONG_INPUT_TEXT,
    RETRY_INTRO,
    SAVE_BUTTON,
    TEXT_ONLY,
    UNKNOWN_COMMAND_TEXT,
)
from knowledge.catalog import TOPICS
from telegram_emulator import BOT_USERNAME, TelegramUser, free_port, running_bot

ROOT = Path(__file__).resolve().parents[1]
TOPIC_TITLES = [title for title, _ in TOPICS.values()]
LONG_PAYLOAD = '/ask_fee{"service":"dang_ky_thuong_tru","channel":"truc_tuyen","province":"ha_noi"}'


@pytest.fixture
async def stub_bot(emulator, rasa_stub):
    async with running_bot(emulator, rasa_stub.url) as bot:
        yield bot


@pytest.fixture
async def real_bot(emulator, rasa_url):
    async with running_bot(emulator, rasa_url, rasa_timeout=10.0) as bot:
        yield bot


async def test_start_shows_topics_and_topic_button_reaches_rasa(stub_bot, rasa_stub):
    user = stub_bot.user(1002)
    await user.send_command("/start")
    [greeting] = await user.replies()
    assert greeting.text.startswith("Xin chào Lan!")
    assert TOPIC_TITLES == [title for title, _ in greeting.buttons]
    assert all(len(greeting.raw["reply_markup"]["inline_keyboard"][i]) == 1 for i in range(len(TOPICS)))
    assert [] == rasa_stub.received

    await user.press(greeting, "Cư trú")
    [answer] = await user.replies()
    assert [(keyed_id("1002"), '/choose_topic{"topic":"cu_tru"}')] == rasa_stub.received
    assert 'Đã nhận: /choose_topic{"topic":"cu_tru"}' == answer.text


async def test_help_and_lienhe(stub_bot, rasa_stub):
    user = stub_bot.user(1003)
    await user.send_command("/help")
    [help_message] = await user.replies()
    assert "/lienhe" in help_message.text and f"@{BOT_USERNAME}" in help_message.text

    await user.send_command("/lienhe")
    await user.replies()
    assert [(keyed_id("1003"), "/contact_hotline")] == rasa_stub.received


async def test_status_only_for_admins_and_unknown_commands(emulator, rasa_stub):
    async with running_bot(emulator, rasa_stub.url, admin_ids={1020}) as bot:
        admin, citizen = bot.user(1020), bot.user(1021)
        await admin.send_command("/status")
        await citizen.send_command("/status")
        await citizen.send_command("/khongco")
        [status] = await admin.replies()
        refused, unknown = await citizen.replies(count=2)
    assert "Rasa: đang hoạt động." == status.text
    assert ADMIN_ONLY == refused.text
    assert UNKNOWN_COMMAND_TEXT == unknown.text
    assert [] == rasa_stub.received


async def test_empty_rasa_answer_is_treated_as_busy(stub_bot, rasa_stub):
    """Silence from Rasa means its action server failed: the user is told, and the question is kept."""
    rasa_stub.answers["???"] = []
    user = stub_bot.user(1022)
    await user.send_text("???")
    answer = (await user.replies())[0]
    assert answer.text.startswith(BUSY_TEXT)


async def test_long_payload_is_mapped_to_short_callback_data(stub_bot, rasa_stub):
    assert len(LONG_PAYLOAD.encode()) > 64
    rasa_stub.answers["phí"] = [
        {
            "text": "Bạn muốn hỏi lệ phí thủ tục nào?",
            "buttons": [
                {"title": "Thường trú", "payload": LONG_PAYLOAD},
                {"title": "Tạm trú", "payload": '/ask_fee{"service":"tam_tru"}'},
            ],
        }
    ]
    user = stub_bot.user(1004)
    await user.send_text("phí")
    [question] = await user.replies()
    assert ["Thường trú", "Tạm trú"] == [title for title, _ in question.buttons]
    assert all(len(data.encode()) <= 64 for _, data in question.buttons)

    await user.press(question, "Thường trú")
    await user.replies()
    await user.press(question, "Tạm trú")
    await user.replies()
    assert [
        (keyed_id("1004"), "phí"),
        (keyed_id("1004"), LONG_PAYLOAD),
        (keyed_id("1004"), '/ask_fee{"service":"tam_tru"}'),
    ] == rasa_stub.received


def test_payload_store_forgets_oldest_long_payloads():
    store = PayloadStore(maxsize=2)
    keys = [store.to_callback_data(LONG_PAYLOAD + str(i)) for i in range(3)]
    assert [None, LONG_PAYLOAD + "1", LONG_PAYLOAD + "2"] == [store.resolve(key) for key in keys]
    assert keys[1] == store.to_callback_data(LONG_PAYLOAD + "1")
    assert "/greet" == store.resolve(store.to_callback_data("/greet"))


async def test_expired_button_asks_to_retype(stub_bot, rasa_stub):
    rasa_stub.answers["phí"] = [{"text": "Chọn:", "buttons": [{"title": "Thường trú", "payload": LONG_PAYLOAD}]}]
    user = stub_bot.user(1005)
    await user.send_text("phí")
    [question] = await user.replies()
    deps(stub_bot.application).payloads = PayloadStore()  # as after a restart
    await user.press(question, "Thường trú")
    [answer] = await user.replies()
    assert "hết hạn" in answer.text
    assert [(keyed_id("1005"), "phí")] == rasa_stub.received


async def test_long_reply_is_split_on_paragraph_boundaries(stub_bot, rasa_stub):
    paragraphs = [f"Bước {i}:" + " nộp hồ sơ trực tuyến" * 24 for i in range(1, 11)]  # ~5,000 characters
    long_text = "\n\n".join(paragraphs)
    assert 4800 < len(long_text) < 5200
    rasa_stub.answers["dài"] = [{"text": long_text, "buttons": [{"title": "Tiếp", "payload": "/next"}]}]
    user = stub_bot.user(1006)
    await user.send_text("dài")
    first, second = await user.replies(count=2)
    assert all(len(part.text) <= 4096 for part in (first, second))
    assert long_text == first.text + "\n\n" + second.text
    assert ([], [("Tiếp", "p/next")]) == (first.buttons, second.buttons)


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("ngắn", 10, ["ngắn"]),
        ("aaa\n\nbbb\n\nccc", 8, ["aaa\n\nbbb", "ccc"]),
        ("aaa\nbbb\nccc\n\nd", 8, ["aaa\nbbb", "ccc\n\nd"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("😀😀😀", 4, ["😀😀", "😀"]),  # Telegram counts UTF-16 code units
    ],
)
def test_split_text(text, limit, expected):
    assert expected == split_text(text, limit)


async def test_html_in_replies_is_shown_as_text(stub_bot, rasa_stub):
    rasa_stub.answers["html"] = [{"text": "Phí <b>0 đồng</b> & miễn <phí>"}]
    user = stub_bot.user(1007)
    await user.send_text("html")
    [answer] = await user.replies()
    assert "Phí &lt;b&gt;0 đồng&lt;/b&gt; &amp; miễn &lt;phí&gt;" == answer.raw["text"]
    assert "Phí <b>0 đồng</b> & miễn <phí>" == answer.text


async def test_long_user_message_is_noticed_and_cut_before_rasa(stub_bot, rasa_stub):
    user = stub_bot.user(1008)
    await user.send_text("thủ tục " * 625)  # 5,000 characters
    notice, answer = await user.replies(count=2)
    assert LONG_INPUT_TEXT == notice.text
    [(sender, sent)] = rasa_stub.received
    assert keyed_id("1008") == sender  # the tracker never sees the raw chat id
    assert len(sent) <= MAX_CHARS and sent.startswith("thủ tục thủ tục")
    assert f"Đã nhận: {sent}".strip() == answer.text


STICKER = {
    "file_id": "s1",
    "file_unique_id": "u1",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "type": "regular",
}
PHOTO = [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]


@pytest.mark.parametrize(
    "content",
    [
        {"sticker": STICKER},
        {"photo": PHOTO, "caption": "ảnh giấy tờ"},
        {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}},
        {"audio": {"file_id": "a1", "file_unique_id": "u4", "duration": 3}},
        {"video": {"file_id": "m1", "file_unique_id": "u5", "width": 1, "height": 1, "duration": 1}},
        {"document": {"file_id": "d1", "file_unique_id": "u6", "file_name": "to_khai.pdf"}},
        {"location": {"latitude": 21.03, "longitude": 105.85}},
    ],
    ids=lambda content: next(iter(content)),
)
async def test_non_text_message_gets_polite_reply(stub_bot, rasa_stub, content):
    user = stub_bot.user(1009)
    await user.send_message(**content)
    [answer] = await user.replies()
    assert TEXT_ONLY == answer.text
    assert [] == rasa_stub.received


async def test_shared_contact_gets_privacy_warning_and_is_not_echoed(stub_bot, rasa_stub):
    user = stub_bot.user(1010)
    await user.send_message(contact={"phone_number": "+84912345678", "first_name": "Lan", "user_id": 1010})
    [answer] = await user.replies()
    assert CONTACT_WARNING == answer.text
    assert "912345678" not in answer.text
    assert [] == rasa_stub.received


async def test_group_answers_only_commands_mentions_and_replies(stub_bot, rasa_stub):
    group = -100500
    lan = stub_bot.user(2001, chat_id=group, chat_type="supergroup")
    binh = stub_bot.user(2002, chat_id=group, chat_type="supergroup")
    # Updates of one chat are handled in order, so each answered message also proves that the ignored
    # messages before it were dropped.
    await lan.send_text("Mọi người ơi, chiều nay họp lúc mấy giờ?")
    await lan.send_command(f"/help@{BOT_USERNAME}")
    [help_message] = await lan.replies()
    assert "Mình có thể giúp bạn" in help_message.text

    await binh.send_text("@someone_else lệ phí là bao nhiêu?")
    await binh.send_text(f"@{BOT_USERNAME} lệ phí thường trú là bao nhiêu?")
    [answer] = await binh.replies()
    assert "Đã nhận: lệ phí thường trú là bao nhiêu?" == answer.text

    await lan.send_text("Còn tạm trú thì sao?", reply_to=answer)
    [follow_up] = await lan.replies()
    assert "Đã nhận: Còn tạm trú thì sao?" == follow_up.text
    await lan.send_message(sticker=STICKER)  # not addressed to the bot: ignored
    await lan.send_command("/start")
    [greeting] = await lan.replies()
    assert TOPIC_TITLES == [title for title, _ in greeting.buttons]

    await binh.press(greeting, "VNeID")
    await binh.replies()
    assert [
        (keyed_id(f"{group}:2002"), "lệ phí thường trú là bao nhiêu?"),
        (keyed_id(f"{group}:2001"), "Còn tạm trú thì sao?"),
        (keyed_id(f"{group}:2002"), '/choose_topic{"topic":"vneid"}'),
    ] == rasa_stub.received


async def test_rasa_down_gives_busy_message(emulator):
    async with running_bot(emulator, f"http://127.0.0.1:{free_port()}") as bot:
        user = bot.user(1011)
        started = time.monotonic()
        await user.send_text("Lệ phí cấp căn cước?")
        [answer] = await user.replies()
    assert answer.text.startswith(BUSY_TEXT)
    assert time.monotonic() - started < 3


async def test_slow_rasa_gives_busy_message_within_timeout(emulator, rasa_stub):
    rasa_stub.delay = 5
    async with running_bot(emulator, rasa_stub.url, rasa_timeout=0.5) as bot:
        user = bot.user(1012)
        started = time.monotonic()
        await user.send_text("Lệ phí cấp căn cước?")
        [answer] = await user.replies(timeout=3)
    assert answer.text.startswith(BUSY_TEXT)
    assert time.monotonic() - started < 2


async def test_slow_rasa_is_waited_for_not_asked_twice(emulator, rasa_stub, monkeypatch):
    """Past the busy notice the same answer is still awaited and delivered: Rasa is asked once, not again."""
    monkeypatch.setattr(relay, "RASA_TIMEOUT", 0.3)
    rasa_stub.delay = 1.5
    async with running_bot(emulator, rasa_stub.url, rasa_timeout=10.0) as bot:
        user = bot.user(1016)
        await user.send_text("Lệ phí cấp căn cước?")
        messages = await user.replies(count=3, timeout=10)
    assert messages[0].text.startswith(BUSY_TEXT)
    assert messages[1].text.startswith(RETRY_INTRO.split("{", 1)[0])
    assert "Đã nhận: Lệ phí cấp căn cước?" == messages[2].text
    assert 1 == len(rasa_stub.received)


async def test_unexpected_error_reaches_error_handler(stub_bot, monkeypatch):
    async def broken_send(sender, text):
        raise RuntimeError("boom")

    monkeypatch.setattr(deps(stub_bot.application).rasa, "send", broken_send)
    user = stub_bot.user(1013)
    await user.send_text("xin chào")
    [answer] = await user.replies()
    assert ERROR_TEXT == answer.text


async def test_missing_send_chat_action_does_not_block_the_answer(stub_bot, rasa_stub, caplog):
    with pytest.raises(TelegramError, match="500"):  # the emulator's "not supported" answer
        await stub_bot.application.bot.send_chat_action(1014, "typing")
    caplog.set_level(logging.DEBUG, logger="bot.telegram")
    rasa_stub.delay = TYPING_AFTER + 0.3  # slow enough for the typing indicator
    user = stub_bot.user(1014)
    started = time.monotonic()
    await user.send_text("xin chào")
    [answer] = await user.replies()
    assert "Đã nhận: xin chào" == answer.text
    assert time.monotonic() - started < rasa_stub.delay + 0.5
    assert "sendChatAction failed" in caplog.text


async def test_run_polling_serves_until_sigterm(emulator, rasa_stub):
    token = f"123456:{uuid.uuid4().hex}"
    code = "import sys; from bot.telegram.app import run_polling; run_polling(*sys.argv[1:])"
    process = subprocess.Popen(
        [sys.executable, "-c", code, token, rasa_stub.url, emulator.bot_api_url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        async with TelegramUser(emulator.url, token, 1015) as user:
            await user.send_text("xin chào")
            [answer] = await user.replies(timeout=20)
        assert "Đã nhận: xin chào" == answer.text
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=10)
    assert 0 == process.returncode, stderr.decode()
    assert b"Traceback" not in stderr, stderr.decode()


# Real Rasa + action server (rasa_url from tests/conftest.py); last, so -x runs the stub tests first.
async def test_start_and_vneid_question(real_bot):
    user = real_bot.user(1001)
    await user.send_command("/start")
    [greeting] = await user.replies()
    assert TOPIC_TITLES == [title for title, _ in greeting.buttons]

    await user.send_text("Làm thế nào để kích hoạt tài khoản định danh điện tử mức 2?")
    answers = await user.replies(timeout=15, until=lambda messages: "1900 0368" in _joined(messages))
    assert "OTP" in _joined(answers)
    assert "1900 0368" in _joined(answers)


def _joined(messages) -> str:
    return "\n".join(message.text for message in messages)


# ---- a locked knowledge base (issue 12) ----------------------------------------------------------------------
@contextlib.contextmanager
def _locked(path: Path):
    """Another process's writer holding the knowledge base's write lock."""
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()


async def test_a_staff_save_under_a_lock_says_busy_saves_nothing_stalls_no_chat_and_can_be_pressed_again(
    emulator, rasa_stub, kb
):
    before = kb.get("fee_thuong_tru_tt75")["_revision"]
    async with running_bot(emulator, rasa_stub.url, admin_ids={1042}, kb=kb) as bot:
        staff, citizen = bot.user(1042), bot.user(1043)
        await staff.send_command("/anmuc fee_thuong_tru_tt75 thử khoá")
        [confirm] = await staff.replies()
        with _locked(kb.path):
            started = time.monotonic()
            await staff.press(confirm, SAVE_BUTTON)
            await asyncio.sleep(0.3)
            await citizen.send_command("/huongdan")  # reads while the save waits: answered at once
            [listing] = await citizen.replies(timeout=10)
            listed_after = time.monotonic() - started
            [busy] = await staff.replies(timeout=15)
            busy_after = time.monotonic() - started
            assert before == kb.get("fee_thuong_tru_tt75", include_retired=True)["_revision"]
        await staff.press(confirm, SAVE_BUTTON)
        deadline = time.monotonic() + 15
        while (
            "Đã lưu" not in (saved := next(m for m in await staff.history() if m.message_id == confirm.message_id)).text
        ):
            assert time.monotonic() < deadline, saved
            await asyncio.sleep(0.05)
    assert listing.buttons and listed_after < KB_WAIT
    assert KB_BUSY_SAVE == busy.text and KB_WAIT <= busy_after < KB_WAIT + 3
    assert saved.text.startswith("✅ Đã lưu mục")
    assert kb.get("fee_thuong_tru_tt75") is None  # retired on the second press


async def test_kb_call_turns_a_lock_into_knowledge_busy_and_runs_off_the_event_loop(emulator, rasa_stub, kb):
    async with running_bot(emulator, rasa_stub.url, kb=kb) as bot:
        app = bot.application

        def locked(_kb):
            raise sqlite3.OperationalError("database is locked")

        with pytest.raises(KnowledgeBusy):
            await kb_call(app, locked)
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await kb_call(app, lambda k: k.db.execute("select * from khong_co"))
        ticks = 0

        async def tick():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.05)

        ticker = asyncio.create_task(tick())
        with pytest.raises(KnowledgeBusy):
            await kb_call(app, lambda _kb: time.sleep(KB_WAIT + 2))
        ticker.cancel()
    assert ticks >= 20  # the loop kept running while the call waited in its thread


def test_typing_indicators_leave_the_rate_limit_to_answers():
    """Under load every answer is slow: only a few typing indicators a second, the rest skipped."""
    budget = TypingBudget(per_second=3)
    assert [True, True, True, False, False] == [budget.take(now=100.2) for _ in range(5)]
    assert budget.take(now=101.0) and budget.take(now=101.9)
