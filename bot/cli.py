"""The ``dvcbot`` command: run the assistant, ask it questions, train it, and edit the knowledge base."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Iterator

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot import paths  # noqa: E402
from knowledge.content_files import ContentError  # noqa: E402
from knowledge.schema import InvalidEntry  # noqa: E402

log = logging.getLogger("dvcbot")


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def sync_knowledge() -> None:
    """Build or update the knowledge database from knowledge/content (staff edits are kept)."""
    from knowledge.store import open_kb

    kb = open_kb(paths.env()["DVCBOT_KB_PATH"])
    counts = kb.sync_content()
    kb.close()
    log.info("knowledge base synced: %s", counts)


GENERATED_NLU = paths.VAR / "nlu_generated" / "kb_questions.yml"


def write_generated_nlu() -> bool:
    """Write the FAQ questions of the knowledge base as training data; True when they changed."""
    from knowledge.store import open_kb
    from knowledge.training import faq_examples, known_examples, nlu_yaml

    kb = open_kb(paths.env()["DVCBOT_KB_PATH"], sync=True)
    try:
        text = nlu_yaml(faq_examples(kb, known_examples(sorted(paths.NLU_DATA.glob("*.yml")))))
    finally:
        kb.close()
    GENERATED_NLU.parent.mkdir(parents=True, exist_ok=True)
    if GENERATED_NLU.exists() and GENERATED_NLU.read_text("utf-8") == text:
        return False
    GENERATED_NLU.write_text(text, "utf-8")
    return True


def train(force: bool = False) -> int:
    """Train the Rasa model when it is missing or older than its inputs (or always with ``force``).

    Inputs: config, domain, nlu_data/, the NLU components, and the FAQ questions of the knowledge base.
    """
    changed = write_generated_nlu()
    inputs = [paths.CONFIG, paths.DOMAIN, GENERATED_NLU, *paths.NLU_DATA.glob("*.yml"),
              *(paths.ROOT / "bot" / "nlu").glob("*.py")]
    if not force and not changed and paths.MODEL.exists():
        newest = max(p.stat().st_mtime for p in inputs)
        if paths.MODEL.stat().st_mtime >= newest:
            print(f"Mô hình đã mới: {paths.MODEL}", file=sys.stderr)
            return 0
    paths.MODEL.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "rasa", "train", "--data", str(paths.NLU_DATA), str(GENERATED_NLU.parent),
           "--config", str(paths.CONFIG), "--domain", str(paths.DOMAIN), "--out", str(paths.MODEL.parent),
           "--fixed-model-name", paths.MODEL.name.removesuffix(".tar.gz"), "--force", "--quiet"]
    print("Đang huấn luyện mô hình Rasa…", file=sys.stderr)
    started = time.monotonic()
    code = subprocess.call(cmd, cwd=paths.ROOT, env=paths.env(), stdout=sys.stderr)
    print(f"Huấn luyện xong sau {time.monotonic() - started:.0f} giây (mã thoát {code}).", file=sys.stderr)
    return code


@contextmanager
def rasa_server() -> Iterator[str]:
    """The URL of a Rasa server: ``$DVCBOT_RASA_URL`` if set, else a stack started for this command."""
    if os.environ.get("DVCBOT_RASA_URL"):
        yield os.environ["DVCBOT_RASA_URL"]
        return
    from bot.stack import Stack

    sync_knowledge()
    if not paths.MODEL.exists() and train() != 0:
        raise SystemExit("Huấn luyện mô hình thất bại.")
    print("Đang khởi động Rasa và máy chủ action…", file=sys.stderr)
    stack = Stack().start()
    try:
        yield stack.rasa_url
    finally:
        stack.stop()


async def _ask_batch(url: str, lines: Iterator[str], out) -> int:
    from bot.rasa_client import RasaClient, RasaUnavailable
    from bot.terminal import BUSY

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
                out.write(json.dumps({"line": number, "error": f"dòng JSON không hợp lệ: {exc}"},
                                     ensure_ascii=False) + "\n")
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


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch:
        source = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")
        with rasa_server() as url:
            return asyncio.run(_ask_batch(url, iter(source), sys.stdout))
    if not args.question:
        raise SystemExit("Cần câu hỏi, ví dụ: dvcbot ask \"lệ phí đăng ký thường trú\"")
    from bot.terminal import format_replies

    async def one(url: str) -> None:
        from bot.rasa_client import RasaClient
        client = RasaClient(url, timeout=60)
        try:
            print(format_replies(await client.send(args.sender, " ".join(args.question)))[0])
        finally:
            await client.close()

    with rasa_server() as url:
        asyncio.run(one(url))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.terminal import chat

    with rasa_server() as url:
        try:
            asyncio.run(chat(url))
        except KeyboardInterrupt:
            pass
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    """Telegram bot: polling, or a webhook when TELEGRAM_WEBHOOK_URL is set; staff from ADMIN_TELEGRAM_IDS."""
    from bot.telegram_app import run_polling, run_webhook

    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    if not token:
        raise SystemExit("Thiếu biến môi trường TELEGRAM_BOT_TOKEN (lấy từ @BotFather).")
    try:
        admin_ids = {int(i) for i in os.environ.get("ADMIN_TELEGRAM_IDS", "").replace(" ", "").split(",") if i}
    except ValueError:
        raise SystemExit("ADMIN_TELEGRAM_IDS phải là các số user ID cách nhau bởi dấu phẩy, ví dụ 12345,67890.")
    base_url = os.environ.get("TELEGRAM_API_URL") or None
    webhook_url = os.environ.get("TELEGRAM_WEBHOOK_URL")
    with rasa_server() as url:
        if webhook_url:
            run_webhook(token, url, webhook_url, secret_token=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
                        base_url=base_url, admin_ids=admin_ids,
                        listen=os.environ.get("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0"),
                        port=int(os.environ.get("TELEGRAM_WEBHOOK_PORT", "8443")))
        else:
            run_polling(token, url, base_url=base_url, admin_ids=admin_ids)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal chat; Ctrl-C stops everything."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if os.environ.get("TELEGRAM_BOT_TOKEN"):
            return cmd_telegram(args)
        return cmd_chat(args)
    except KeyboardInterrupt:
        return 0


def cmd_train(args: argparse.Namespace) -> int:
    return train(force=args.force)


# modules that register more subcommands with add_parser(subparsers)
EXTRA_COMMANDS: tuple[str, ...] = ("bot.evaluate", "bot.bench")


def build_parser() -> argparse.ArgumentParser:
    from bot import kb_cli

    parser = argparse.ArgumentParser(prog="dvcbot", description="Trợ lý Dịch vụ công")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết ra stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="chạy trợ lý: Telegram nếu có TELEGRAM_BOT_TOKEN, nếu không thì chat trong terminal"
                   ).set_defaults(func=cmd_run)
    sub.add_parser("chat", help="chat trong terminal").set_defaults(func=cmd_chat)
    ask = sub.add_parser("ask", help="hỏi một câu, hoặc --batch FILE (JSON lines) và in JSON lines")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--batch", metavar="FILE", help="tệp JSON lines {\"sender\",\"text\"}; '-' là stdin")
    ask.add_argument("--sender", default="cli")
    ask.set_defaults(func=cmd_ask)
    sub.add_parser("telegram", help="chạy bot Telegram (polling)").set_defaults(func=cmd_telegram)
    tr = sub.add_parser("train", help="huấn luyện mô hình Rasa khi dữ liệu thay đổi")
    tr.add_argument("--force", action="store_true")
    tr.set_defaults(func=cmd_train)
    kb_cli.add_parser(sub)
    for module in EXTRA_COMMANDS:
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args) or 0
    except (ContentError, InvalidEntry, sqlite3.DatabaseError) as exc:
        # broken content or knowledge base: one clear line, not a traceback
        detail = "; ".join(f"{e}: {f}: {m}" for e, f, m in exc.errors[:3]) if isinstance(exc, InvalidEntry) else exc
        print(f"✗ Không dùng được cơ sở tri thức: {detail}. Sửa tệp nội dung (xem `dvcbot kb validate`) "
              "hoặc khôi phục bằng `dvcbot kb restore TỆP_SAO_LƯU`.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
