"""Conversations through the real stack: trained model, dialogue rules, action server, knowledge base."""

import asyncio
import uuid

import pytest

from bot.rasa_client import RasaClient


class Chat:
    """One user talking to the running assistant."""

    def __init__(self, url):
        self.url = url
        self.sender = f"test-{uuid.uuid4().hex[:8]}"

    def say(self, text):
        async def go():
            client = RasaClient(self.url, timeout=30)
            try:
                return await client.send(self.sender, text)
            finally:
                await client.close()

        replies = asyncio.run(go())
        return "\n".join(r["text"] for r in replies), [b for r in replies for b in r["buttons"]]


@pytest.fixture
def chat(rasa_url):
    return Chat(rasa_url)


def test_vneid_level2_activation(chat):
    text, _ = chat.say("Làm thế nào để kích hoạt tài khoản định danh điện tử mức 2?")
    assert "1. " in text and "OTP" in text and "1900 0368" in text


def test_vneid_level2_activation_without_diacritics(chat):
    text, _ = chat.say("kich hoat tai khoan dinh danh dien tu muc 2 nhu the nao")
    assert "OTP" in text and "1900 0368" in text


def test_fee_then_other_province_then_documents(chat):
    text, _ = chat.say("lệ phí đăng ký thường trú bao nhiêu")
    assert "10.000 đồng" in text and "20.000 đồng" in text
    text, _ = chat.say("ở Nghệ An thì sao?")
    assert "Nghệ An" in text and "20.000 đồng" in text
    text, _ = chat.say("cần giấy tờ gì")
    assert text.startswith("Hồ sơ đăng ký thường trú")


def test_missing_service_is_asked_then_answered(chat):
    text, buttons = chat.say("lệ phí bao nhiêu vậy")
    assert "thủ tục nào" in text and buttons
    text, _ = chat.say(buttons[0]["payload"])
    assert "Lệ phí" in text


def test_online_fee_reduction_in_lam_dong(chat):
    text, _ = chat.say("nộp hồ sơ online ở Lâm Đồng có được giảm phí không")
    assert "20%" in text


def test_greeting_shows_topics(chat):
    text, buttons = chat.say("xin chào")
    assert "Xin chào" in text and len(buttons) == 7


def test_personal_data_gets_a_warning_and_is_not_echoed(chat):
    text, _ = chat.say("001203012345")
    assert "Không gửi" in text or "đừng gửi" in text
    assert "001203012345" not in text


def test_out_of_scope_is_honest(chat):
    text, _ = chat.say("dự báo thời tiết ngày mai thế nào")
    assert "ngoài phạm vi" in text


def test_button_payload_with_entity(chat):
    text, _ = chat.say('/ask_steps{"service":"tam_tru"}')
    assert "Các bước đăng ký tạm trú" in text


def test_staff_edit_reaches_the_running_bot_without_restart(chat):
    import os

    from knowledge.store import KnowledgeBase

    live = KnowledgeBase(os.environ["DVCBOT_KB_PATH"])
    fee = live.get("fee_tam_tru_tt75")
    original = fee["online"]
    try:
        live.edit({**fee, "online": 6500}, "cán bộ thử", "kiểm thử", fee["_revision"])
        text, _ = chat.say("lệ phí đăng ký tạm trú online bao nhiêu")
        assert "6.500 đồng" in text
    finally:
        current = live.get("fee_tam_tru_tt75")
        live.edit({**current, "online": original}, "cán bộ thử", "trả lại", current["_revision"])
    text, _ = chat.say("lệ phí đăng ký tạm trú online bao nhiêu")
    assert "7.000 đồng" in text
