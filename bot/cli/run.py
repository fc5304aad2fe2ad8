"""``dvcbot run | chat | ask | telegram | train``: run the assistant in a terminal, on Telegram, for one
question or a batch of them, and train its model."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator

from bot.cli.staff import staff_process
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.runtime import front, paths
from bot.runtime.model import train
from bot.runtime.stack import rasa_server
from bot.terminal import BUSY, chat, format_replies

log = logging.getLogger("dvcbot")


async def ask_batch(url: str, lines: Iterator[str], out) -> int:
    """Answer JSON lines ``{"sender", "text"}`` with JSON lines of replies; 1 when a line failed."""
    client = RasaClient(url, timeout=60)
    errors = 0
    try:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("not an object")
                sender, text = str(item.get("sender") or "batch"), item.get("text")
                if not isinstance(text, str):
                    raise ValueError("'text' must be a string")
            except ValueError as exc:
                errors += 1
                out.write(
                    json.dumps({"line": number, "error": f"dòng JSON không hợp lệ: {exc}"}, ensure_ascii=False) + "\n"
                )
                out.flush()
                continue
            try:
                replies = await client.send(sender, text)
            except RasaUnavailable as exc:
                errors += 1
                replies = [{"text": BUSY, "buttons": []}]
                log.error("rasa unavailable: %s", exc)
            out.write(json.dumps({"sender": sender, "text": text, "replies": replies}, ensure_ascii=False) + "\n")
            out.flush()
    finally:
        await client.close()
    return 1 if errors else 0


async def ask_one(url: str, sender: str, question: str) -> None:
    """Print the replies to one question."""
    client = RasaClient(url, timeout=60)
    try:
        print(format_replies(await client.send(sender, question))[0])
    finally:
        await client.close()


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch:
        source = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")
        with rasa_server() as url:
            return asyncio.run(ask_batch(url, iter(source), sys.stdout))
    if not args.question:
        raise SystemExit('Cần câu hỏi, ví dụ: dvcbot ask "lệ phí đăng ký thường trú"')
    with rasa_server() as url:
        asyncio.run(ask_one(url, args.sender, " ".join(args.question)))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    with rasa_server(args.workers) as url:
        try:
            asyncio.run(chat(url))
        except KeyboardInterrupt:
            pass
    return 0


ADMIN_ID_RE = re.compile(r"[0-9]{1,20}")


def parse_admin_ids(value: str) -> set[int]:
    """Staff user ids from ``ADMIN_TELEGRAM_IDS``: integers separated by commas (spaces around them allowed).

    Anything else is refused with a message naming the part that is wrong: ``"11111111 22222222"`` is not
    read as the one id 1111111122222222, and ``"12345;67890"`` or ``"@ten"`` are not ids at all.
    """
    ids = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not ADMIN_ID_RE.fullmatch(part):
            hint = " (nhiều ID phải cách nhau bởi dấu phẩy, không phải dấu cách)" if " " in part else ""
            raise SystemExit(
                f"ADMIN_TELEGRAM_IDS: '{part}' không phải một user ID (một số nguyên dương){hint}. "
                "Ví dụ đúng: ADMIN_TELEGRAM_IDS=12345,67890"
            )
        ids.add(int(part))
    return ids


def admin_ids_from_env() -> set[int]:
    """``ADMIN_TELEGRAM_IDS`` (comma-separated user ids) as a set (see :func:`parse_admin_ids`)."""
    return parse_admin_ids(os.environ.get("ADMIN_TELEGRAM_IDS", ""))


def cmd_telegram(args: argparse.Namespace) -> int:
    """Telegram bot: polling, or a webhook when TELEGRAM_WEBHOOK_URL is set; staff from ADMIN_TELEGRAM_IDS.

    The bot itself always runs on the front environment (:mod:`bot.runtime.front`): started from the Rasa
    environment, this starts the stack and hands the bot to the front environment's Python."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    if not token:
        raise SystemExit("Thiếu biến môi trường TELEGRAM_BOT_TOKEN (lấy từ @BotFather).")
    admin_ids = admin_ids_from_env()
    if not paths.in_front_env():
        front.front_command()  # a missing front environment is said before the stack starts
        with rasa_server() as url:
            return front.run_front_end(url, verbose=getattr(args, "verbose", False))
    # lazy: python-telegram-bot and aiohttp would cost every other dvcbot command (kb …) 0.4 s of start-up
    from bot.telegram.app import run_polling, run_webhook

    base_url = os.environ.get("TELEGRAM_API_URL") or None
    webhook_url = os.environ.get("TELEGRAM_WEBHOOK_URL")
    with rasa_server(getattr(args, "workers", None)) as url:
        if webhook_url:
            run_webhook(
                token,
                url,
                webhook_url,
                secret_token=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
                base_url=base_url,
                admin_ids=admin_ids,
                listen=os.environ.get("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0"),
                port=int(os.environ.get("TELEGRAM_WEBHOOK_PORT", "8443")),
            )
        else:
            run_polling(token, url, base_url=base_url, admin_ids=admin_ids)
    return 0


def _stop(*_) -> None:
    raise KeyboardInterrupt


def cmd_run(args: argparse.Namespace) -> int:
    """Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal chat; Ctrl-C stops everything."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        with rasa_server() as url, staff_process(url):
            os.environ["DVCBOT_RASA_URL"] = url  # the front end below uses this stack instead of starting one
            if os.environ.get("TELEGRAM_BOT_TOKEN"):
                return cmd_telegram(args)
            return cmd_chat(args)
    except KeyboardInterrupt:
        return 0


def cmd_train(args: argparse.Namespace) -> int:
    return train(force=args.force)


def add_parsers(sub) -> None:
    """Register ``run``, ``chat``, ``ask``, ``telegram`` and ``train``."""
    run = sub.add_parser(
        "run", help="chạy trợ lý: Telegram nếu có TELEGRAM_BOT_TOKEN, nếu không thì chat trong terminal"
    )
    run.set_defaults(func=cmd_run)
    chat_ = sub.add_parser("chat", help="chat trong terminal")
    chat_.set_defaults(func=cmd_chat)
    ask = sub.add_parser("ask", help="hỏi một câu, hoặc --batch FILE (JSON lines) và in JSON lines")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--batch", metavar="FILE", help='tệp JSON lines {"sender","text"}; \'-\' là stdin')
    ask.add_argument("--sender", default="cli")
    ask.set_defaults(func=cmd_ask)
    telegram = sub.add_parser("telegram", help="chạy bot Telegram (polling)")
    telegram.set_defaults(func=cmd_telegram)
    for parser in (run, chat_, telegram):
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="số tiến trình Rasa (mặc định $DVCBOT_WORKERS, không có thì 1); từ 2 trở lên dùng chung "
            "Redis và PostgreSQL (tự khởi động, hoặc $DVCBOT_REDIS_URL / $DVCBOT_TRACKER_URL)",
        )
    tr = sub.add_parser("train", help="huấn luyện mô hình Rasa khi dữ liệu thay đổi")
    tr.add_argument("--force", action="store_true")
    tr.set_defaults(func=cmd_train)
