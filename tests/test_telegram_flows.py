"""End-to-end tests of the Telegram flows beyond plain questions: /phi, guide mode, /checklist, ratings and
statistics, staff knowledge edits, the retry queue while Rasa is down, privacy notes and webhook mode.

Same set-up as test_telegram_app.py: the real application polls the telegram-test-api emulator; tests
taking ``rasa_url`` talk to the real Rasa + action server, the others to :class:`RasaStub`.
Screens that the bot edits in place are read back with the emulator's history (edits applied); server.js
makes its editMessageText/editMessageReplyMarkup behave like Telegram's (a missing keyboard is removed).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import httpx
import pytest

from bot.rasa_client import RasaClient
from bot.runtime.install_key import keyed_id
from bot.telegram.app import build_application, serve_webhook
from bot.telegram.stats import Stats
from bot.telegram.texts import (
    ADMIN_ONLY,
    ASK_REASON,
    BACK,
    BUSY_TEXT,
    CANCELLED,
    DONE,
    FEE_ASK_SERVICE,
    NEXT,
    PRIVACY_NOTE,
    QUEUED_TEXT,
)
from knowledge.store import KnowledgeBase
from telegram_emulator import BotMessage, TelegramUser, free_port, running_bot

ADMIN, CITIZEN = 7001, 7002


@pytest.fixture
async def stub_bot(emulator, rasa_stub, kb):
    async with running_bot(emulator, rasa_stub.url, kb=kb) as bot:
        yield bot


@pytest.fixture
def stats(tmp_path):
    store = Stats(tmp_path / "stats.db")
    yield store
    store.close()


async def screen(user: TelegramUser, message: BotMessage, until=lambda m: True, timeout: float = 5.0) -> BotMessage:
    """The current state of a bot message (edits applied), once ``until`` holds for it."""
    deadline = time.monotonic() + timeout
    while True:
        current = next(m for m in await user.history() if m.message_id == message.message_id)
        if until(current):
            return current
        if time.monotonic() > deadline:
            raise TimeoutError(f"message {message.message_id} is still {current!r}")
        await asyncio.sleep(0.02)


async def no_more_replies(user: TelegramUser, wait: float = 0.6) -> None:
    """Assert the bot sends nothing more in this chat within ``wait`` seconds."""
    with pytest.raises(TimeoutError):
        extra = await user.replies(timeout=wait)
        pytest.fail(f"unexpected messages: {extra!r}")


def _joined(messages) -> str:
    return "\n".join(message.text for message in messages)


# ---- citizens ---------------------------------------------------------------------------------------------
async def test_phi_walks_service_province_channel_to_a_real_fee_answer(emulator, rasa_url, stats):
    async with running_bot(emulator, rasa_url, rasa_timeout=10.0, stats=stats) as bot:
        user = bot.user(CITIZEN)
        await user.send_command("/phi")
        [menu] = await user.replies()
        assert FEE_ASK_SERVICE == menu.text
        assert "Đăng ký thường trú" in [title for title, _ in menu.buttons]

        await user.press(menu, "Đăng ký thường trú")
        provinces = await screen(user, menu, lambda m: "tỉnh/thành nào" in m.text)
        assert [
            "Hà Nội",
            "Hồ Chí Minh",
            "Đà Nẵng",
            "Hải Phòng",
            "Nghệ An",
            "Lâm Đồng",
            "Toàn quốc",
            "✍️ Gõ tên tỉnh",
        ] == [title for title, _ in provinces.buttons]

        await user.press(provinces, "Nghệ An")
        channels = await screen(user, menu, lambda m: "nộp hồ sơ thế nào" in m.text)
        assert "Nghệ An" in channels.text

        await user.press(channels, "💻 Nộp trực tuyến")
        chosen = await screen(user, menu, lambda m: "mức của bạn" in m.text)
        assert [] == chosen.buttons
        answers = await user.replies(timeout=15, until=lambda ms: ms[-1].buttons)
        text = _joined(answers)
        assert text.startswith("Đăng ký thường trú (Nghệ An)")
        assert "nộp trực tuyến 10.000 đồng" in text and "nộp trực tiếp 20.000 đồng" in text
        answer = answers[-1]
        titles = [title for title, _ in answer.buttons]
        assert "📚 Chi tiết và nguồn" == titles[0] and ["👍", "👎"] == titles[-2:]

        await user.press(answer, "👍")
        rated = await screen(user, answer, lambda m: len(m.buttons) == len(titles) - 2)
        assert rated.text == answer.text
        assert titles[:-2] == [title for title, _ in rated.buttons]  # only the rating row goes
    summary = stats.summary()
    assert (1, 0) == (summary["thumbs_up"], summary["thumbs_down"])
    assert [("ask_fee", 1)] == summary["top_intents"]


async def test_phi_with_a_typed_province(emulator, rasa_url):
    async with running_bot(emulator, rasa_url, rasa_timeout=10.0) as bot:
        user = bot.user(CITIZEN)
        await user.send_command("/phi")
        [menu] = await user.replies()
        await user.press(menu, "Đăng ký tạm trú, gia hạn tạm trú")
        provinces = await screen(user, menu, lambda m: "tỉnh/thành nào" in m.text)
        await user.press(provinces, "✍️ Gõ tên tỉnh")
        await screen(user, menu, lambda m: "gõ tên tỉnh" in m.text)
        await user.send_text("tỉnh Xứ Sở Thần Tiên")
        [unknown] = await user.replies()
        assert "chưa nhận ra" in unknown.text
        await user.send_text("hai duong")
        [channels] = await user.replies()
        assert "Hải Dương" in channels.text
        await user.press(channels, "⚖️ So sánh cả hai")
        text = _joined(await user.replies(timeout=15, until=lambda ms: ms[-1].buttons))
        assert text.startswith("Đăng ký tạm trú") and "Hải Dương" in text
        assert "nộp trực tuyến 7.000 đồng" in text and "nộp trực tiếp 15.000 đồng" in text


async def test_id_number_in_a_question_gets_a_privacy_note_and_never_leaves_redacted(stub_bot, rasa_stub, stats):
    user = stub_bot.user(CITIZEN)
    await user.send_text("Số CCCD của tôi là 012345678901, kích hoạt VNeID thế nào?")
    note, answer = await user.replies(count=2)
    assert PRIVACY_NOTE == note.text
    [(_, sent)] = rasa_stub.received
    assert "<CCCD>" in sent and "012345678901" not in sent
    assert "012345678901" not in answer.text


async def test_rating_only_under_answers_and_stats_for_staff(emulator, rasa_stub, stats):
    rasa_stub.answers["menu"] = [{"text": "Chọn:", "buttons": [{"title": "A", "payload": "/a"}]}]
    rasa_stub.intents.update({"xin chào": "greet", "abc xyz": "nlu_fallback", "menu": "choose_topic"})
    async with running_bot(emulator, rasa_stub.url, admin_ids={ADMIN}, stats=stats) as bot:
        user, staff = bot.user(CITIZEN), bot.user(ADMIN)
        await user.send_text("menu")
        [menu] = await user.replies()
        assert [("A", "p/a")] == menu.buttons  # a menu is not rated
        await user.send_text("xin chào")
        await user.send_text("abc xyz")
        await user.send_text("Gọi cho tôi số 0912345678 nhé")
        answers = await user.replies(count=3)
        fallback = next(m for m in answers if m.text == "Đã nhận: abc xyz")
        assert ["👍", "👎"] == [title for title, _ in fallback.buttons]
        await user.press(fallback, "👎")
        await screen(user, fallback, lambda m: not m.buttons)

        await user.send_command("/thongke")
        [refused] = await user.replies()
        assert ADMIN_ONLY == refused.text
        await staff.send_command("/thongke")
        [report] = await staff.replies()
    assert "Tin nhắn: 4 (gõ chữ: 4, bấm nút: 0) từ 1 cuộc trò chuyện" in report.text
    assert "Tỉ lệ không hiểu (fallback): 25% (1/4)" in report.text
    assert "👍 0 · 👎 1" in report.text
    assert "1 × abc xyz" in report.text
    stored = [row["text"] for row in stats.db.query("select text from messages order by id")]
    assert "Gọi cho tôi số <SĐT> nhé" in stored
    assert str(CITIZEN) not in {row["chat"] for row in stats.db.query("select chat from messages")}


# ---- volunteers -------------------------------------------------------------------------------------------
async def test_guide_walks_steps_forward_and_back_in_one_message(stub_bot):
    user = stub_bot.user(CITIZEN)
    await user.send_command("/huongdan nhập hộ khẩu")
    [overview] = await user.replies()
    assert "Đăng ký thường trú" in overview.text and "Người dân cần chuẩn bị" in overview.text
    assert [NEXT, DONE] == [title for title, _ in overview.buttons]

    current = overview
    for step in (1, 2):
        await user.press(current, NEXT)
        current = await screen(user, overview, lambda m, s=step: f"bước {s}/5" in m.text)
    assert "Người dân cần có sẵn: Địa chỉ chỗ ở hợp pháp" in current.text
    assert [BACK, NEXT, DONE] == [title for title, _ in current.buttons]
    await user.press(current, BACK)
    current = await screen(user, overview, lambda m: "bước 1/5" in m.text)
    assert "Tài khoản định danh điện tử mức 2" in current.text
    await user.press(current, BACK)
    current = await screen(user, overview, lambda m: "Người dân cần chuẩn bị" in m.text)
    for step in range(1, 6):
        await user.press(current, NEXT)
        current = await screen(user, overview, lambda m, s=step: f"bước {s}/5" in m.text)
    assert [BACK, DONE] == [title for title, _ in current.buttons]  # last step: no «Tiếp»
    await user.press(current, DONE)
    done = await screen(user, overview, lambda m: "Xong hướng dẫn" in m.text)
    assert [] == done.buttons and "/checklist" in done.text
    await no_more_replies(user, wait=0.2)  # every screen edited the one message


async def test_guide_lists_services_page_by_page(stub_bot):
    user = stub_bot.user(CITIZEN)
    await user.send_command("/huongdan")
    [page1] = await user.replies()
    assert "trang 1/" in page1.text and "Trang sau ▶️" in [t for t, _ in page1.buttons]
    await user.press(page1, "Trang sau ▶️")
    page2 = await screen(user, page1, lambda m: "trang 2/" in m.text)
    assert "◀️ Trang trước" in [t for t, _ in page2.buttons]
    service = page2.buttons[0][0]
    await user.press(page2, service)
    overview = await screen(user, page1, lambda m: service in m.text)
    assert NEXT in [t for t, _ in overview.buttons]


async def test_checklist_by_name_by_list_and_unknown(stub_bot):
    user = stub_bot.user(CITIZEN)
    await user.send_command("/checklist nhap ho khau")
    [sheet] = await user.replies()
    assert sheet.text.startswith("DANH SÁCH CHUẨN BỊ: ĐĂNG KÝ THƯỜNG TRÚ")
    assert "☐ Tờ khai thay đổi thông tin cư trú (mẫu CT01)" in sheet.text
    assert "☐ 1. Đăng nhập ứng dụng VNeID" in sheet.text and "Nguồn:" in sheet.text

    await user.send_command("/checklist thủ tục không có thật xyz")
    [unknown] = await user.replies()
    assert "chưa tìm thấy" in unknown.text and "xyz" not in unknown.text  # never repeated back

    await user.send_command("/checklist")
    [menu] = await user.replies()
    first = menu.buttons[0][0]
    await user.press(menu, first)
    [picked] = await user.replies()
    assert picked.text.startswith(f"DANH SÁCH CHUẨN BỊ: {first.upper()}")


# ---- staff ------------------------------------------------------------------------------------------------
async def test_admin_edit_reaches_the_real_answer_and_citizens_are_refused(emulator, rasa_url):
    live = KnowledgeBase(os.environ["DVCBOT_KB_PATH"])  # the knowledge base the action server reads
    original = live.get("vneid_locked")
    marker = f"Mã kiểm thử {uuid.uuid4().hex[:6]}"
    try:
        async with running_bot(emulator, rasa_url, rasa_timeout=10.0, admin_ids={ADMIN}) as bot:
            staff, citizen = bot.user(ADMIN), bot.user(CITIZEN)
            await citizen.send_command("/suamuc vneid_locked")
            [refused] = await citizen.replies()
            assert ADMIN_ONLY == refused.text

            await staff.send_command("/xemmuc vneid_locked")
            [shown] = await staff.replies()
            assert f"phiên bản {original['_revision']}" in shown.text and "answer:" in shown.text

            await staff.send_command("/suamuc vneid_locked")
            [current] = await staff.replies()
            assert original["answer"][:40] in current.text
            await staff.send_text(f"Tài khoản bị khoá: gọi tổng đài 1900 0368. {marker}")
            [why] = await staff.replies()
            assert ASK_REASON == why.text
            await staff.send_text("Cập nhật theo hướng dẫn mới")
            [confirm] = await staff.replies()
            assert marker in confirm.text and [("✅ Lưu", "a|ok"), ("✖️ Huỷ", "a|no")] == confirm.buttons
            assert original["answer"] == live.get("vneid_locked")["answer"]  # nothing saved yet
            await staff.press(confirm, "✅ Lưu")
            saved = await screen(staff, confirm, lambda m: "Đã lưu" in m.text)
            assert f"phiên bản {original['_revision'] + 1}" in saved.text
            assert f"telegram:{ADMIN}" == live.history("vneid_locked")[-1]["author"]

            await citizen.send_command("/start")
            [greeting] = await citizen.replies()
            await citizen.press(greeting, "VNeID")
            [topic] = await citizen.replies(timeout=15)
            await citizen.press(topic, original["title"])
            answers = await citizen.replies(timeout=15, until=lambda ms: ms[-1].buttons)
            assert marker in _joined(answers)
    finally:
        live.revert("vneid_locked", original["_revision"], author="test", reason="dọn dẹp sau kiểm thử")
        live.close()


async def test_admin_add_retire_with_confirmation_and_clear_refusals(emulator, rasa_stub, kb):
    entry_yaml = (
        "id: faq_thu_nghiem_telegram\nkind: faq\ntitle: Câu hỏi thử nghiệm\ntopic: vneid\n"
        "questions:\n  - Câu thử một?\n  - Câu thử hai?\nanswer: Trả lời thử.\n"
        "verified_on: 2026-11-24\nstatus: published\n"
    )
    async with running_bot(emulator, rasa_stub.url, admin_ids={ADMIN}, kb=kb) as bot:
        staff = bot.user(ADMIN)
        await staff.send_command("/themmuc")
        await staff.replies()
        await staff.send_text(entry_yaml)  # no source
        [invalid] = await staff.replies()
        assert "chưa hợp lệ" in invalid.text and "source" in invalid.text
        await staff.send_text(entry_yaml + "source: Cổng Dịch vụ công quốc gia, https://dichvucong.gov.vn\n")
        await staff.replies()
        await staff.send_text("Thêm câu hỏi hay gặp")
        [confirm] = await staff.replies()
        await staff.press(confirm, "✅ Lưu")
        await screen(staff, confirm, lambda m: "Đã lưu" in m.text)
        assert "Trả lời thử." == kb.get("faq_thu_nghiem_telegram")["answer"]

        await staff.send_command("/anmuc faq_thu_nghiem_telegram không còn dùng")
        [confirm] = await staff.replies()
        await staff.press(confirm, "✖️ Huỷ")
        await screen(staff, confirm, lambda m: CANCELLED == m.text)
        assert kb.get("faq_thu_nghiem_telegram") is not None
        await staff.send_command("/anmuc faq_thu_nghiem_telegram không còn dùng")
        [confirm] = await staff.replies()
        await staff.press(confirm, "✅ Lưu")
        await screen(staff, confirm, lambda m: "Đã lưu" in m.text)
        assert kb.get("faq_thu_nghiem_telegram") is None

        # someone else saves while the staff member is typing: refused, not overwritten
        await staff.send_command("/suamuc vneid_locked")
        await staff.replies()
        other = kb.get("vneid_locked")
        other["answer"] = "Bản của người khác."
        kb.edit(other, author="cán bộ khác", reason="song song", base_revision=other["_revision"])
        await staff.send_text("Bản của tôi.")
        await staff.replies()
        await staff.send_text("Sửa lỗi chính tả")
        [confirm] = await staff.replies()
        await staff.press(confirm, "✅ Lưu")
        refused = await screen(staff, confirm, lambda m: "Không lưu được" in m.text)
        assert "đã được người khác sửa" in refused.text
        assert "Bản của người khác." == kb.get("vneid_locked")["answer"]


# ---- robustness -------------------------------------------------------------------------------------------
async def test_questions_asked_while_rasa_is_down_are_answered_once_when_it_is_back(emulator, rasa_stub):
    rasa_stub.down = True
    async with running_bot(emulator, rasa_stub.url, retry_interval=0.2) as bot:
        user = bot.user(CITIZEN)
        started = time.monotonic()
        await user.send_text("Lệ phí cấp căn cước?")
        [busy] = await user.replies()
        assert f"{BUSY_TEXT} {QUEUED_TEXT}" == busy.text and time.monotonic() - started < 3
        await user.send_text("Còn hộ chiếu thì sao?")
        await user.replies()
        rasa_stub.down = False
        replies = await user.replies(count=4, timeout=5)
        await no_more_replies(user)
    assert [
        (keyed_id("7002"), "Lệ phí cấp căn cước?"),
        (keyed_id("7002"), "Còn hộ chiếu thì sao?"),
    ] == rasa_stub.received
    assert replies[0].text.startswith("Đây là câu trả lời cho câu hỏi bạn gửi lúc ")
    assert ["Đã nhận: Lệ phí cấp căn cước?", "Đã nhận: Còn hộ chiếu thì sao?"] == [replies[1].text, replies[3].text]


async def test_waiting_question_goes_first_when_the_user_writes_again(emulator, rasa_stub):
    rasa_stub.down = True
    async with running_bot(emulator, rasa_stub.url, retry_interval=60) as bot:
        user = bot.user(CITIZEN)
        await user.send_text("câu một")
        await user.replies()
        rasa_stub.down = False
        await user.send_text("câu hai")
        intro, first, second = await user.replies(count=3)
        await no_more_replies(user, wait=0.3)
    assert intro.text.startswith("Đây là câu trả lời")
    assert ["Đã nhận: câu một", "Đã nhận: câu hai"] == [first.text, second.text]
    assert ["câu một", "câu hai"] == [text for _, text in rasa_stub.received]


async def test_retry_gives_up_politely_after_bounded_attempts(emulator, rasa_stub):
    rasa_stub.down = True
    async with running_bot(emulator, rasa_stub.url, retry_interval=0.1, retry_attempts=3) as bot:
        user = bot.user(CITIZEN)
        await user.send_text("câu hỏi")
        await user.replies()
        [gave_up] = await user.replies(timeout=5)
    assert "chưa trả lời được câu hỏi bạn gửi lúc" in gave_up.text


async def test_webhook_mode_checks_the_secret_token(emulator, rasa_stub):
    token = f"123456:{uuid.uuid4().hex}"
    rasa = RasaClient(rasa_stub.url, timeout=2)
    application = build_application(token, rasa, base_url=emulator.bot_api_url, updater=False)
    port, secret, stop = free_port(), "bi-mat-123", asyncio.Event()
    url = f"http://127.0.0.1:{port}/telegram"
    server = asyncio.create_task(serve_webhook(application, url, secret, "127.0.0.1", port, stop))
    try:
        async with TelegramUser(emulator.url, token, CITIZEN) as user, httpx.AsyncClient() as http:
            for _ in range(200):  # until the webhook listens (bounded)
                try:
                    wrong = await http.post(
                        url, json={"update_id": 1}, headers={"X-Telegram-Bot-Api-Secret-Token": "sai"}
                    )
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.02)
            assert 403 == wrong.status_code
            missing = await http.post(url, json={"update_id": 1})
            assert 403 == missing.status_code
            for _ in range(100):
                if application.running:
                    break
                await asyncio.sleep(0.02)
            await user.send_text("xin chào qua webhook")  # the emulator calls the webhook with the secret
            [answer] = await user.replies()
        assert "Đã nhận: xin chào qua webhook" == answer.text
    finally:
        stop.set()
        await server
        await rasa.close()


async def test_themmuc_refuses_a_yaml_alias_bomb_and_bad_yaml_with_the_line(emulator, rasa_stub, kb):
    """Issue 12: 589 bytes of nested aliases sent to /themmuc once became a 69 MB entry (1.1 GB of memory)."""
    bomb = (
        "\n".join(
            ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
            + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
        )
        + "\nid: faq_bom\nkind: faq\ntitle: '*a8'\n"
    )
    assert len(bomb.encode()) < 600
    before = kb.db.execute("select count(*) from revisions").fetchone()[0]
    async with running_bot(emulator, rasa_stub.url, admin_ids={ADMIN}, kb=kb) as bot:
        staff = bot.user(ADMIN)
        await staff.send_command("/themmuc")
        await staff.replies()
        await staff.send_text(bomb)
        [refused] = await staff.replies(timeout=10)
        await staff.send_text("id: [a\nkind: faq")
        [bad] = await staff.replies(timeout=10)
        await staff.send_command("/huy")
        await staff.replies()
    assert refused.text.startswith("Không đọc được YAML") and "bí danh" in refused.text and "dòng 1" in refused.text
    assert bad.text.startswith("Không đọc được YAML") and "(dòng 2, cột" in bad.text
    assert kb.get("faq_bom") is None and before == kb.db.execute("select count(*) from revisions").fetchone()[0]
