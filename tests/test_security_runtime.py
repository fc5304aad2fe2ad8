"""Doors of the runtime (issue 12): Rasa's HTTP API needs the run's token (which no command line shows), Rasa and
the action server listen on loopback only, and the staff id list is parsed strictly."""

import os
from pathlib import Path

import httpx
import pytest

from bot.cli.run import parse_admin_ids


@pytest.mark.parametrize(
    "value, ids",
    [
        ("", set()),
        ("12345", {12345}),
        ("12345,67890", {12345, 67890}),
        (" 12345 , 67890 ,", {12345, 67890}),
    ],
)
def test_admin_ids_are_comma_separated_integers(value, ids):
    assert ids == parse_admin_ids(value)


@pytest.mark.parametrize(
    "value, named",
    [
        ("11111111 22222222", "dấu phẩy, không phải dấu cách"),
        ("12345;67890", "'12345;67890'"),
        ("@canbo", "'@canbo'"),
        ("-5", "'-5'"),
        ("1.5", "'1.5'"),
    ],
)
def test_anything_else_is_a_clear_error(value, named):
    with pytest.raises(SystemExit) as info:
        parse_admin_ids(value)
    assert "ADMIN_TELEGRAM_IDS" in str(info.value) and named in str(info.value)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.stack
def test_rasa_and_the_action_server_listen_on_loopback_only(stack):
    for port in (stack.rasa_port, stack.action_port):
        addresses = _listening_addresses(port)
        assert addresses and addresses <= {"0100007F"}, (port, addresses)  # 127.0.0.1 only


@pytest.mark.stack
@pytest.mark.parametrize("path", ["/status", "/conversations/someone/tracker"])
def test_the_http_api_needs_the_token(rasa_url, path):
    assert 401 == httpx.get(f"{rasa_url}{path}", timeout=10).status_code
    assert 401 == httpx.get(f"{rasa_url}{path}", params={"token": "doan-bua"}, timeout=10).status_code
    assert (
        200 == httpx.get(f"{rasa_url}{path}", params={"token": os.environ["DVCBOT_RASA_TOKEN"]}, timeout=10).status_code
    )


@pytest.mark.stack
def test_the_token_is_on_no_command_line(stack):
    """``ps`` shows every local user the command lines: the token is not on Rasa's (nor on any other)."""
    token = os.environ["DVCBOT_RASA_TOKEN"].encode()
    rasa = Path(f"/proc/{stack.pid('rasa')}/cmdline").read_bytes()
    assert b"--enable-api" in rasa and b"--auth-token" not in rasa
    leaks = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and token in (proc / "cmdline").read_bytes():
                leaks.append(proc.name)
        except OSError:
            pass
    assert [] == leaks


@pytest.mark.stack
def test_the_rest_webhook_still_answers_without_the_token(rasa_url):
    r = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": "t", "message": "xin chào"}, timeout=60)
    assert 200 == r.status_code and r.json()


def test_tracker_events_older_than_the_retention_are_deleted(tmp_path, monkeypatch):
    import sqlite3
    import time

    from bot.runtime.tracker_store import TunedSQLTrackerStore

    db = tmp_path / "tracker.db"
    store = TunedSQLTrackerStore(dialect="sqlite", db=str(db))
    conn = sqlite3.connect(db)
    for age_days in (40, 1):
        conn.execute(
            "insert into events (sender_id, type_name, timestamp, data) values (?, ?, ?, ?)",
            ["h1", "user", time.time() - age_days * 86400, "{}"],
        )
    conn.commit()
    assert 1 == store.prune()
    monkeypatch.setenv("DVCBOT_RETENTION_DAYS", "0.5")
    TunedSQLTrackerStore(dialect="sqlite", db=str(db))  # opening prunes with the retention of the day
    assert 0 == conn.execute("select count(*) from events").fetchone()[0]


def test_the_sqlite_tracker_store_keeps_its_connection_and_its_conversations(tmp_path):
    import asyncio
    import sqlite3

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import event as sa_event

    from bot.runtime.tracker_store import TunedSQLTrackerStore

    db = tmp_path / "tracker.db"
    domain = Domain.from_yaml("slots:\n  province:\n    type: text\n    mappings: []\n")
    store = TunedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    connects = []
    sa_event.listen(store.engine, "connect", lambda *_: connects.append(1))
    for turn in range(3):
        tracker = asyncio.run(store.get_or_create_tracker("h1"))
        tracker.update(UserUttered(f"tin {turn}"))
        tracker.update(SlotSet("province", f"Tỉnh {turn}"))
        asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("h1"))
    assert "Tỉnh 2" == again.get_slot("province") and 3 == len([e for e in again.events if e.type_name == "user"])
    assert len(connects) <= 1  # one connection (at most) for six sessions: not one each
    assert "wal" == sqlite3.connect(db).execute("pragma journal_mode").fetchone()[0]
    assert isinstance(again, DialogueStateTracker)


def test_sender_ids_are_keyed_hashes(tmp_path):
    from bot.runtime.install_key import install_key, keyed_id

    assert keyed_id("123456789") == keyed_id("123456789") != keyed_id("123456788")
    assert "123456789" not in keyed_id("123456789")
    assert 32 == len(install_key(str(tmp_path))) and (tmp_path / "install.key").stat().st_mode & 0o077 == 0
