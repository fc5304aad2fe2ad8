"""Personal data through the full stack, from every front end, then a search of every file the project wrote.

Fresh random values each run, so a hit can only come from this test: Telegram (front end process against
the emulator), ``dvcbot ask --batch`` and the REST client all talk to the session's Rasa and action server
(SQL tracker store in the session directory); then every file under ``$DVCBOT_VAR_DIR`` (databases, tracker
store, logs, endpoints), the model directory and the repository's ``var/`` is searched for the raw values.
"""

import asyncio
import json
import os
import random
import re
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest
import yaml

from bot.rasa_client import RasaClient
from bot.runtime import paths

RNG = random.Random()


def _digits(n: int, first: str = "") -> str:
    return first + "".join(RNG.choice("0123456789") for _ in range(n - len(first)))


CCCD = _digits(12, "0")
CMND = _digits(9, "1")
PHONE = _digits(10, "09")
OTP = _digits(6, "7")
CARD = _digits(16, "9704")
EMAIL = f"pii{_digits(6)}@gmail.com"
PASSWORD = f"Pw{uuid.uuid4().hex[:10]}"
RAW = [CCCD, CMND, PHONE, OTP, CARD, EMAIL, PASSWORD]
# the way people type them, with separators
TYPED_PHONE = f"{PHONE[:4]}.{PHONE[4:7]}.{PHONE[7:]}"
TYPED_CCCD = f"{CCCD[:3]} {CCCD[3:6]} {CCCD[6:9]} {CCCD[9:]}"

MESSAGES = [
    f"số căn cước của tôi là {CCCD}",
    f"cmnd cũ {CMND} có dùng để kích hoạt VNeID được không",
    f"sđt {TYPED_PHONE} không nhận được mã OTP",
    f"mã OTP là {OTP}",
    f"mật khẩu là {PASSWORD}",
    f"thẻ {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]} nộp lệ phí được không",
    f"email {EMAIL} của tôi, cccd {TYPED_CCCD}",
    f"có người gọi xưng công an bảo đọc mã OTP {OTP} cho họ",
]
WARNING = "đừng gửi"


async def _rest(url: str) -> list[str]:
    client = RasaClient(url, timeout=30)
    sender = f"pii-{uuid.uuid4().hex[:8]}"
    try:
        return ["\n".join(r["text"] for r in await client.send(sender, text)) for text in MESSAGES]
    finally:
        await client.close()


def _no_raw_value(text: str) -> None:
    digits = "".join(c for c in text if c.isdigit())
    for value in RAW:
        assert value not in text
    for number in (CCCD, CMND, PHONE, CARD):
        assert number not in digits


@pytest.fixture(scope="module")
def replies(rasa_url):
    return asyncio.run(_rest(rasa_url))


def test_rest_replies_never_echo_and_warn_about_secrets(replies):
    for reply in replies:
        _no_raw_value(reply)
    assert WARNING in replies[3] and "OTP" in replies[3]  # the OTP itself
    assert WARNING in replies[4]  # the password
    assert WARNING in replies[0]  # nothing but the ID number


def test_scam_wins_over_everything_else(replies):
    assert "lừa đảo" in replies[-1].lower()


def test_batch_front_end(run_dvcbot, rasa_url):
    lines = "\n".join(
        json.dumps({"sender": f"pii-batch-{i % 2}", "text": t}, ensure_ascii=False) for i, t in enumerate(MESSAGES)
    )
    result = run_dvcbot(["ask", "--batch", "-"], lines, env_extra={"DVCBOT_RASA_URL": rasa_url})
    assert 0 == result.returncode, result.stderr[-2000:]
    for line in result.stdout.splitlines():
        _no_raw_value(json.dumps(json.loads(line)["replies"], ensure_ascii=False))
    _no_raw_value(result.stderr)


@pytest.mark.emulator
def test_telegram_front_end(rasa_url):
    """The Telegram front end as a process (its log under the session directory) against the emulator."""
    from telegram_emulator import EMULATOR_DIR, Emulator, TelegramUser

    if not (EMULATOR_DIR / "node_modules").is_dir():
        pytest.skip("Telegram emulator not installed (npm ci --prefix tests/emulator)")
    token = f"123456:{uuid.uuid4().hex}"
    log = paths.VAR / "logs"
    log.mkdir(parents=True, exist_ok=True)
    with Emulator() as emulator, open(log / "telegram-privacy.log", "ab") as out:
        env = {
            **paths.env(),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_URL": emulator.bot_api_url,
            "DVCBOT_RASA_URL": rasa_url,
        }
        front = subprocess.Popen(
            [paths.front_python(), "-m", "bot.cli", "-v", "telegram"],
            cwd=paths.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:

            async def talk():
                async with TelegramUser(emulator.url, token, user_id=RNG.randint(10_000, 99_999)) as user:
                    seen = []
                    for text in MESSAGES:
                        await user.send_text(text)
                        seen += await user.replies(1, timeout=60)
                    return seen

            seen = asyncio.run(talk())
        finally:
            front.terminate()
            front.wait(timeout=30)
    assert seen
    for message in seen:
        _no_raw_value(message.text)


def _written_files():
    roots = [paths.VAR, paths.MODEL.parent, paths.ROOT / "var"]
    for root in roots:
        if root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def test_no_file_written_holds_the_raw_values(replies, rasa_url):
    # the front-end tests above ran first (file order); the tracker store must hold the placeholders
    # (Rasa keeps its SQLite connection open, so the latest turns may still be in the write-ahead log)
    tracker, wal = paths.VAR / "tracker.db", paths.VAR / "tracker.db-wal"
    assert tracker.is_file()
    assert b"<CCCD>" in tracker.read_bytes() + (wal.read_bytes() if wal.is_file() else b"")
    needles = [v.encode() for v in RAW + [TYPED_PHONE, TYPED_CCCD]]
    scanned = 0
    for path in _written_files():
        try:
            data = path.read_bytes()
        except OSError:
            continue
        scanned += 1
        for needle in needles:
            assert needle not in data, f"{needle!r} found in {path}"
    assert scanned >= 3
    assert any(p.name == "rasa.log" for p in _written_files())
    assert os.environ["DVCBOT_VAR_DIR"] == str(paths.VAR)


# ---- the corpus through the real stack (stack tests: they need the trained model and start Rasa) -----------
CORPUS = yaml.safe_load((Path(__file__).parent / "privacy_corpus.yml").read_text(encoding="utf-8"))
# the Telegram entrance gets the messages of the issue and the button data (a Telegram round trip is slower)
TELEGRAM_CORPUS = [m for m in CORPUS["messages"] if m.get("note") in ("issue 12", "button data", "name and address")]


def _corpus_needles() -> list[tuple[str, re.Pattern]]:
    """Every raw value of the corpus as a byte pattern; short numbers only as a whole word (not inside a longer
    run of digits such as a timestamp, nor inside a hex id such as Rasa's event ids or a keyed sender hash)."""
    values = {v for item in CORPUS["messages"] + CORPUS["sequences"] for v in item["raw"]}
    out = []
    for value in sorted(values):
        raw = re.escape(value.encode())
        out.append((value, re.compile(rb"(?<![0-9A-Za-z.])" + raw + rb"(?![0-9A-Za-z])" if value.isdigit() else raw)))
    return out


@pytest.fixture(scope="module")
def corpus_replies(rasa_url):
    async def send_all():
        client = RasaClient(rasa_url, timeout=60)
        replies = []
        try:
            for i, item in enumerate(CORPUS["messages"]):
                replies.append((item, [r["text"] for r in await client.send(f"corpus-{i % 7}", item["text"])]))
            for i, item in enumerate(CORPUS["sequences"]):
                sender = f"corpus-seq-{i}"
                for text in item["messages"]:
                    replies.append((item, [r["text"] for r in await client.send(sender, text)]))
        finally:
            await client.close()
        return replies

    return asyncio.run(send_all())


@pytest.mark.stack
def test_corpus_through_the_rest_entrance_is_never_echoed(corpus_replies):
    assert len(corpus_replies) >= 200
    for item, texts in corpus_replies:
        joined = "\n".join(t or "" for t in texts)
        for value in item["raw"]:
            assert value not in joined, f"{value!r} echoed for {item}"


@pytest.mark.stack
def test_corpus_through_the_telegram_entrance(rasa_url):
    from telegram_emulator import EMULATOR_DIR, Emulator, TelegramUser

    if not (EMULATOR_DIR / "node_modules").is_dir():
        pytest.skip("Telegram emulator not installed (npm ci --prefix tests/emulator)")
    token = f"123456:{uuid.uuid4().hex}"
    log = paths.VAR / "logs"
    log.mkdir(parents=True, exist_ok=True)
    with Emulator() as emulator, open(log / "telegram-corpus.log", "ab") as out:
        env = {
            **paths.env(),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_URL": emulator.bot_api_url,
            "DVCBOT_RASA_URL": rasa_url,
        }
        front = subprocess.Popen(
            [paths.front_python(), "-m", "bot.cli", "-v", "telegram"],
            cwd=paths.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:

            async def talk():
                async with TelegramUser(emulator.url, token, user_id=RNG.randint(10_000, 99_999)) as user:
                    seen = []
                    for item in TELEGRAM_CORPUS:
                        await user.send_text(item["text"])
                        seen.append((item, await user.replies(1, timeout=60)))
                    return seen

            seen = asyncio.run(talk())
        finally:
            front.terminate()
            front.wait(timeout=30)
    for item, messages in seen:
        for message in messages:
            for value in item["raw"]:
                assert value not in message.text


def _contents(path: Path):
    """A file's bytes, or the bytes of each member of a tar archive (the model): compressed bytes hide text."""
    if path.name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is not None:
                    yield f"{path}:{member.name}", handle.read()
        return
    try:
        yield str(path), path.read_bytes()
    except OSError:
        return


SHORT = 6  # a number shorter than this turns up by chance in megabytes of binary data (weights, pages)


def _may_hold(value: str, data: bytes) -> bool:
    """Short numbers are searched in text only: a logger or a store writes text, random bytes match by chance."""
    return len(value.replace(" ", "")) >= SHORT or b"\0" not in data[:8192]


@pytest.mark.stack
def test_no_file_written_holds_a_raw_value_of_the_corpus(corpus_replies):
    """Runs after the REST and Telegram corpus tests (file order): every file the project wrote is searched."""
    needles = _corpus_needles()
    scanned, hits = 0, []
    for path in _written_files():
        for name, data in _contents(path):
            scanned += 1
            hits += [f"{value!r} in {name}" for value, n in needles if _may_hold(value, data) and n.search(data)]
    assert scanned >= 3
    assert not hits, "\n".join(hits[:20])
