"""The check before publish: every question of the bank, and the example questions of every entry, answered
against the live knowledge base and against a draft with one edit applied; what changes for citizens.

Questions are understood once by the running Rasa (:class:`bot.staff.nlu.Parser`, cached by text); the answers
are chosen and rendered here by the action server's own functions (:mod:`actions.answers`) over an in-memory
copy of the store with the edit applied, so nothing is written until the staff member publishes. Live answers
are kept per knowledge-base version, so a check costs one pass over the draft.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from actions.answers import Context, decide, next_context, render_decision, understand
from bot.evaluation.answers import BANK, amounts, load_bank
from knowledge.retrieval import Retriever
from knowledge.store import KnowledgeBase

# intents Rasa's rules send to another action than action_answer (nlu_data/rules.yml): no knowledge answer
OTHER_ACTIONS = {"help": "greet", "choose_topic": "menu", "show_sources": "sources", "share_personal_data": "privacy"}
FEE_QUESTIONS = ("Lệ phí {title} là bao nhiêu?", "Lệ phí {title} ở Hà Nội bao nhiêu tiền?")


@dataclass
class Conversation:
    """Messages sent one after another in one chat; ``label`` says where they come from."""

    id: str
    label: str
    turns: list[str]


@dataclass
class Answer:
    """What the bot replies to one message."""

    text: str
    kind: str
    answered: bool
    entry: str | None
    amounts: frozenset[int] = frozenset()


@dataclass
class Change:
    """One message whose answer differs between live and draft."""

    conversation: Conversation
    index: int
    live: Answer
    draft: Answer

    @property
    def question(self) -> str:
        return self.conversation.turns[self.index]

    @property
    def lost(self) -> bool:
        """Nothing answers any more, or a reply that stated a fee no longer states any amount ("chưa có mức lệ
        phí" after a national fee was moved to one province)."""
        return (self.live.answered and not self.draft.answered) or self.lost_fee

    @property
    def lost_fee(self) -> bool:
        return bool(self.live.amounts - {0}) and not self.draft.amounts

    @property
    def fee_moved(self) -> bool:
        return self.live.amounts != self.draft.amounts


@dataclass
class Report:
    """The outcome of a check: every changed answer; ``questions`` counts the messages answered."""

    questions: int
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def lost(self) -> list[Change]:
        return [c for c in self.changes if c.lost]

    @property
    def fee_moves(self) -> list[Change]:
        return [c for c in self.changes if c.fee_moved]


def example_conversations(kb: KnowledgeBase) -> list[Conversation]:
    """One conversation per example question of every entry (FAQ questions, a service's own questions) and two
    fee questions per service that has a fee."""
    out: list[Conversation] = []
    with_fee = {e.get("service") for e in kb.entries("fee")}
    for entry in kb.entries():
        questions: list[str] = []
        if entry["kind"] == "faq":
            questions += entry.get("questions") or []
        if entry["kind"] == "service":
            for item in entry.get("faq") or []:
                questions += item.get("questions") or []
            if entry["id"] in with_fee:
                questions += [q.format(title=entry["title"][:1].lower() + entry["title"][1:]) for q in FEE_QUESTIONS]
        out += [Conversation(f"{entry['id']}#{i}", entry["id"], [q]) for i, q in enumerate(questions, 1)]
    return out


def bank_conversations(directory: Path = BANK) -> list[Conversation]:
    """The conversations of the question bank ``dvcbot eval answers`` runs (every split)."""
    return [Conversation(c.id, f"bộ câu hỏi: {c.id}", [t.user for t in c.turns]) for c in load_bank(directory)]


def answer(kb: KnowledgeBase, retriever: Retriever, parse: dict, context: Context) -> tuple[Answer, Context]:
    """The reply to one parsed message and the context after it, as the action server computes them."""
    intent = (parse.get("intent") or {}).get("name")
    if intent in OTHER_ACTIONS:
        return Answer("", OTHER_ACTIONS[intent], True, None), context
    request = understand(kb, retriever, parse, context)
    decision = decide(kb, request, context)
    text, _ = render_decision(kb, decision)
    entry = decision.service or decision.entry
    return Answer(text, decision.kind, decision.answered, entry, frozenset(amounts(text))), next_context(
        kb, decision, request, context
    )


def answer_all(kb: KnowledgeBase, conversations: list[Conversation], parses: dict[str, dict]) -> list[list[Answer]]:
    """Every reply of every conversation against ``kb``."""
    retriever = Retriever(kb)
    out = []
    for conversation in conversations:
        context = Context()
        replies = []
        for text in conversation.turns:
            reply, context = answer(kb, retriever, parses[text], context)
            replies.append(reply)
        out.append(replies)
    return out


def memory_copy(kb: KnowledgeBase) -> KnowledgeBase:
    """An in-memory copy of the whole store (entries, revisions, search index) to apply a draft to."""
    copy = KnowledgeBase(":memory:")
    kb.db.conn.backup(copy.db.conn)
    return copy


def compare(conversations: list[Conversation], live: list[list[Answer]], draft: list[list[Answer]]) -> list[Change]:
    """The messages whose reply text differs."""
    return [
        Change(c, i, a, b)
        for c, la, da in zip(conversations, live, draft)
        for i, (a, b) in enumerate(zip(la, da))
        if a.text != b.text or a.kind != b.kind
    ]


class Checker:
    """Runs checks for the staff page; keeps the live answers per knowledge-base version.

    :param parser: a :class:`bot.staff.nlu.Parser`
    :param bank: the question bank folder (default the one of ``dvcbot eval answers``)
    :param examples: also ask the example questions of every entry (False only to keep unit tests small)
    """

    def __init__(self, parser, bank: Path = BANK, examples: bool = True):
        self.parser = parser
        self.bank = bank
        self.examples = examples
        self._live: tuple[tuple, list[Conversation], list[list[Answer]]] | None = None

    async def conversations(self, kb: KnowledgeBase) -> tuple[list[Conversation], dict[str, dict]]:
        conversations = bank_conversations(self.bank) + (example_conversations(kb) if self.examples else [])
        parses = await self.parser.parse_many([t for c in conversations for t in c.turns])
        return conversations, parses

    async def live_answers(self, kb: KnowledgeBase) -> tuple[list[Conversation], list[list[Answer]], dict]:
        conversations, parses = await self.conversations(kb)
        key = (kb.version(), self.parser.model)
        if self._live is None or self._live[0] != key:
            self._live = (key, conversations, answer_all(kb, conversations, parses))
        return self._live[1], self._live[2], parses

    async def check(self, live: KnowledgeBase, apply) -> Report:
        """Answer everything against ``live`` and against a copy changed by ``apply(copy)``.

        :param apply: writes the draft into the copy (raises what the store raises: nothing is written to ``live``)
        """
        started = time.monotonic()
        conversations, live_replies, parses = await self.live_answers(live)
        draft = memory_copy(live)
        try:
            apply(draft)
            # the draft's own example questions (a new question added to an entry) are asked too
            extra = [
                c
                for c in (example_conversations(draft) if self.examples else [])
                if any(t not in parses for t in c.turns)
            ]
            if extra:
                parses = {**parses, **(await self.parser.parse_many([t for c in extra for t in c.turns]))}
            draft_replies = answer_all(draft, conversations + extra, parses)
            live_extra = answer_all(live, extra, parses) if extra else []
        finally:
            draft.close()
        changes = compare(conversations + extra, live_replies + live_extra, draft_replies)
        return Report(sum(len(c.turns) for c in conversations + extra), changes, time.monotonic() - started)

    async def preview(self, kb: KnowledgeBase, questions: list[str]) -> list[tuple[str, Answer]]:
        """The reply to each question (one new chat each) against ``kb``."""
        parses = await self.parser.parse_many(questions)
        retriever = Retriever(kb)
        return [(q, answer(kb, retriever, parses[q], Context())[0]) for q in questions]


def draft_of(live: KnowledgeBase, apply) -> KnowledgeBase:
    """An in-memory copy of ``live`` with ``apply(copy)`` done; the caller closes it."""
    draft = memory_copy(live)
    try:
        apply(draft)
    except BaseException:
        draft.close()
        raise
    return draft
