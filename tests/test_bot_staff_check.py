"""The check before publish: live and draft answers compared, on a small bank, with canned NLU parses (the
browser test runs it with the real Rasa)."""

import asyncio

import pytest

from bot.staff.check import Checker, example_conversations, memory_copy
from knowledge.store import Conflict

FEE = "fee_thuong_tru_tt75"
QUESTION = "Lệ phí đăng ký thường trú là bao nhiêu?"
BANK = """
- id: fee_residence
  topic: cu_tru
  turns:
    - user: "Lệ phí đăng ký thường trú là bao nhiêu?"
      fee: [20000, 10000]
    - user: "Còn tạm trú thì sao?"
- id: greeting
  topic: chitchat
  turns:
    - user: "xin chào"
"""


class CannedParser:
    """Rasa's parse for the few texts of this test: the fee intent and the service entity."""

    model = "canned"

    def __init__(self):
        self.asked: list[str] = []

    async def parse_many(self, texts, url=None):
        self.asked += texts
        out = {}
        for t in texts:
            entities = []
            for words, service in (("thường trú", "thuong_tru"), ("tạm trú", "tam_tru")):
                if words in t:
                    start = t.index(words)
                    entities.append({"entity": "service", "value": service, "start": start, "end": start + len(words)})
            intent = "ask_fee" if "phí" in t else ("greet" if "chào" in t else "inform")
            out[t] = {"text": t, "intent": {"name": intent, "confidence": 0.9}, "entities": entities}
        return out


@pytest.fixture
def checker(tmp_path):
    (tmp_path / "dev").mkdir()
    (tmp_path / "heldout").mkdir()
    (tmp_path / "dev" / "bank.yml").write_text(BANK, "utf-8")
    return Checker(CannedParser(), bank=tmp_path, examples=False)


def _edit(fee, **changes):
    return lambda draft: draft.edit({**fee, **changes}, "Lan", "thử", base_revision=fee["_revision"])


def test_a_new_fee_figure_shows_as_a_moved_fee_and_nothing_is_written(kb, checker):
    fee = kb.get(FEE)
    report = asyncio.run(checker.check(kb, _edit(fee, in_person=25000)))
    moved = [c for c in report.fee_moves if c.question == QUESTION]
    assert moved, [c.question for c in report.changes]
    change = moved[0]
    assert 20000 in change.live.amounts and 25000 in change.draft.amounts
    assert "25.000 đồng" in change.draft.text and "20.000 đồng" in change.live.text
    assert not report.lost
    assert 20000 == kb.get(FEE)["in_person"] and fee["_revision"] == kb.get(FEE)["_revision"]
    # the follow-up about another procedure keeps its answer
    assert not [c for c in report.changes if c.question == "Còn tạm trú thì sao?"]


def test_a_national_fee_moved_to_one_province_loses_answers(kb, checker):
    fee = kb.get(FEE)
    report = asyncio.run(checker.check(kb, _edit(fee, jurisdiction="Lâm Đồng")))
    (lost,) = [c for c in report.lost if c.question == QUESTION]
    assert lost.lost_fee and "20.000 đồng" in lost.live.text
    assert "chưa có mức lệ phí" in lost.draft.text and not lost.draft.amounts


def test_an_edit_that_changes_no_answer_reports_no_change(kb, checker):
    fee = kb.get(FEE)
    report = asyncio.run(checker.check(kb, _edit(fee, verified_on="2026-11-30")))
    assert [] == report.changes
    assert report.questions >= 3


def test_parses_are_reused_and_the_draft_refuses_a_stale_revision(kb, checker):
    fee = kb.get(FEE)
    asyncio.run(checker.check(kb, _edit(fee, in_person=25000)))
    asked = len(checker.parser.asked)
    kb.edit({**fee, "in_person": 21000}, "Hoa", "đổi trước", base_revision=fee["_revision"])
    with pytest.raises(Conflict):
        asyncio.run(checker.check(kb, _edit(fee, in_person=25000)))
    assert 21000 == kb.get(FEE)["in_person"]
    assert asked <= len(checker.parser.asked)


def test_example_questions_of_every_entry_are_asked(kb):
    conversations = example_conversations(kb)
    labels = {c.label for c in conversations}
    assert "thuong_tru" in labels  # fee questions of a service with a fee
    assert any(e["id"] in labels for e in kb.entries("faq"))
    assert all(len(c.turns) == 1 for c in conversations)


def test_memory_copy_is_independent_of_the_live_store(kb):
    copy = memory_copy(kb)
    fee = copy.get(FEE)
    copy.edit({**fee, "in_person": 99000}, "Lan", "thử", base_revision=fee["_revision"])
    assert 99000 == copy.get(FEE)["in_person"] and 20000 == kb.get(FEE)["in_person"]
    copy.close()
