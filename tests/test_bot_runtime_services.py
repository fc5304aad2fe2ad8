"""Several Rasa workers on real Redis and PostgreSQL (:mod:`bot.runtime.services`, :mod:`bot.runtime.stack`):
one worker killed in the middle of a small load loses nothing and answers nothing twice, and a conversation
it was holding goes on, with its context, on the other worker; retention prunes the PostgreSQL store."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bot.bench.load import SCRIPT, RestChannel, drive
from bot.messages import safe_text
from bot.rasa_client import RasaClient
from bot.runtime.services import redis_lock_store_yaml
from bot.runtime.stack import Stack, rasa_token, tracker_store_yaml


def test_lock_store_section_from_a_redis_url():
    section = redis_lock_store_yaml("redis://:s%40cret@10.0.0.5:6380/3")
    assert "type: redis" in section and 'url: "10.0.0.5"' in section and "port: 6380" in section
    assert "db: 3" in section and 'password: "s@cret"' in section


def test_postgresql_uses_the_store_that_prunes():
    section = tracker_store_yaml("postgresql://u:p@db:5432/dvcbot")
    assert "type: bot.runtime.tracker_store.TunedSQLTrackerStore" in section
    assert "dialect: postgresql" in section and 'url: "postgresql://u:p@db:5432/dvcbot"' in section


@pytest.fixture(scope="module")
def two_workers(live_kb_path):
    """Two Rasa workers, one action server, Redis and PostgreSQL started by the stack (data in the session dir)."""
    stack = Stack(workers=2, supervise=False).start(timeout=900)
    try:
        asyncio.run(_warm_up(stack))
        yield stack
    finally:
        stack.stop()


async def _warm_up(stack: Stack) -> None:
    """One message to each worker: a worker's first answer takes seconds (models loading), not the others'."""
    for name in stack.rasa_ports:
        client = RasaClient(stack.worker_url(name), timeout=120)
        try:
            await client.send(f"warm-up-{name}", "xin chào")
        finally:
            await client.close()


async def _user_texts(stack: Stack, sender: str) -> list[str]:
    async with httpx.AsyncClient(timeout=30) as http:
        resp = await http.get(
            f"{stack.worker_url('rasa')}/conversations/{sender}/tracker",
            params={"token": rasa_token(), "include_events": "ALL"},
        )
    return [e["text"] for e in resp.json()["events"] if e.get("event") == "user"]


@pytest.mark.stack
def test_a_worker_killed_mid_run_loses_nothing_and_conversations_go_on(two_workers):
    stack = two_workers
    assert stack.tracker_url.startswith("postgresql://") and stack.redis_url.startswith("redis://")
    client = RasaClient(stack.client_url, timeout=60)
    # a citizen whose conversation lives on the second worker, which will be killed
    sender = next(f"ctx-{i}" for i in range(100) if client.workers_for(f"ctx-{i}")[0] == stack.worker_url("rasa-2"))
    channel = RestChannel(stack.client_url, users=4)

    async def citizen() -> tuple[str, str, bool]:
        first = (await client.send(sender, "thủ tục đăng ký tạm trú cần giấy tờ gì"))[0]["text"]
        while stack.alive("rasa-2"):
            await asyncio.sleep(0.1)
        follow_up = (await client.send(sender, "còn phí thì sao"))[0]["text"]
        return first, follow_up, stack.alive("rasa-2")

    async def scenario():
        load = asyncio.create_task(
            drive(None, 4, 12.0, 0.2, stack=stack, kill="rasa-2", kill_at=4.0, restart=False, channel=channel)
        )
        try:
            talk = await citizen()
        finally:
            await client.close()
        return await load, talk

    started = time.monotonic()
    figures, (first, follow_up, second_alive) = asyncio.run(scenario())
    assert not second_alive and not stack.alive("rasa-2") and stack.alive("rasa")
    assert figures.sent >= 12 and figures.kill_at is not None and time.monotonic() - started > figures.kill_at
    assert 0 == figures.lost and figures.sent == figures.answered
    assert 0 == figures.answered_twice
    assert first.startswith("Đăng ký tạm trú") and "CT01" in first
    # answered by the first worker from the conversation the killed one stored: the service is remembered
    assert follow_up.startswith("Đăng ký tạm trú") and "đồng" in follow_up
    assert ["thủ tục đăng ký tạm trú cần giấy tờ gì", "còn phí thì sao"] == asyncio.run(_user_texts(stack, sender))
    # every load conversation holds its messages once each, in the order they were sent (redacted as sent)
    for user in range(4):
        texts = asyncio.run(_user_texts(stack, channel.sender(user)))
        expected = [safe_text(SCRIPT[(user + i) % len(SCRIPT)]) for i in range(len(texts))]
        assert texts and expected == texts


@pytest.mark.stack
def test_retention_prunes_the_postgresql_store(two_workers):
    from bot.runtime.tracker_store import TunedSQLTrackerStore  # noqa: PLC0415  (imports Rasa)

    store = TunedSQLTrackerStore(dialect="postgresql", host=two_workers.tracker_url)
    now = time.time()
    with store.session_scope() as session:
        for sender, age_days in (("old-one", 45), ("recent-one", 1)):
            session.add(store.SQLEvent(sender_id=sender, type_name="user", timestamp=now - 86400 * age_days, data="{}"))
        session.commit()
    assert store.prune(days=30) >= 1
    with store.session_scope() as session:
        left = {e.sender_id for e in session.query(store.SQLEvent).filter(store.SQLEvent.sender_id.like("%-one"))}
    assert {"recent-one"} == left
    store.engine.dispose()
