"""The ``dvcbot`` command as outside users call it: ``ask --batch`` (the evaluation contract) and ``ask``."""

import json

import pytest

BATCH = [
    {"sender": "a", "text": "Làm thế nào để kích hoạt tài khoản định danh điện tử mức 2?"},
    {"sender": "b", "text": "lệ phí bao nhiêu"},
    {"sender": "a", "text": "cảm ơn"},
    {"sender": "b", "text": "tạm trú"},
]


def check_batch_output(stdout, inputs):
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert len(inputs) == len(lines)
    for item, out in zip(inputs, lines):
        assert {"sender", "text", "replies"} == set(out)
        assert (item["sender"], item["text"]) == (out["sender"], out["text"])
        for reply in out["replies"]:
            assert {"text", "buttons"} <= set(reply) <= {"text", "buttons", "answer", "answered", "intent", "entry"}
            for button in reply["buttons"]:
                assert {"title", "payload"} == set(button)
    return lines


@pytest.mark.stack
def test_ask_batch_starts_its_own_stack(run_dvcbot):
    """The contract from a cold start: JSON lines in, one JSON line per input out, logs on stderr."""
    result = run_dvcbot(["ask", "--batch", "-"], "\n".join(json.dumps(x, ensure_ascii=False) for x in BATCH))
    assert 0 == result.returncode, result.stderr[-3000:]
    lines = check_batch_output(result.stdout, BATCH)
    assert "OTP" in lines[0]["replies"][0]["text"]
    # the same sender continues one conversation: "tạm trú" answers the pending fee question
    assert "7.000 đồng" in "".join(r["text"] for r in lines[3]["replies"])


def test_ask_batch_reports_bad_lines_and_goes_on(run_dvcbot, rasa_url, tmp_path):
    batch = tmp_path / "in.jsonl"
    good = {"sender": "c", "text": "xin chào"}
    batch.write_text("{not json\n" + json.dumps(good, ensure_ascii=False) + "\n[1,2]\n", "utf-8")
    result = run_dvcbot(["ask", "--batch", str(batch)], env_extra={"DVCBOT_RASA_URL": rasa_url})
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [1, None, 3] == [line.get("line") for line in lines]
    assert "Xin chào" in lines[1]["replies"][0]["text"]
    assert 1 == result.returncode


def test_ask_one_question(run_dvcbot, rasa_url):
    result = run_dvcbot(["ask", "lệ", "phí", "làm", "hộ", "chiếu"], env_extra={"DVCBOT_RASA_URL": rasa_url})
    assert 0 == result.returncode, result.stderr
    assert "hộ chiếu" in result.stdout.lower()


def test_help_lists_every_command(run_dvcbot):
    result = run_dvcbot(["--help"])
    for command in ("run", "chat", "ask", "telegram", "train", "kb"):
        assert command in result.stdout


def test_telegram_on_the_rasa_environment_hands_the_bot_to_the_front_environment(run_dvcbot, tmp_path):
    """``dvcbot telegram`` on ``.venv`` (Python 3.10) never runs the bot itself: it runs ``<front python> -m bot.cli
    telegram`` pointed at Rasa, and returns its exit code (a stand-in front Python records what it was given)."""
    record = tmp_path / "front.txt"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@ $DVCBOT_RASA_URL $TELEGRAM_BOT_TOKEN" > {record}\nexit 7\n', "utf-8")
    fake.chmod(0o755)
    env = {
        "DVCBOT_FRONT_PYTHON": str(fake),
        "DVCBOT_RASA_URL": "http://127.0.0.1:9",
        "TELEGRAM_BOT_TOKEN": "1:x",
        "ADMIN_TELEGRAM_IDS": "",
    }
    result = run_dvcbot(["telegram"], env_extra=env, timeout=60)
    assert 7 == result.returncode, result.stderr
    assert "-m bot.cli telegram http://127.0.0.1:9 1:x" == record.read_text("utf-8").strip()
    missing = run_dvcbot(["telegram"], env_extra={**env, "DVCBOT_FRONT_PYTHON": str(tmp_path / "khong-co")})
    assert 0 != missing.returncode and "make setup" in missing.stderr and "Traceback" not in missing.stderr
