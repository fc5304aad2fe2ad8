"""The SQLite store: revisions, retire, revert, conflicts, refused edits, content sync."""

import json

import pytest
import yaml

from knowledge.schema import InvalidEntry
from knowledge.store import CONTENT_AUTHOR, Conflict, KnowledgeBase, NotFound

CONTACT = {
    "id": "hotline_test",
    "kind": "contact",
    "title": "Tổng đài thử",
    "phone": "1900 0000",
    "description": "thử",
    "source": "https://dichvucong.gov.vn",
    "verified_on": "2026-01-01",
    "status": "published",
}
FAQ = {
    "id": "faq_test",
    "kind": "faq",
    "title": "Câu hỏi thử",
    "questions": ["hỏi gì?", "hoi gi"],
    "answer": "Trả lời.",
    "contacts": ["hotline_test"],
    "source": "https://dichvucong.gov.vn",
    "verified_on": "2026-01-01",
    "status": "published",
}


@pytest.fixture
def db(fresh_db):
    fresh_db.add(CONTACT, "an")
    fresh_db.add(FAQ, "an", "tạo")
    return fresh_db


def test_add_and_get(db):
    entry = db.get("faq_test")
    assert "Trả lời." == entry["answer"]
    assert 1 == entry["_revision"]


def test_edit_makes_a_revision_with_who_and_why(db):
    entry = db.get("faq_test")
    entry["answer"] = "Trả lời mới."
    assert 2 == db.edit(entry, "bình", "sửa câu trả lời", base_revision=1)
    history = db.history("faq_test")
    assert [("create", "an", "tạo"), ("edit", "bình", "sửa câu trả lời")] == [
        (h["action"], h["author"], h["reason"]) for h in history
    ]
    assert all(h["created_at"] for h in history)


def test_second_save_from_same_revision_is_refused(db):
    first, second = db.get("faq_test"), db.get("faq_test")
    first["answer"] = "Bản của An."
    db.edit(first, "an", "sửa", base_revision=first["_revision"])
    second["answer"] = "Bản của Bình."
    with pytest.raises(Conflict) as exc:
        db.edit(second, "bình", "sửa", base_revision=second["_revision"])
    assert "người khác" in str(exc.value)
    assert "Bản của An." == db.get("faq_test")["answer"]


def test_retire_hides_and_revert_restores(db):
    db.retire("faq_test", "an", "cũ")
    assert db.get("faq_test") is None
    assert db.faq_for_intent("x") is None
    assert db.get("faq_test", include_retired=True)["_retired"]
    assert 3 == db.revert("faq_test", 1, "an")
    assert "Trả lời." == db.get("faq_test")["answer"]
    assert ["create", "retire", "revert"] == [h["action"] for h in db.history("faq_test")]


def test_revert_unknown_revision(db):
    with pytest.raises(NotFound):
        db.revert("faq_test", 99, "an")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"source": ""}, "source"),
        ({"verified_on": "24/11/2026"}, "verified_on"),
        ({"verified_on": "2099-01-01"}, "verified_on"),
        ({"status": "draft"}, "status"),
        ({"status": "needs_review"}, "review_note"),
        ({"questions": "một câu"}, "questions"),
        ({"contacts": ["khong_co"]}, "contacts"),
        ({"service": "khong_co"}, "service"),
        ({"aspect": "fee"}, "aspect"),
        ({"aspect": "banana"}, "aspect"),
        ({"kind": "banana"}, "kind"),
    ],
)
def test_invalid_edit_names_the_field_and_writes_nothing(db, change, field):
    entry = {**db.get("faq_test"), **change}
    with pytest.raises(InvalidEntry) as exc:
        db.edit(entry, "an", "sửa sai", base_revision=1)
    assert field in [f for _, f, _ in exc.value.errors]
    assert 1 == db.get("faq_test")["_revision"]
    assert 1 == len(db.history("faq_test"))


@pytest.mark.parametrize(
    "change, field",
    [
        ({"in_person": "hai mươi nghìn"}, "in_person"),
        ({"jurisdiction": "Sao Hỏa"}, "jurisdiction"),
        ({"valid_from": "2023-13-01"}, "valid_from"),
        ({"service": "khong_co"}, "service"),
    ],
)
def test_invalid_fee_is_refused(fresh_db, change, field):
    fresh_db.add(
        {
            "id": "svc",
            "kind": "service",
            "title": "Dịch vụ",
            "aliases": ["dv"],
            "source": "https://dichvucong.gov.vn",
            "verified_on": "2026-01-01",
            "status": "published",
        },
        "an",
    )
    fee = {
        "id": "fee_x",
        "kind": "fee",
        "title": "Phí",
        "service": "svc",
        "jurisdiction": "national",
        "in_person": 20000,
        "online": 10000,
        "valid_from": "2023-02-05",
        "legal_basis": "TT",
        "source": "https://dichvucong.gov.vn",
        "verified_on": "2026-01-01",
        "status": "published",
        **change,
    }
    with pytest.raises(InvalidEntry) as exc:
        fresh_db.add(fee, "an")
    assert field in [f for _, f, _ in exc.value.errors]
    assert fresh_db.get("fee_x", include_retired=True) is None


def test_add_existing_id_is_refused(db):
    with pytest.raises(Conflict):
        db.add(FAQ, "an")


def test_text_is_stored_as_given_including_injection(db):
    entry = db.get("faq_test")
    entry["answer"] = "'; DROP TABLE entries; -- *đậm* <b>x</b>"
    db.edit(entry, "an", "thử", base_revision=1)
    assert entry["answer"] == db.get("faq_test")["answer"]
    assert "entries" in db.db.table_names()


def _write_content(directory, entries):
    (directory / "test.yml").write_text(
        yaml.safe_dump({"topic": "test", "entries": entries}, allow_unicode=True), "utf-8"
    )


def test_sync_content_keeps_staff_edits(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    _write_content(content, [CONTACT, FAQ])
    kb = KnowledgeBase(tmp_path / "kb.db")
    assert 2 == kb.sync_content(content)["added"]
    staff = kb.get("faq_test")
    staff["answer"] = "Cán bộ sửa."
    kb.edit(staff, "cán bộ", "sửa", staff["_revision"])
    # the shipped file changes too: the staff version wins and nothing is lost
    _write_content(content, [CONTACT, {**FAQ, "answer": "Bản mới trong tệp."}])
    counts = kb.sync_content(content)
    assert 1 == counts["kept_staff_edit"]
    assert "Cán bộ sửa." == kb.get("faq_test")["answer"]
    # an entry nobody edited follows the file
    _write_content(content, [{**CONTACT, "phone": "1900 1111"}, {**FAQ, "answer": "Bản mới trong tệp."}])
    assert 1 == kb.sync_content(content)["updated"]
    assert "1900 1111" == kb.get("hotline_test")["phone"]
    assert CONTENT_AUTHOR == kb.history("hotline_test")[-1]["author"]


def test_sync_refuses_invalid_content_and_writes_nothing(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    _write_content(content, [CONTACT, {**FAQ, "verified_on": "hôm qua"}])
    kb = KnowledgeBase(tmp_path / "kb.db")
    with pytest.raises(InvalidEntry):
        kb.sync_content(content)
    assert [] == kb.entries()


def test_shipped_content_is_valid_and_sourced(kb):
    entries = kb.entries()
    assert len(entries) > 50
    for entry in entries:
        assert entry["source"].strip() and entry["verified_on"]
        if entry["status"] == "needs_review":
            assert entry["review_note"].strip()


def test_every_faq_intent_is_in_the_domain(kb):
    domain = yaml.safe_load(open("domain.yml", encoding="utf-8"))
    for entry in kb.entries("faq"):
        if entry.get("intent"):
            assert entry["intent"] in domain["intents"], entry["id"]


def test_stored_data_is_json(db):
    row = next(db.db.query("select data from entries where id = 'faq_test'"))
    assert "faq_test" == json.loads(row["data"])["id"]


def test_concurrent_saves_from_the_same_revision_one_wins(tmp_path):
    """Four staff save the same entry at once from revision 1: exactly one save lands, the others are refused."""
    import threading

    path = tmp_path / "kb.db"
    first = KnowledgeBase(path)
    first.add(CONTACT, "an")
    first.add(FAQ, "an")
    results = []

    def save(who):
        store = KnowledgeBase(path)
        entry = {**store.get("faq_test"), "answer": who}
        try:
            results.append(store.edit(entry, who, "cùng lúc", base_revision=1))
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=save, args=(name,)) for name in ("A", "B", "C", "D")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert [2] == [r for r in results if r != "conflict"] and 3 == results.count("conflict")
    history = first.history("faq_test")
    assert [1, 2] == [h["revision"] for h in history]
    assert history[-1]["author"] == first.get("faq_test")["answer"]
