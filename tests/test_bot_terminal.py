"""Terminal chat: numbered buttons, typing a number presses one, and the real stack answers."""

import subprocess
import sys

from bot.runtime import paths
from bot.terminal import format_replies


def test_format_replies_numbers_buttons_across_replies():
    replies = [
        {"text": "A", "buttons": [{"title": "x", "payload": "/x"}]},
        {"text": "B", "buttons": [{"title": "y", "payload": "/y"}]},
    ]
    text, payloads = format_replies(replies)
    assert ["/x", "/y"] == payloads
    assert "  [1] x" in text and "  [2] y" in text


def test_chat_session(rasa_url):
    script = "lệ phí bao nhiêu\n1\n9\nthoát\n"
    env = {**paths.env(), "DVCBOT_RASA_URL": rasa_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=script,
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert 0 == result.returncode, result.stderr[-2000:]
    out = result.stdout
    assert "[1] Đăng ký thường trú" in out  # the question asked which service, with buttons
    assert "nộp trực tuyến 10.000 đồng" in out  # typing 1 pressed the first button
    assert "Không có lựa chọn số 9" in out
