"""Red team of issue 12: attacks through the project's entrances, each reported as held or broke.

    .venv/bin/python tests/redteam.py [--rasa-url URL] [--no-telegram] [--json]

Without ``--rasa-url`` the real stack (trained model, action server, SQLite tracker store) is started on a
fresh data directory. Categories:

- ``pii-rest``: every message of tests/privacy_corpus.yml (and its split sequences) through the REST client
  the front ends use; held when no raw value comes back in a reply *and* none is in any file written
  (tracker store, logs, statistics, inbox);
- ``pii-telegram``: the issue's messages and the button data through the Telegram front end (emulator);
- ``buttons``: forged rating buttons from another chat, malformed guide data;
- ``echo``: text that tries to make the bot post a scam line or a street address as its own answer;
- ``api``: Rasa's HTTP API without or with a wrong token (conversations must not be readable);
- ``rest-bodies``: malformed webhook bodies; held when Rasa still answers;
- ``kb``: knowledge-base attacks through ``dvcbot kb`` (trigger in a backup, alias bomb, /dev/zero, backup
  over a content file, restore of the live file, validate of /etc);
- ``config``: ADMIN_TELEGRAM_IDS written wrongly;
- ``tg-echo``: text typed into the Telegram screens that do not go through Rasa (/checklist, /huongdan, the
  province typed in /phi, in a private chat and in a group) must not come back in the bot's reply;
- ``kb-busy``: a writer holds the knowledge base's lock while staff save: "đang bận" within seconds, nothing
  saved, and another citizen's chat is answered meanwhile;
- ``webhook``: the front end in webhook mode on its own environment: a gzip bomb with a wrong and with the right
  secret, a body that is no Update, no secret; held when refused and the process's peak memory stays flat;
- ``ps``: Rasa's token on no command line (``/proc/<pid>/cmdline``, what ``ps`` shows every local user).

``--only tg-echo,kb-busy,webhook`` runs some categories only (these three need no Rasa: the front end is pointed
at a closed port). Exit code 0 when every attack held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
sys.path[:0] = [str(ROOT), str(TESTS)]

FRESH_VAR = "DVCBOT_VAR_DIR" not in os.environ  # removed at the end (after its files were searched)
if FRESH_VAR:  # a fresh data directory before bot.runtime.paths is read
    os.environ["DVCBOT_VAR_DIR"] = tempfile.mkdtemp(prefix="dvcbot-redteam-")
    os.environ["DVCBOT_KB_PATH"] = os.path.join(os.environ["DVCBOT_VAR_DIR"], "knowledge.db")
os.environ["RASA_TELEMETRY_ENABLED"] = "false"

import httpx  # noqa: E402
import yaml  # noqa: E402

from bot.rasa_client import RasaClient, RasaUnavailable  # noqa: E402
from bot.runtime import paths  # noqa: E402

CATEGORIES = (
    "pii-rest",
    "pii-telegram",
    "buttons",
    "echo",
    "api",
    "rest-bodies",
    "kb",
    "config",
    "tg-echo",
    "kb-busy",
    "webhook",
    "ps",
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CORPUS = yaml.safe_load((TESTS / "privacy_corpus.yml").read_text("utf-8"))
DVCBOT = [sys.executable, "-m", "bot.cli"]
BOMB = (
    "\n".join(
        ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    )
    + "\nid: faq_bom\nkind: faq\ntitle: '*a8'\n"
)


class Report:
    """Held/broke per category, with the inputs that broke."""

    def __init__(self):
        self.rows: list[tuple[str, str, bool, str]] = []

    def add(self, category: str, attack: str, held: bool, detail: str = "") -> None:
        self.rows.append((category, attack, held, detail))

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for category, _, held, _ in self.rows:
            c = out.setdefault(category, {"held": 0, "broke": 0})
            c["held" if held else "broke"] += 1
        return out

    def print(self) -> None:
        for category, c in self.counts().items():
            print(
                f"{category:<14} {c['held'] + c['broke']:>4} tấn công: {c['held']:>4} giữ được, {c['broke']:>3} thủng"
            )
        held = sum(1 for r in self.rows if r[2])
        print(f"{'TỔNG':<14} {len(self.rows):>4} tấn công: {held:>4} giữ được, {len(self.rows) - held:>3} thủng")
        for category, attack, ok, detail in self.rows:
            if not ok:
                print(f"  ✗ [{category}] {attack[:90]!r} {detail[:160]}")


def _dvcbot(args: list[str], env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        DVCBOT + args, cwd=ROOT, env={**paths.env(), **(env or {})}, capture_output=True, text=True, timeout=timeout
    )


def _needle(value: str) -> re.Pattern:
    raw = re.escape(value.encode())
    return re.compile(rb"(?<![0-9.])" + raw + rb"(?![0-9])" if value.isdigit() else raw)


def _written_files() -> list[Path]:
    return [p for p in paths.VAR.rglob("*") if p.is_file() and p.suffix != ".key"]


def _files_holding(values: list[str], blobs: list[tuple[Path, bytes]]) -> list[str]:
    return [f"{v!r} in {p.name}" for v in values for p, data in blobs if _needle(v).search(data)]


# ---- REST ----------------------------------------------------------------------------------------------------
async def pii_rest(url: str, report: Report) -> list[tuple[str, list[str]]]:
    """Send the corpus; returns (attack, raw values) to look for in the files afterwards."""
    client = RasaClient(url, timeout=60)
    sent = []
    try:
        for i, item in enumerate(CORPUS["messages"]):
            replies = await client.send(f"rt-{i % 9}", item["text"])
            text = "\n".join(r["text"] or "" for r in replies)
            echoed = [v for v in item["raw"] if v in text]
            sent.append((item["text"], item["raw"], echoed))
        for i, item in enumerate(CORPUS["sequences"]):
            text = ""
            for message in item["messages"]:
                text += "\n".join(r["text"] or "" for r in await client.send(f"rt-seq-{i}", message))
            sent.append((" | ".join(item["messages"]), item["raw"], [v for v in item["raw"] if v in text]))
    finally:
        await client.close()
    return sent


async def echo_attacks(url: str, report: Report) -> None:
    attacks = [
        (
            "Cán bộ công an yêu cầu chuyển khoản vào tài khoản 0123456789 tại vneid-hotro.com, xã Mỹ Yên, "
            "huyện Bến Lức, tỉnh Long An có sáp nhập không",
            ["vneid-hotro.com", "chuyển khoản vào tài khoản"],
        ),
        ("Nguyễn Văn Khoát, xã Mỹ Yên, huyện Bến Lức, tỉnh Long An giờ thuộc tỉnh nào", ["Khoát"]),
        ("địa chỉ mới của số nhà 12 ngõ 34 phố Láng Hạ, phường Láng Hạ là gì", ["ngõ 34", "số nhà 12"]),
        ("lệ phí ở tỉnh Gọi 0912876543 để được hỗ trợ", ["0912876543", "Gọi 09"]),
        ("thủ tục <b>Nhắn tin tới vneid-hotro.com</b> thế nào", ["vneid-hotro.com", "<b>"]),
        ("hộ chiếu số C7391046 làm lại ở tỉnh nào", ["C7391046"]),
    ]
    client = RasaClient(url, timeout=60)
    try:
        for text, forbidden in attacks:
            replies = "\n".join(r["text"] or "" for r in await client.send(f"rt-echo-{uuid.uuid4().hex[:6]}", text))
            bad = [f for f in forbidden if f in replies]
            report.add("echo", text, not bad, f"trả lời lặp lại {bad}" if bad else "")
    finally:
        await client.close()


def api_attacks(url: str, report: Report) -> None:
    checks = [
        ("GET", "/conversations/rt-0/tracker", None),
        ("GET", "/conversations/rt-0/tracker", "sai"),
        ("GET", "/conversations/rt-0/story", None),
        ("GET", "/status", None),
        ("GET", "/domain", None),
        ("POST", "/conversations/rt-0/messages", None),
        ("PUT", "/model", None),
        ("POST", "/conversations/rt-0/trigger_intent", None),
        ("DELETE", "/model", None),
    ]
    for method, path, token in checks:
        params = {"token": token} if token else {}
        try:
            r = httpx.request(
                method, url + path, params=params, json={}, timeout=10, headers={"Accept": "application/json"}
            )
            held = r.status_code in (401, 403)
            report.add("api", f"{method} {path} token={token}", held, f"HTTP {r.status_code}")
        except httpx.HTTPError as exc:
            report.add("api", f"{method} {path}", True, str(exc))


def rest_bodies(url: str, report: Report) -> None:
    for body in (b"{bad", b"[1,2]", b'{"sender": 5}', b'{"message": null}', b"\xff\xfe", b"a" * 200_000):
        try:
            httpx.post(
                f"{url}/webhooks/rest/webhook", content=body, timeout=30, headers={"Content-Type": "application/json"}
            )
        except httpx.HTTPError:
            pass
        ok = (
            httpx.post(
                f"{url}/webhooks/rest/webhook", json={"sender": "rt-ok", "message": "xin chào"}, timeout=60
            ).status_code
            == 200
        )
        report.add("rest-bodies", repr(body[:20]), ok, "" if ok else "Rasa không trả lời sau đó")


# ---- knowledge base ------------------------------------------------------------------------------------------
def kb_attacks(report: Report) -> None:
    work = Path(tempfile.mkdtemp(prefix="redteam-kb-"))
    kb = work / "knowledge.db"
    env = {"DVCBOT_KB_PATH": str(kb)}
    _dvcbot(["kb", "build"], env, timeout=120)
    revisions = lambda: sqlite3.connect(kb).execute("select count(*) from revisions").fetchone()[0]  # noqa: E731
    before = revisions()
    backup = work / "sao-luu.db"
    _dvcbot(["kb", "backup", str(backup)], env)
    trapped = work / "bay.db"
    shutil.copy(backup, trapped)
    conn = sqlite3.connect(trapped)
    conn.execute(
        "CREATE TRIGGER rewrite AFTER UPDATE ON entries BEGIN UPDATE entries SET data = "
        "replace(data, 'VNeID', 'chuyển khoản vào tài khoản 0123456789'); END"
    )
    conn.commit()
    conn.close()
    (work / "bom.yml").write_text(BOMB, "utf-8")
    content = ROOT / "knowledge" / "content" / "vneid.yml"
    content_before = content.read_bytes()
    attacks = [
        ("restore a backup with a CREATE TRIGGER", ["kb", "restore", str(trapped)]),
        ("kb add of a 589-byte alias bomb", ["kb", "add", str(work / "bom.yml"), "--by", "rt"]),
        ("kb import of the alias bomb", ["kb", "import", str(work / "bom.yml"), "--by", "rt"]),
        ("kb import /dev/zero", ["kb", "import", "/dev/zero", "--by", "rt"]),
        ("kb backup --force over a content file", ["kb", "backup", "--force", str(content)]),
        ("kb restore of the live file", ["kb", "restore", str(kb)]),
        ("kb validate --dir /etc", ["kb", "validate", "--dir", "/etc"]),
        ("kb backup --force over a text file", ["kb", "backup", "--force", str(work / "ghi-chu.txt")]),
    ]
    (work / "ghi-chu.txt").write_text("giữ nguyên", "utf-8")
    for name, args in attacks:
        try:
            result = _dvcbot(args, env, timeout=30)
            held = (
                result.returncode != 0
                and "Traceback" not in result.stderr
                and revisions() == before
                and content.read_bytes() == content_before
                and not sqlite3.connect(kb)
                .execute("select count(*) from sqlite_master where type = 'trigger' and name = 'rewrite'")
                .fetchone()[0]
            )
            report.add("kb", name, held, (result.stderr or result.stdout).strip()[-160:])
        except subprocess.TimeoutExpired:
            report.add("kb", name, False, "treo quá 30 s")
    if content.read_bytes() != content_before:
        content.write_bytes(content_before)
    shutil.rmtree(work, ignore_errors=True)


def config_attacks(report: Report) -> None:
    for value in ("11111111 22222222", "12345;67890", "@canbo", "-5", "1e3"):
        result = _dvcbot(
            ["telegram"],
            {"ADMIN_TELEGRAM_IDS": value, "TELEGRAM_BOT_TOKEN": "1:x", "DVCBOT_RASA_URL": "http://127.0.0.1:9"},
            timeout=30,
        )
        held = result.returncode != 0 and "ADMIN_TELEGRAM_IDS" in result.stderr and "Traceback" not in result.stderr
        report.add("config", f"ADMIN_TELEGRAM_IDS={value!r}", held, result.stderr.strip()[-120:])


# ---- Telegram --------------------------------------------------------------------------------------------------
async def telegram_attacks(url: str, report: Report) -> list[tuple[str, list[str], list[str]]]:
    from telegram_emulator import EMULATOR_DIR, Emulator, TelegramUser

    if not (EMULATOR_DIR / "node_modules").is_dir():
        print("(bỏ qua Telegram: chưa cài trình giả lập, `make emulator`)", file=sys.stderr)
        return []
    items = [m for m in CORPUS["messages"] if m.get("note") in ("issue 12", "button data", "name and address")]
    token = f"123456:{uuid.uuid4().hex}"
    sent = []
    (paths.VAR / "logs").mkdir(parents=True, exist_ok=True)
    with Emulator() as emulator, open(paths.VAR / "logs" / "telegram-redteam.log", "ab") as out:
        env = {
            **paths.env(),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_URL": emulator.bot_api_url,
            "DVCBOT_RASA_URL": url,
        }
        front = subprocess.Popen(
            [paths.front_python(), "-m", "bot.cli", "-v", "telegram"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            async with (
                TelegramUser(emulator.url, token, user_id=424242) as citizen,
                TelegramUser(emulator.url, token, user_id=515151) as attacker,
            ):
                for item in items:
                    await citizen.send_text(item["text"])
                    seen = await citizen.replies(1, timeout=60)
                    text = "\n".join(m.text or "" for m in seen)
                    sent.append((item["text"], item["raw"], [v for v in item["raw"] if v in text]))
                time.sleep(1)
                # forged ratings of the citizen's answers, and malformed guide data, from another chat
                for data in [f"r|{i}|-1" for i in range(1, 31)] + ["g|s|thuong_tru|abc", "g|l|s|x", "g|s|a|b|c"]:
                    await attacker._post(
                        "/sendCallback",
                        {
                            "botToken": token,
                            "from": attacker.user,
                            "data": data,
                            "chat_instance": "x",
                            "message": {
                                "message_id": 1,
                                "date": int(time.time()),
                                "chat": attacker.chat,
                                "text": "?",
                                "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
                            },
                        },
                    )
                await asyncio.sleep(3)
        finally:
            front.terminate()
            front.wait(timeout=30)
    stats = paths.VAR / "stats.db"
    rated = (
        sqlite3.connect(stats).execute("select count(*) from messages where rating = -1").fetchone()[0]
        if stats.exists()
        else 0
    )
    for i in range(1, 31):
        report.add("buttons", f"r|{i}|-1 from another chat", rated == 0, f"{rated} đánh giá giả được lưu")
    log = (paths.VAR / "logs" / "telegram-redteam.log").read_text("utf-8", "replace")
    for data in ("g|s|thuong_tru|abc", "g|l|s|x", "g|s|a|b|c"):
        report.add("buttons", data, "ValueError" not in log and "Traceback" not in log, "lỗi chưa xử lý trong log")
    return sent


# ---- Telegram screens without Rasa, the knowledge base under a lock, the webhook, ps --------------------------
SCAM = "Cán bộ công an yêu cầu chuyển khoản vào tài khoản 0123456789 tại vneid-hotro.com"
SCAM_MARKS = ["vneid-hotro.com", "0123456789", "chuyển khoản vào tài khoản"]
STAFF_ID = 777001


def _front(env: dict, log: Path) -> subprocess.Popen:
    """``dvcbot telegram`` on the front environment's Python."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [paths.front_python(), "-m", "bot.cli", "-v", "telegram"],
            cwd=ROOT,
            env={**paths.env(), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def front_attacks(url: str, report: Report, only: set[str]) -> None:
    from telegram_emulator import EMULATOR_DIR, Emulator, TelegramUser

    if not (EMULATOR_DIR / "node_modules").is_dir():
        print("(bỏ qua tg-echo, kb-busy: chưa cài trình giả lập, `make emulator`)", file=sys.stderr)
        return
    token = f"123456:{uuid.uuid4().hex}"
    (paths.VAR / "logs").mkdir(parents=True, exist_ok=True)
    with Emulator() as emulator:
        front = _front(
            {
                "TELEGRAM_BOT_TOKEN": token,
                "TELEGRAM_API_URL": emulator.bot_api_url,
                "DVCBOT_RASA_URL": url,
                "ADMIN_TELEGRAM_IDS": str(STAFF_ID),
            },
            paths.VAR / "logs" / "telegram-redteam-front.log",
        )
        try:
            async with (
                TelegramUser(emulator.url, token, user_id=616161) as citizen,
                TelegramUser(emulator.url, token, user_id=626262, chat_id=-1006262, chat_type="group") as group,
                TelegramUser(emulator.url, token, user_id=STAFF_ID) as staff,
                TelegramUser(emulator.url, token, user_id=636363) as other,
            ):
                await citizen.send_command("/start")
                await citizen.replies(1, timeout=120)  # the front end is up
                if "tg-echo" in only:
                    await _echo_screens(citizen, group, report)
                if "kb-busy" in only:
                    await _kb_busy(staff, other, report)
        finally:
            _stop(front)


async def _echo_screens(citizen, group, report: Report) -> None:
    from telegram_emulator import BOT_USERNAME

    attacks = [
        (citizen, f"/checklist {SCAM}"),
        (citizen, f"/huongdan {SCAM}"),
        (group, f"/checklist@{'{bot}'} {SCAM}, xã Mỹ Yên, huyện Bến Lức"),
        (citizen, "/checklist hộ chiếu số C7391046 của Nguyễn Văn Khoát"),
    ]
    for user, text in attacks:
        text = text.replace("{bot}", BOT_USERNAME)
        await user.send_command(text)
        replies = "\n".join(m.text or "" for m in await user.replies(1, timeout=30))
        bad = [m for m in SCAM_MARKS + ["C7391046", "Khoát", "Mỹ Yên"] if m in replies]
        report.add("tg-echo", text, not bad, f"trả lời lặp lại {bad}" if bad else "")
    # the province typed into the /phi walk-through (its screens are edits of one message)
    for typed in (SCAM, "số nhà 12 ngõ 34 phố Láng Hạ, Nguyễn Văn Khoát"):
        await citizen.send_command("/phi")
        [menu] = await citizen.replies(1, timeout=30)
        await citizen.press(menu, menu.buttons[0][0])
        provinces = await _screen(citizen, menu, lambda m: "tỉnh/thành nào" in (m.text or ""))
        await citizen.press(provinces, "✍️ Gõ tên tỉnh")
        await _screen(citizen, menu, lambda m: "gõ tên tỉnh" in (m.text or ""))
        await citizen.send_text(typed)
        replies = "\n".join(m.text or "" for m in await citizen.replies(1, timeout=30))
        bad = [m for m in SCAM_MARKS + ["ngõ 34", "Khoát"] if m in replies]
        report.add("tg-echo", f"/phi, tỉnh gõ tay: {typed}", not bad, f"trả lời lặp lại {bad}" if bad else "")
        await citizen.send_command("/huy")
        await citizen.replies(1, timeout=30)


async def _screen(user, message, until, timeout: float = 30.0):
    """The current state of a bot message (edits applied), once ``until`` holds for it."""
    deadline = time.monotonic() + timeout
    while True:
        current = next(m for m in await user.history() if m.message_id == message.message_id)
        if until(current) or time.monotonic() > deadline:
            return current
        await asyncio.sleep(0.05)


async def _kb_busy(staff, other, report: Report) -> None:
    kb_path = os.environ["DVCBOT_KB_PATH"]
    revisions = lambda: sqlite3.connect(kb_path).execute("select count(*) from revisions").fetchone()[0]  # noqa: E731
    entry = "fee_thuong_tru_tt75"
    await staff.send_command(f"/anmuc {entry} thử khoá")
    [confirm] = await staff.replies(1, timeout=30)
    before = revisions()
    locker = sqlite3.connect(kb_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        await staff.press(confirm, "✅ Lưu")
        await asyncio.sleep(0.3)
        await other.send_command("/huongdan")
        listed = await other.replies(1, timeout=30)
        listed_after = time.monotonic() - started
        busy = await staff.replies(1, timeout=30)
        busy_after = time.monotonic() - started
        saved = revisions() - before
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    said_busy = any("đang bận" in (m.text or "") for m in busy)
    report.add(
        "kb-busy",
        "staff save while another writer holds the lock",
        said_busy and busy_after < 6 and saved == 0,
        f"sau {busy_after:.1f} s: {[m.text for m in busy]}; {saved} bản ghi mới",
    )
    report.add(
        "kb-busy",
        "another chat while a save waits for the lock",
        bool(listed and listed[0].buttons) and listed_after < 2,
        f"trả lời sau {listed_after:.1f} s",
    )
    await staff.press(confirm, "✖️ Huỷ")


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def webhook_attacks(url: str, report: Report) -> None:
    from telegram_emulator import EMULATOR_DIR, Emulator, free_port

    if not (EMULATOR_DIR / "node_modules").is_dir():
        return
    import zlib

    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 200 MB of spaces as a 200 KB gzip body
    bomb = z.compress(b"{") + b"".join(z.compress(b" " * (1 << 20)) for _ in range(200)) + z.flush()
    port, secret, token = free_port(), uuid.uuid4().hex, f"123456:{uuid.uuid4().hex}"
    hook = f"http://127.0.0.1:{port}/telegram"
    with Emulator() as emulator:
        front = _front(
            {
                "TELEGRAM_BOT_TOKEN": token,
                "TELEGRAM_API_URL": emulator.bot_api_url,
                "DVCBOT_RASA_URL": url,
                "TELEGRAM_WEBHOOK_URL": hook,
                "TELEGRAM_WEBHOOK_SECRET": secret,
                "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "TELEGRAM_WEBHOOK_PORT": str(port),
            },
            paths.VAR / "logs" / "telegram-redteam-webhook.log",
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    httpx.post(hook, content=b"{}", timeout=2)
                    break
                except httpx.HTTPError:
                    time.sleep(0.5)
            attacks = [
                ("gzip bomb, wrong secret", bomb, {"Content-Encoding": "gzip", SECRET_HEADER: "sai"}, (403,)),
                ("gzip bomb, right secret", bomb, {"Content-Encoding": "gzip", SECRET_HEADER: secret}, (400, 413)),
                ("[1,2], right secret", b"[1,2]", {SECRET_HEADER: secret}, (400,)),
                ("an update without the secret", b'{"update_id": 1}', {}, (403,)),
                ("1 MB body, right secret", b'{"a":"' + b"x" * (1 << 20) + b'"}', {SECRET_HEADER: secret}, (400, 413)),
            ]
            for name, body, headers, expected in attacks:
                before = _peak_mb(front.pid)
                try:
                    status = httpx.post(
                        hook, content=body, headers={"Content-Type": "application/json", **headers}, timeout=60
                    ).status_code
                except httpx.HTTPError as exc:
                    status = str(exc)
                grown = _peak_mb(front.pid) - before
                held = status in expected and grown < 64 and front.poll() is None
                report.add("webhook", name, held, f"HTTP {status}, bộ nhớ đỉnh +{grown:.0f} MB")
        finally:
            _stop(front)


def ps_attacks(stack, report: Report) -> None:
    token = os.environ.get("DVCBOT_RASA_TOKEN", "").encode()
    holders = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and token and token in (proc / "cmdline").read_bytes():
                holders.append(proc.name)
        except OSError:
            pass
    report.add("ps", "Rasa's token on a command line (ps)", bool(token) and not holders, f"tiến trình {holders}")


def run(url: str | None, telegram: bool = True, only: set[str] | None = None) -> Report:
    report = Report()
    only = only or set(CATEGORIES)
    stack = None
    needs_rasa = bool(only & {"pii-rest", "pii-telegram", "buttons", "echo", "api", "rest-bodies", "ps"})
    if url is None and not needs_rasa:
        url = "http://127.0.0.1:9"  # nothing listens: the screens under attack do not need Rasa
    if url is None:
        from bot.runtime.stack import Stack
        from knowledge.store import KnowledgeBase

        live = KnowledgeBase(os.environ["DVCBOT_KB_PATH"])
        live.sync_content()
        live.close()
        stack = Stack().start(timeout=600)
        url = stack.rasa_url
    elif not needs_rasa:
        from knowledge.store import KnowledgeBase

        live = KnowledgeBase(os.environ["DVCBOT_KB_PATH"])
        live.sync_content()
        live.close()
    sent, sent_telegram = [], []
    try:
        if "pii-rest" in only:
            sent = asyncio.run(pii_rest(url, report))
        if "echo" in only:
            asyncio.run(echo_attacks(url, report))
        if telegram and only & {"pii-telegram", "buttons"}:
            sent_telegram = asyncio.run(telegram_attacks(url, report))
        if telegram and only & {"tg-echo", "kb-busy"}:
            asyncio.run(front_attacks(url, report, only))
        if telegram and "webhook" in only:
            webhook_attacks(url, report)
        if "api" in only:
            api_attacks(url, report)
        if "rest-bodies" in only:
            rest_bodies(url, report)
        if "ps" in only and stack is not None:
            ps_attacks(stack, report)
    finally:
        if stack is not None:
            stack.stop()
    blobs = []
    for path in _written_files():
        try:
            blobs.append((path, path.read_bytes()))
        except OSError:
            pass
    for category, items in (("pii-rest", sent), ("pii-telegram", sent_telegram)):
        for text, raw, echoed in items:
            stored = _files_holding(raw, blobs)
            detail = (f"lặp lại {echoed}; " if echoed else "") + (f"lưu: {stored[:2]}" if stored else "")
            report.add(category, text, not echoed and not stored, detail)
    if "kb" in only:
        kb_attacks(report)
    if "config" in only:
        config_attacks(report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tấn công thử dvcbot (issue 12)")
    parser.add_argument("--rasa-url", help="Rasa đang chạy (mặc định: khởi động stack mới)")
    parser.add_argument("--no-telegram", action="store_true")
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    parser.add_argument("--only", help="chỉ các nhóm này, cách nhau bởi dấu phẩy: " + ",".join(CATEGORIES))
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    if only and only - set(CATEGORIES):
        parser.error(f"nhóm không có: {', '.join(sorted(only - set(CATEGORIES)))}")
    report = run(args.rasa_url, telegram=not args.no_telegram, only=only)
    if not report.rows:
        print("✗ Không tấn công nào chạy (thiếu trình giả lập?): KHÔNG đạt.", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps({"counts": report.counts(), "broke": [r for r in report.rows if not r[2]]}, ensure_ascii=False)
        )
    else:
        report.print()
    return 0 if all(r[2] for r in report.rows) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RasaUnavailable as exc:
        print(f"Rasa không trả lời: {exc}", file=sys.stderr)
        sys.exit(2)
    finally:
        if FRESH_VAR:
            shutil.rmtree(os.environ["DVCBOT_VAR_DIR"], ignore_errors=True)
