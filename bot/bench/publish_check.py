"""``dvcbot bench check``: how long the staff page's check before publish takes on the full question bank.

Runs the check three times for one fee edit against the running Rasa: cold (every text parsed by Rasa, live
answers computed), warm (parses and live answers cached: what a staff member waits for on the second edit) and
warm again; prints the number of messages answered and the seconds of each.
"""

from __future__ import annotations

import asyncio
import time

from bot.staff.check import Checker
from bot.staff.nlu import Parser
from knowledge.store import open_kb

ENTRY = "fee_thuong_tru_tt75"


async def _measure(url: str, entry_id: str) -> list[tuple[str, float, int, int]]:
    kb = open_kb(sync=True)
    checker = Checker(Parser(url))
    entry = kb.get(entry_id)
    if entry is None:
        raise SystemExit(f"Không có mục {entry_id}.")
    field = "in_person" if entry.get("kind") == "fee" else "title"
    changed = {**entry, field: (entry[field] or 0) + 1000 if field == "in_person" else entry[field] + " (thử)"}
    out = []
    for label in ("lạnh (chưa có gì trong bộ nhớ đệm)", "ấm", "ấm (lần nữa)"):
        started = time.monotonic()
        report = await checker.check(kb, lambda d: d.edit(changed, "bench", "đo", base_revision=entry["_revision"]))
        out.append((label, time.monotonic() - started, report.questions, len(report.changes)))
    kb.close()
    return out


def run(url: str, entry_id: str = ENTRY) -> int:
    """Print the figures; exit code 0."""
    for label, seconds, questions, changes in asyncio.run(_measure(url, entry_id)):
        print(f"Kiểm tra trước khi xuất bản, {label}: {seconds:.1f} giây cho {questions} câu ({changes} câu đổi)")
    return 0
