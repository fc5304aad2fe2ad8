"""Chat with the assistant in a terminal; buttons are numbered and can be chosen by typing the number."""

from __future__ import annotations

import asyncio
import os

from bot.rasa_client import RasaClient, RasaUnavailable, Reply

BUSY = "Hệ thống đang bận, bạn vui lòng thử lại sau ít phút nhé."


def format_replies(replies: list[Reply]) -> tuple[str, list[str]]:
    """Printable text of the replies and the payloads of their buttons, numbered from 1."""
    lines, payloads = [], []
    for reply in replies:
        if reply["text"]:
            lines.append(reply["text"])
        for button in reply["buttons"]:
            payloads.append(button["payload"])
            lines.append(f"  [{len(payloads)}] {button['title']}")
        lines.append("")
    return "\n".join(lines), payloads


async def chat(rasa_url: str, sender: str | None = None) -> None:
    """Read questions from stdin until EOF or "thoát", print the answers."""
    client = RasaClient(rasa_url, timeout=30)
    sender = sender or f"terminal-{os.getpid()}"
    print("Trợ lý Dịch vụ công — gõ câu hỏi (gõ “thoát” hoặc Ctrl-D để kết thúc).\n")
    payloads: list[str] = []
    loop = asyncio.get_running_loop()
    try:
        while True:
            try:
                line = await loop.run_in_executor(None, input, "Bạn: ")
            except EOFError:
                break
            line = line.strip()
            if line.lower() in ("thoát", "thoat", "exit", "quit"):
                break
            if line.isdigit() and len(line) <= 2:
                if not 1 <= int(line) <= len(payloads):
                    print(f"Bot: Không có lựa chọn số {line}. Bạn gõ câu hỏi bằng chữ nhé.\n")
                    continue
                line = payloads[int(line) - 1]
            try:
                replies = await client.send(sender, line)
            except RasaUnavailable:
                print(f"Bot: {BUSY}\n")
                continue
            text, payloads = format_replies(replies)
            print("Bot: " + text)
    finally:
        await client.close()
