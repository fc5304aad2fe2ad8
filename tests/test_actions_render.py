"""The wording layer: amounts, fee notes and Telegram screens come from actions/templates, never from Python."""

import datetime as dt
import re
from pathlib import Path

import pytest

from actions.render import WORDS, note_text, render, render_screen, vnd
from knowledge.fees import Note

CODES = re.findall(r'note\.code == "(\w+)"', (Path("actions/templates/_notes.j2")).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "amount, text", [(0, "miễn phí"), (20000, "20.000 đồng"), (1250000, "1.250.000 đồng"), (None, "chưa rõ")]
)
def test_vnd(amount, text):
    assert text == vnd(amount)


NOTES = [
    Note.of("place_unknown"),
    Note.of("place_merged", old_province="Đắk Nông", province="Lâm Đồng"),
    Note.of("no_online_rate"),
    Note.of("fee_note", text="Miễn lệ phí cho trẻ em dưới 14 tuổi."),
    Note.of(
        "reduction_end_disputed",
        basis="Thông tư 64/2025/TT-BTC ngày 30/6/2025",
        percent=50,
        valid_to=dt.date(2026, 12, 31),
    ),
    Note.of("territory_old", name="Lâm Đồng", province="Lâm Đồng"),
    Note.of("territory_pre_merger", name="Nghệ An"),
    Note.of("sources_disagree", title="Giảm 50% lệ phí căn cước"),
    Note.of("review", text="Hai nguồn khác nhau về ngày hết hạn"),
]


def test_every_note_code_has_a_sentence():
    assert sorted(CODES) == sorted(n.code for n in NOTES)
    for note in NOTES:
        text = note_text(note)
        assert text and "{" not in text and "None" not in text, note


def test_note_sentences_carry_their_facts():
    assert "Từ 1/7/2025, Đắk Nông thuộc Lâm Đồng." == note_text(NOTES[1])
    assert "Thông tư 64/2025/TT-BTC giảm 50% đến 31/12/2026" in note_text(NOTES[4])
    assert note_text(NOTES[-1]).startswith("Chưa chắc chắn: Hai nguồn")


def test_a_note_attribute_it_does_not_hold_is_an_error():
    with pytest.raises(AttributeError):
        Note.of("place_unknown").province  # noqa: B018


def test_screens_escape_what_the_knowledge_holds():
    service = {
        "id": "x",
        "title": "Cấp <b>thẻ</b> & đổi",
        "steps": [{"text": "Bước <1>"}],
        "documents": ["Tờ khai CT01"],
    }
    text = render_screen("guide_overview.html.j2", service=service)
    assert "Cấp &lt;b&gt;thẻ&lt;/b&gt; &amp; đổi" in text and "<b>" in text  # the template's own bold stays
    assert "&lt;1&gt;" in render_screen("guide_step.html.j2", service=service, step=1)
    assert "Cấp <b>thẻ</b> & đổi".upper() in render_screen("checklist.j2", service=service)  # plain text


def test_words_are_complete():
    assert set(WORDS["aspect_buttons"]) <= set(WORDS["aspects"])


def _reduction(status: str, basis: str = "Nghị quyết 09/2025/NQ-HĐND, Điều 1") -> dict:
    return {
        "title": "Tỉnh X thu 0 đồng lệ phí khi nộp trực tuyến",
        "status": status,
        "legal_basis": basis,
        "review_note": "Chưa đọc được văn bản của HĐND tỉnh; xem mức thu khi thanh toán.",
        "valid_to": None,
    }


def test_a_reduction_marked_for_review_is_never_said_to_apply():
    text = render(
        "reductions.j2",
        reductions=[_reduction("needs_review", "Chưa xác định văn bản")],
        disputed=[],
        place=None,
        on=dt.date(2026, 12, 2),
        note=None,
        label="Tỉnh X",
    )
    assert "chưa kiểm chứng" in text and "đang áp dụng" not in text
    assert "⚠️ Chưa đọc được văn bản" in text
    assert "Căn cứ" not in text  # "Chưa xác định văn bản" names no document


def test_a_published_reduction_applies_with_its_basis():
    text = render(
        "reductions.j2",
        reductions=[_reduction("published")],
        disputed=[],
        place=None,
        on=dt.date(2026, 12, 2),
        note=None,
        label="Tỉnh X",
    )
    assert "đang áp dụng" in text and "chưa kiểm chứng" not in text and "⚠️" not in text
    assert "Căn cứ: Nghị quyết 09/2025/NQ-HĐND" in text
