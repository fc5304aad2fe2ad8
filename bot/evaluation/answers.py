"""``dvcbot eval answers``: score the bot's replies to a question bank by the facts they must contain.

The bank (``tests/answers/{dev,heldout}/*.yml``) was written from public sources by people who had not read the
knowledge base or the training data. Each conversation has turns; each turn lists the facts a correct reply must
contain (``must``: items of alternatives separated by ``|``), phrases it must not contain, the acceptable fee
amounts when it asks a fee, and what kind of reply is expected (an answer, out of scope, a privacy or scam
warning). Conversations run through the full stack the way ``dvcbot ask --batch`` does (Rasa REST channel, one
sender per conversation). ``heldout`` is never used to tune anything: its failures are not printed unless asked.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.runtime import paths
from knowledge.text import fold

BANK = paths.ROOT / "tests" / "answers"
SPLITS = ("dev", "heldout")
EXPECTS = ("answer", "out_of_scope", "privacy_warning", "scam_warning")
_SEP_RE = re.compile(r"(?<=\d)[.,\s](?=\d{3}\b)")
# ways a reply says "it costs nothing" (folded)
FREE_PHRASES = (
    "mien phi",
    "mien le phi",
    "khong mat phi",
    "khong mat tien",
    "khong thu le phi",
    "khong thu phi",
    "khong phai nop le phi",
    "khong phai nop phi",
    "khong phai dong",
    "khong phai tra",
)
_AMOUNT_RE = re.compile(r"(\d[\d.,]*\d|\d)\s*(?:dong|đ|vnd|vnđ)\b")


def match_key(text: str) -> str:
    """Text as facts are compared: folded (no diacritics, lowercase), digit separators removed, spaces collapsed."""
    key = fold(text)
    for _ in range(3):
        key = _SEP_RE.sub("", key)
    return " ".join(key.split())


def amounts(text: str) -> set[int]:
    """Amounts of money stated in a reply (``70.000 đồng`` → 70000; "miễn phí" → 0)."""
    key = match_key(text)
    found = {int(m.group(1).replace(".", "").replace(",", "")) for m in _AMOUNT_RE.finditer(key)}
    if any(phrase in key for phrase in FREE_PHRASES):
        found.add(0)
    return found


@dataclass
class Turn:
    """One user message of a bank conversation and what its reply must show."""

    user: str
    must: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    fee: list[int] | None = None
    expect: str = "answer"


@dataclass
class Conversation:
    id: str
    topic: str
    split: str
    turns: list[Turn]
    source: str = ""


@dataclass
class Verdict:
    """The score of one turn."""

    conversation: Conversation
    index: int
    reply: str
    kind: str
    ok: bool
    missing: list[str]
    forbidden: list[str]
    wrong_fee: bool

    @property
    def turn(self) -> Turn:
        return self.conversation.turns[self.index]


def load_bank(directory: Path = BANK, splits: tuple[str, ...] = SPLITS) -> list[Conversation]:
    """Every conversation of the bank in ``splits``; a malformed item raises ``ValueError`` naming it."""
    out: list[Conversation] = []
    for split in splits:
        for path in sorted((directory / split).glob("*.yml")):
            for item in yaml.safe_load(path.read_text("utf-8")) or []:
                try:
                    turns = [
                        Turn(
                            user=str(t["user"]),
                            must=[str(m) for m in t.get("must") or []],
                            must_not=[str(m) for m in t.get("must_not") or []],
                            fee=[int(f) for f in t["fee"]] if t.get("fee") is not None else None,
                            expect=t.get("expect") or "answer",
                        )
                        for t in item["turns"]
                    ]
                except (KeyError, TypeError, ValueError) as exc:
                    raise ValueError(f"{path.name}: {item.get('id', '?')}: {exc}") from exc
                if any(t.expect not in EXPECTS for t in turns):
                    raise ValueError(f"{path.name}: {item['id']}: expect must be one of {EXPECTS}")
                out.append(
                    Conversation(
                        str(item["id"]), str(item.get("topic", "?")), split, turns, str(item.get("source", ""))
                    )
                )
    return out


def has_diacritics(text: str) -> bool:
    """True when a message carries any Vietnamese diacritic."""
    return fold(text) != text.lower()


def score_turn(conversation: Conversation, index: int, reply: str, kind: str) -> Verdict:
    """Score one reply against its turn."""
    turn = conversation.turns[index]
    key = match_key(reply)
    missing = [m for m in turn.must if not any(match_key(alt) in key for alt in m.split("|") if alt.strip())]
    forbidden = [m for m in turn.must_not if any(match_key(alt) in key for alt in m.split("|") if alt.strip())]
    stated = amounts(reply)
    wrong_fee = bool(turn.fee is not None and stated and not stated & set(turn.fee))
    if turn.fee is not None and not stated & set(turn.fee):
        missing.append("fee " + "/".join(str(f) for f in turn.fee))
    if turn.expect == "out_of_scope":
        ok = kind == "out_of_scope"
    elif turn.expect == "privacy_warning":
        ok = kind == "privacy"
    elif turn.expect == "scam_warning":
        ok = "lua dao" in key and kind not in ("out_of_scope", "clarify")
    else:
        ok = not missing and not forbidden and kind not in ("out_of_scope", "privacy")
    return Verdict(conversation, index, reply, kind, ok and not wrong_fee, missing, forbidden, wrong_fee)


async def _run_conversation(client: RasaClient, conversation: Conversation) -> list[Verdict]:
    sender = f"eval-{conversation.id}-{uuid.uuid4().hex[:8]}"
    verdicts = []
    for i, turn in enumerate(conversation.turns):
        try:
            replies = await client.send(sender, turn.user)
        except RasaUnavailable as exc:
            replies = [{"text": f"<lỗi: {exc}>", "buttons": []}]
        text = "\n".join(r.get("text", "") for r in replies)
        kind = next((str(r["answer"]) for r in replies if r.get("answer")), "")
        verdicts.append(score_turn(conversation, i, text, kind))
    return verdicts


async def run_bank(url: str, conversations: list[Conversation], concurrency: int = 6) -> list[Verdict]:
    """Run every conversation against the Rasa server at ``url`` and score each turn."""
    client = RasaClient(url, timeout=60)
    gate = asyncio.Semaphore(concurrency)

    async def one(c: Conversation) -> list[Verdict]:
        async with gate:
            return await _run_conversation(client, c)

    try:
        results = await asyncio.gather(*(one(c) for c in conversations))
    finally:
        await client.close()
    return [v for vs in results for v in vs]


def summary(verdicts: list[Verdict]) -> dict:
    """Shares of turns answered correctly: overall, per split, per topic, by spelling, single/multi-turn."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for v in verdicts:
        keys = [
            "overall",
            f"split:{v.conversation.split}",
            f"topic:{v.conversation.topic}",
            "diacritics:with" if has_diacritics(v.turn.user) else "diacritics:without",
            "turns:multi" if len(v.conversation.turns) > 1 else "turns:single",
        ]
        for k in keys:
            groups[k].append(v.ok)
            if not k.startswith("split:") and k != "overall":
                groups[f"{v.conversation.split}/{k}"].append(v.ok)
        groups[f"{v.conversation.split}/overall"].append(v.ok)
    return {k: {"n": len(oks), "correct": sum(oks), "share": sum(oks) / len(oks)} for k, oks in sorted(groups.items())}


def print_report(verdicts: list[Verdict], show_failures: tuple[str, ...], out=sys.stdout) -> None:
    """Print the figures, every wrong fee, and the failures of the splits in ``show_failures``."""
    figures = summary(verdicts)
    out.write("Đánh giá câu trả lời (tỉ lệ lượt trả lời đúng):\n")
    for key, f in figures.items():
        out.write(f"  {key:<40} {f['share']:6.1%}  ({f['correct']}/{f['n']})\n")
    wrong = [v for v in verdicts if v.wrong_fee]
    out.write(f"Lệ phí sai: {len(wrong)}\n")
    for v in wrong:
        out.write(
            f"  [{v.conversation.split}] {v.conversation.id}#{v.index + 1}: mong đợi {v.turn.fee}, "
            f"trả lời nêu {sorted(amounts(v.reply))}\n"
        )
    for v in verdicts:
        if not v.ok and v.conversation.split in show_failures:
            out.write(
                f"\n✗ [{v.conversation.split}] {v.conversation.id}#{v.index + 1} ({v.kind}) "
                f"{v.turn.user}\n   thiếu: {v.missing} cấm: {v.forbidden} mong đợi: {v.turn.expect}\n   "
                + v.reply.replace("\n", "\n   ")
                + "\n"
            )


def lengths(verdicts: list[Verdict]) -> tuple[int, int]:
    """Median and 95th percentile length in characters of the replies."""
    sizes = sorted(len(v.reply) for v in verdicts)
    if not sizes:
        return 0, 0
    return sizes[len(sizes) // 2], sizes[min(len(sizes) - 1, int(len(sizes) * 0.95))]


def run(args, url: str) -> int:
    """The ``dvcbot eval answers`` command body, against a running Rasa at ``url``."""
    splits = SPLITS if args.split == "all" else (args.split,)
    conversations = load_bank(Path(args.bank), splits)
    verdicts = asyncio.run(run_bank(url, conversations))
    shown = tuple(s for s in splits if s == "dev" or args.show_heldout)
    print_report(verdicts, shown if args.failures else ())
    median, p95 = lengths(verdicts)
    print(f"Độ dài câu trả lời: trung vị {median} ký tự, phân vị 95 {p95} ký tự")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "figures": summary(verdicts),
                    "length_median": median,
                    "length_p95": p95,
                    "wrong_fees": sum(v.wrong_fee for v in verdicts),
                },
                ensure_ascii=False,
                indent=1,
            ),
            "utf-8",
        )
    return 0
