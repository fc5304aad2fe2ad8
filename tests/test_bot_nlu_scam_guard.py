"""The scam patterns: known scams in any spelling, and everyday questions that share their words."""

from __future__ import annotations

import pytest

from bot.nlu.scam_guard import scam_signals


@pytest.mark.parametrize(
    "text, signal",
    [
        ("cài vneid được thưởng 100k", "gift_for_app"),
        ("tai app duoc tang qua", "gift_for_app"),
        ("vừa có tin nhắn báo xe em bị phạt nguội, kèm link bắt bấm vào nộp phạt ngay", "fine_link"),
        ("nhan duoc sms co duong dan nop phat nguoi", "fine_link"),
        ("cong an goi bao doc ma otp de kich hoat vneid", "otp_request"),
        ("ho con bao cai app de lam viec online voi co quan dieu tra", "official_app"),
        ("Viện kiểm sát bắt tải ứng dụng lạ về để làm việc", "official_app"),
    ],
)
def test_scams_are_recognised(text, signal):
    assert signal in scam_signals(text)


@pytest.mark.parametrize(
    "text",
    [
        "lam online tren vneid 1 lan ra luon ca khai sinh, thuong tru voi the bhyt dc ko",  # thường trú, no reward
        "vneid có thường xuyên cập nhật không",
        "link nộp phạt nguội chính thức là gì",
        "đăng ký thường trú trên vneid cần gì",
        "cài ứng dụng VNeID để làm việc trực tuyến với cơ quan nhà nước được không",
    ],
)
def test_everyday_questions_are_not_scams(text):
    assert [] == scam_signals(text)
