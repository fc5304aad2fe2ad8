"""Telegram-side doors of issue 12: forged ratings refused, malformed button data handled, webhook bodies that
are not an Update refused with 400, a gzip bomb refused without being inflated, statistics pruned after the
retention period."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram import CallbackQuery, Update, User
from telegram.ext import CallbackQueryHandler

from bot.rasa_client import RasaClient
from bot.runtime import paths
from bot.telegram import citizens
from bot.telegram.app import SECRET_HEADER, build_application, webhook_app
from bot.telegram.stats import Stats

TOKEN = "123456:security-tests"


def test_a_rating_counts_only_from_the_chat_that_asked(tmp_path):
    stats = Stats(tmp_path / "stats.db")
    mine = stats.record_message(111, "lệ phí thường trú", "ask_fee")
    assert not stats.record_rating(mine, -1, chat_id=222)  # "r|<id>|-1" forged in another chat
    assert not stats.record_rating(mine, -1)  # no chat: refused
    assert stats.record_rating(mine, 1, chat_id=111)
    assert [1] == [r["rating"] for r in stats.db.query("select rating from messages")]
    stats.close()


def test_statistics_are_pruned_after_the_retention(tmp_path, monkeypatch):
    stats = Stats(tmp_path / "stats.db")
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=31)
    stats.record_message(1, "câu cũ", None, now=old)
    stats.record_message(1, "câu mới", None)
    assert 1 == stats.prune()
    monkeypatch.setenv("DVCBOT_RETENTION_DAYS", "0")
    assert 1 == stats.prune(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1))
    stats.close()


def test_staff_see_unanswered_questions_only_redacted(tmp_path):
    stats = Stats(tmp_path / "stats.db")
    stats.record_message(1, "cccd 087/044/260/695 bị mất thì làm sao", "nlu_fallback")
    stats.record_message(1, 'p/ask_fee{"province":"0912876543"}', "nlu_fallback", kind="button")
    text = str(stats.summary()["unanswered"]) + str(list(stats.db.query("select text from messages")))
    assert "087" not in text and "0912876543" not in text and "<CCCD>" in text
    stats.close()


@pytest.fixture
def application(tmp_path):
    stats = Stats(tmp_path / "stats.db")
    app = build_application(TOKEN, RasaClient("http://127.0.0.1:9"), stats=stats, updater=False, kb=None)
    yield app
    stats.close()


def _callback_update(app, data: str) -> Update:
    user = User(7, "Dân", False)
    query = CallbackQuery("1", user, chat_instance="c", data=data)
    update = Update(1, callback_query=query)
    update.set_bot(app.bot)
    return update


@pytest.mark.parametrize("data", ["g|s|thuong_tru|abc", "g|l|s|x", "g|s|a|b|c", "g|c|thuong_tru|", "g|l|z|1"])
def test_malformed_button_data_goes_to_the_expired_button_answer(application, data):
    update = _callback_update(application, data)
    handlers = [
        h
        for group in application.handlers.values()
        for h in group
        if isinstance(h, CallbackQueryHandler) and h.check_update(update)
    ]
    assert handlers and handlers[0].callback is citizens.expired_button


@pytest.mark.parametrize("data", ["g|s|thuong_tru|1", "g|l|s|2", "g|x|thuong_tru", "g|c|thuong_tru|0"])
def test_well_formed_guide_data_still_reaches_the_guide(application, data):
    update = _callback_update(application, data)
    handlers = [
        h
        for group in application.handlers.values()
        for h in group
        if isinstance(h, CallbackQueryHandler) and h.check_update(update)
    ]
    assert handlers[0].callback is not citizens.expired_button


@pytest.mark.parametrize("body", [b"[1,2]", b'"x"', b"null", b"{}", b'{"update_id": "a"}', b"{bad"])
async def test_a_webhook_body_that_is_not_an_update_is_a_400(application, body):
    secret = "s3cret"
    async with TestClient(TestServer(webhook_app(application, secret))) as client:
        r = await client.post(
            "/telegram", data=body, headers={SECRET_HEADER: secret, "Content-Type": "application/json"}
        )
        assert 400 == r.status
        r = await client.post("/telegram", data=body, headers={SECRET_HEADER: "wrong"})
        assert 403 == r.status


BOMB_CHECK = """
import asyncio, json, resource, sys, zlib
from aiohttp.test_utils import TestClient, TestServer
from bot.rasa_client import RasaClient
from bot.runtime import paths
from bot.telegram.app import SECRET_HEADER, build_application, webhook_app

async def main():
    application = build_application("123456:bomb", RasaClient("http://127.0.0.1:9"), updater=False)
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip of 200 MB of spaces, built without holding them
    body = z.compress(b"{") + b"".join(z.compress(b" " * (1 << 20)) for _ in range(200)) + z.flush()
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    out, before = {"bytes": len(body)}, peak()
    async with TestClient(TestServer(webhook_app(application, "s3cret"))) as client:
        for secret in ("wrong", "s3cret"):
            headers = {SECRET_HEADER: secret, "Content-Encoding": "gzip", "Content-Type": "application/json"}
            r = await client.post("/telegram", data=body, headers=headers)
            out[secret] = [r.status, peak() - before]
    print(json.dumps(out))

asyncio.run(main())
"""


def test_a_gzip_bomb_at_the_webhook_is_refused_without_inflating_it():
    """Issue 12 (CVE-2025-69223): a 200 KB gzip body took Rasa's aiohttp 3.9.5 from 172 to 553 MB before the
    secret was checked. On the front environment's aiohttp the body is refused and memory stays flat (a fresh
    process, so its peak memory measures this request only)."""
    result = subprocess.run(
        [sys.executable, "-c", BOMB_CHECK], cwd=paths.ROOT, env=paths.env(), capture_output=True, text=True, timeout=120
    )
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["bytes"] < 256 * 1024
    assert 403 == out["wrong"][0] and out["wrong"][1] < 64  # MB
    assert out["s3cret"][0] in (400, 413) and out["s3cret"][1] < 64
