"""The shipped content (knowledge/content): official sources, no internal leads, depth and the province table."""

import re

import pytest

from knowledge import coverage, official
from knowledge.content_files import load_dir
from knowledge.places import new_provinces
from knowledge.schema import ANSWER_MAX, ASPECTS, check_entries
from knowledge.text import ABBREVIATIONS, fold

ENTRIES = load_dir()
BY_ID = {e["id"]: e for e in ENTRIES}
CITIZEN_FIELDS = ("title", "answer", "review_note", "note", "scope", "tips", "steps", "documents", "questions")


def _texts(value):
    """Every string inside a field value (lists and dicts walked)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)


def test_shipped_content_is_valid():
    assert [] == check_entries(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_no_entry_cites_leads_notes_or_unofficial_copies(entry):
    found = [bad for text in _texts(entry) for bad in official.unofficial_citations(text)]
    assert [] == found


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_citizen_text_has_no_internal_notes(entry):
    text = " ".join(t for f in (*CITIZEN_FIELDS, *ASPECTS, "faq", "cases") for t in _texts(entry.get(f)))
    assert not re.search(r"KNOWLEDGE_NOTES|seeds?/|tư liệu|ghi chú dự án|nhật ký dự án|TODO|FIXME", text)


def test_published_fee_step_and_deadline_entries_have_official_sources():
    share = coverage.official_share(ENTRIES)
    for group in ("phí (fee) đã công bố", "có các bước (steps) đã công bố", "thời hạn (deadline) đã công bố"):
        ok, total = share[group]
        assert ok == total, group
    assert share["phí (fee) đã công bố"][1] >= 10


def test_every_published_entry_names_an_official_source():
    missing = [e["id"] for e in ENTRIES if e["status"] == "published" and not coverage.has_official_source(e)]
    assert [] == missing


def test_review_notes_are_one_short_line():
    long = [e["id"] for e in ENTRIES if len(e.get("review_note") or "") > 220 or "\n" in (e.get("review_note") or "")]
    assert [] == long


def test_aspect_answers_are_short_and_cases_point_at_other_services():
    for e in (e for e in ENTRIES if e["kind"] == "service"):
        for name in ASPECTS:
            if e.get(name):
                assert len(e[name]["answer"]) <= ANSWER_MAX
        for case in e.get("cases") or []:
            assert BY_ID[case["service"]]["kind"] == "service" and case["service"] != e["id"]


def _has_abbreviation(question: str) -> bool:
    return any(token in ABBREVIATIONS for token in re.findall(r"\w+", fold(question).lower()))


def test_faq_questions_are_rich():
    items = [(e["id"], e["questions"]) for e in ENTRIES if e["kind"] == "faq"]
    items += [(f"{e['id']}.faq", f["questions"]) for e in ENTRIES for f in e.get("faq") or []]
    for item_id, questions in items:
        assert len(questions) >= 4, item_id
        assert any(fold(q) == q.lower() for q in questions), f"{item_id}: no question without diacritics"
        assert any(_has_abbreviation(q) for q in questions), f"{item_id}: no question with an abbreviation"


def test_province_table_has_a_row_for_each_of_the_34_provinces():
    rows = coverage.province_rows(ENTRIES)
    assert 34 == len(rows) == len(new_provinces())
    checks = [e for e in ENTRIES if e["kind"] == "province_check"]
    assert sorted(new_provinces()) == sorted(e["province"] for e in checks)
    for row in rows:
        for rid in row["reductions"]:
            assert BY_ID[rid]["kind"] == "reduction"


def test_reductions_not_read_in_an_official_copy_are_not_applied():
    for e in (e for e in ENTRIES if e["kind"] == "reduction"):
        if not official.is_official_source(e["source"]) or official.press_only(e["source"]):
            assert "needs_review" == e["status"], e["id"]


def test_stats_tables_render():
    text = "\n".join(coverage.format_table(t) for t in coverage.tables(ENTRIES))
    assert "Nghệ An" in text and "who" in text and "có nguồn chính thức" in text
