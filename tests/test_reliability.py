"""Reliability: conversations survive restarts (SQL tracker store), killed processes are answered for and
recovered, a locked knowledge base is reported clearly, and bad input at every entrance gets an answer.

The module runs on its own :class:`bot.runtime.stack.Stack` (it kills processes), never on the session's.
"""

import asyncio
import os
import sqlite3
import time
import uuid

import httpx
import pytest

from bot.cli import main
from bot.rasa_client import EMPTY_REPLY, RasaClient, RasaUnavailable
from bot.runtime import paths
from bot.runtime.stack import Stack, tracker_store_yaml

BUSY = "Hệ thống đang bận"


def say(url, sender, text):
    async def go():
        client = RasaClient(url, timeout=30)
        try:
            return await client.send(sender, text)
        finally:
            await client.close()

    return asyncio.run(go())


def joined(replies):
    return "\n".join(r["text"] for r in replies)


def test_tracker_store_section(tmp_path):
    assert f'db: "{tmp_path / "tracker.db"}"' in tracker_store_yaml(var_dir=tmp_path, url="")
    assert "dialect: sqlite" in tracker_store_yaml(url=f"sqlite:///{tmp_path}/t.db")
    postgres = tracker_store_yaml(url="postgresql://u:p@db:5432/dvcbot")  # the store that prunes, on PostgreSQL
    assert 'url: "postgresql://u:p@db:5432/dvcbot"' in postgres and "TunedSQLTrackerStore" in postgres
    assert "" == tracker_store_yaml(url="memory")


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    """A stack this module may kill: its own ports and tracker database, the session's knowledge base."""
    from knowledge.store import open_kb

    open_kb(paths.env()["DVCBOT_KB_PATH"], sync=True).close()
    running = Stack(
        tracker_url=f"sqlite:///{tmp_path_factory.mktemp('tracker') / 'tracker.db'}", supervise=False
    ).start(timeout=240)
    yield running
    running.stop()


@pytest.fixture
def rasa_url(own_stack):
    """This module's own stack (healthy again after the fault tests) also takes the bad input."""
    own_stack.wait_healthy(120)
    return own_stack.rasa_url


def test_killed_action_server_is_answered_for_then_recovers(own_stack):
    sender = f"rel-{uuid.uuid4().hex[:8]}"
    own_stack.kill("actions")
    with pytest.raises(RasaUnavailable):  # front ends turn this into "busy, try again" and keep the message
        say(own_stack.rasa_url, sender, "lệ phí đăng ký thường trú")
    own_stack.restart("actions")
    after = joined(say(own_stack.rasa_url, sender, "lệ phí đăng ký thường trú"))
    assert "10.000 đồng" in after  # answered once recovered
    assert "10.000 đồng" in joined(say(own_stack.rasa_url, f"rel-{uuid.uuid4().hex[:8]}", "lệ phí đăng ký thường trú"))


def test_restarted_rasa_continues_the_conversation(run_dvcbot, own_stack):
    sender = f"rel-{uuid.uuid4().hex[:8]}"
    text = joined(say(own_stack.rasa_url, sender, "lệ phí bao nhiêu vậy"))
    assert "thủ tục nào" in text
    own_stack.kill("rasa")
    with pytest.raises(RasaUnavailable):
        say(own_stack.rasa_url, sender, "tạm trú")
    # every front end turns that into the busy message; the batch one shows it and goes on
    batch = run_dvcbot(
        ["ask", "--batch", "-"],
        '{"sender": "x", "text": "xin chào"}\n',
        env_extra={"DVCBOT_RASA_URL": own_stack.rasa_url},
        timeout=120,
    )
    assert BUSY in batch.stdout and "Traceback" not in batch.stderr
    own_stack.restart("rasa")
    # the pending question ("which service?") survived the restart: "tạm trú" answers it
    assert "7.000 đồng" in joined(say(own_stack.rasa_url, sender, "tạm trú"))
    assert "7.000 đồng" not in joined(say(own_stack.rasa_url, f"rel-{uuid.uuid4().hex[:8]}", "tạm trú"))


def test_watchdog_restarts_a_dead_process(own_stack):
    own_stack.start_watchdog()
    old = own_stack.pid("actions")
    own_stack.kill("actions")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and own_stack.pid("actions") in (None, old):
        time.sleep(0.2)
    own_stack.wait_healthy(60, names=("actions",))
    assert own_stack.pid("actions") not in (None, old)
    assert "Xin chào" in joined(say(own_stack.rasa_url, f"rel-{uuid.uuid4().hex[:8]}", "xin chào"))


# ---- locked knowledge base ----------------------------------------------------------------------------------
def test_locked_knowledge_base(run_dvcbot, rasa_url):
    """Another writer holds the lock: the bot still answers (WAL readers), a staff edit fails clearly."""
    kb_path = paths.env()["DVCBOT_KB_PATH"]
    before = sqlite3.connect(kb_path).execute("select count(*) from revisions").fetchone()[0]
    locker = sqlite3.connect(kb_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        assert "10.000 đồng" in joined(say(rasa_url, f"lock-{uuid.uuid4().hex[:6]}", "lệ phí đăng ký thường trú"))
        result = run_dvcbot(
            ["kb", "retire", "fee_thuong_tru_tt75", "--by", "test", "--why", "khoá"],
            env_extra={"DVCBOT_KB_BUSY_TIMEOUT_MS": "300"},
        )
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert 1 == result.returncode
    assert "đang bận" in result.stderr and "Traceback" not in result.stderr
    assert before == sqlite3.connect(kb_path).execute("select count(*) from revisions").fetchone()[0]


# ---- bad input at every entrance ------------------------------------------------------------------------------
BAD_CHAT = [
    "",
    "   \n\t ",
    "a" * 10_000,
    "lệ phí " * 1500,
    "\x00\x01\x07\x1b[31mlệ phí\x7f",
    "\u202eíhp ệl\u202c \u200b\ufeff",
    "\u0301\u0301\u0303",
    "Привет 你好 مرحبا kích hoạt VNeID",
    "😀🙏🇻🇳",
    "**lệ phí** _thường trú_ [bấm](http://example.invalid) `code`",
    "<script>alert(1)</script><b>lệ phí</b> &amp; &lt;",
    "'; DROP TABLE entries; -- lệ phí",
    '" OR 1=1 NEAR( * ^',
    "/ask_fee{bad json",
    '/ask_fee{"service":"khong_co_thu_tuc_nay"}',
    "/khong_co_intent",
    "/restart",
    "/back",
    "/session_start",
    "/nlu_fallback",
]


@pytest.mark.parametrize("text", BAD_CHAT, ids=range(len(BAD_CHAT)))
def test_bad_chat_text_gets_an_answer(rasa_url, text):
    replies = say(rasa_url, f"bad-{uuid.uuid4().hex[:6]}", text)
    assert replies and all(r["text"] or r["buttons"] for r in replies)
    if not text.strip():
        assert EMPTY_REPLY == replies[0]["text"]


def test_stack_and_knowledge_intact_after_bad_input(rasa_url):
    assert "Xin chào" in joined(say(rasa_url, f"bad-{uuid.uuid4().hex[:6]}", "xin chào"))
    conn = sqlite3.connect(paths.env()["DVCBOT_KB_PATH"])
    assert "ok" == conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert conn.execute("select count(*) from entries").fetchone()[0] > 10
    assert "10.000 đồng" in joined(say(rasa_url, f"bad-{uuid.uuid4().hex[:6]}", "lệ phí đăng ký thường trú"))


def test_malformed_rest_requests_do_not_hurt_rasa(rasa_url):
    for body in (b"{bad", b"[]", b'{"sender": 5}', b'{"message": null}', b"\xff\xfe"):
        r = httpx.post(
            f"{rasa_url}/webhooks/rest/webhook", content=body, headers={"Content-Type": "application/json"}, timeout=30
        )
        assert r.status_code in (200, 400, 422, 500)
    assert (
        httpx.get(f"{rasa_url}/status", params={"token": os.environ["DVCBOT_RASA_TOKEN"]}, timeout=10).status_code
        == 200
    )


def test_malformed_batch_lines(run_dvcbot, rasa_url, tmp_path):
    batch = tmp_path / "bad.jsonl"
    lines = [
        "{not json",
        "[1,2]",
        '{"text": 5}',
        '{"sender": "x"}',
        "null",
        '"chuỗi"',
        '{"sender": "x", "text": "' + "a" * 10_000 + '"}',
        '{"sender": "x", "text": ""}',
        '{"sender": {"a": 1}, "text": "xin chào"}',
    ]
    batch.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_dvcbot(["ask", "--batch", str(batch)], env_extra={"DVCBOT_RASA_URL": rasa_url})
    out = [__import__("json").loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(out)
    assert [1, 2, 3, 4, 5, 6] == [o["line"] for o in out if "line" in o]
    assert all(o["replies"] for o in out if "replies" in o)
    assert 1 == result.returncode and "Traceback" not in result.stderr


BAD_KNOWLEDGE = {
    "syntax.yml": "id: x\n  kind: [faq\n",
    "scalar.yml": "chỉ là một chuỗi\n",
    "numbers.yml": "- 1\n- 2\n",
    "missing.yml": "id: faq_thieu_truong\nkind: faq\n",
    "bad_date.yml": "id: faq_x\nkind: faq\ntitle: X\nstatus: ok\nverified_on: 2025-13-45\nsource: s\n",
    "binary.yml": "\x00\x01\x02",
    "empty.yml": "",
}


@pytest.mark.parametrize("name", sorted(BAD_KNOWLEDGE))
def test_malformed_knowledge_files_are_refused(live_kb_path, tmp_path, name, capsys):
    path = tmp_path / name
    path.write_text(BAD_KNOWLEDGE[name], "utf-8")
    kb_path = paths.env()["DVCBOT_KB_PATH"]
    before = sqlite3.connect(kb_path).execute("select count(*) from revisions").fetchone()[0]
    for args in (
        ["kb", "add", str(path), "--by", "test"],
        ["kb", "import", str(path), "--by", "test"],
        ["kb", "restore", str(path)],
    ):
        assert 1 == main(args), args  # an exception would fail the test here
        assert "✗" in capsys.readouterr().err
    assert before == sqlite3.connect(kb_path).execute("select count(*) from revisions").fetchone()[0]


def test_malformed_content_directory_is_reported(run_dvcbot, tmp_path):
    (tmp_path / "hong.yml").write_text("entries: [\n", "utf-8")
    result = run_dvcbot(["kb", "validate", "--dir", str(tmp_path)])
    assert 1 == result.returncode and "Traceback" not in result.stderr


def test_backup_and_restore(run_dvcbot, live_kb_path, tmp_path):
    backup = tmp_path / "kb-backup.db"
    result = run_dvcbot(["kb", "backup", str(backup)])
    assert 0 == result.returncode, result.stderr
    assert backup.is_file() and not (tmp_path / "kb-backup.db-wal").exists()
    again = run_dvcbot(["kb", "backup", str(backup)])
    assert 1 == again.returncode and "--force" in again.stderr
    result = run_dvcbot(["kb", "restore", str(backup)])
    assert 0 == result.returncode, result.stderr
    kept = list(paths.VAR.glob("knowledge.truoc-khoi-phuc-*.db")) + list(
        __import__("pathlib").Path(paths.env()["DVCBOT_KB_PATH"]).parent.glob("*.truoc-khoi-phuc-*")
    )
    assert kept and "giữ ở" in result.stdout
    assert "fee_thuong_tru_tt75" in run_dvcbot(["kb", "search", "lệ phí thường trú"]).stdout
