"""The official-source rule (knowledge/official.py) and the schema of service aspects and province checks."""

import copy

import pytest

from knowledge import official
from knowledge.schema import check_entries, check_entry

SERVICE = {
    "id": "svc_a",
    "kind": "service",
    "title": "Dịch vụ A",
    "aliases": ["dịch vụ a"],
    "source": "Luật Căn cước số 26/2023/QH15, Điều 26",
    "verified_on": "2026-01-01",
    "status": "published",
}
OTHER = dict(SERVICE, id="svc_b", title="Dịch vụ B")


@pytest.mark.parametrize(
    "text",
    [
        "Thông tư 73/2024/TT-BTC, Điều 4",
        "Luật Cư trú số 68/2020/QH14",
        "Chỉ thị 24/CT-TTg năm 2025",
        "Quyết định 06/QĐ-TTg ngày 06/01/2022",
        "Nghị quyết 09/2025/NQ-HĐND",
        "thủ tục mã 1.004222",
        "https://nghean.gov.vn/bai-viet",
        "vbpl.vn",
        "xaydungchinhsach.chinhphu.vn",
        "Nghị định 69/2024/NĐ-CP",
    ],
)
def test_official_citations_are_recognised(text):
    assert official.is_official_source(text)


@pytest.mark.parametrize(
    "text",
    [
        "cafef.vn 02/10/2025",
        "Luật Căn cước 2023 Điều 21",
        "thuvienphapluat.vn (hỏi đáp)",
        "theo lời cán bộ",
        "giadinh.suckhoedoisong.vn",
        "mã 12.345",
    ],
)
def test_press_and_vague_citations_are_not_official(text):
    assert not official.is_official_source(text)


@pytest.mark.parametrize(
    "text",
    [
        "tư liệu seeds/000",
        "seed 004 (Nghệ An)",
        "theo ghi chú dự án",
        "KNOWLEDGE_NOTES",
        "github.com/someone/copy",
        "bản chép toàn văn",
        "đọc qua bản sao công khai",
    ],
)
def test_leads_and_unofficial_copies_are_flagged(text):
    assert official.unofficial_citations(text)


def test_published_entry_needs_an_official_source():
    entry = dict(SERVICE, source="cafef.vn 02/10/2025")
    assert any(f == "source" for f, _ in check_entry(entry))
    entry.update(status="needs_review", review_note="Chỉ có tin báo. Kiểm tra trên dichvucong.gov.vn.")
    assert not check_entry(entry)


def test_a_lead_is_refused_even_for_review():
    entry = dict(SERVICE, status="needs_review", review_note="x", source="Thông tư 73/2024/TT-BTC; seed 001")
    assert any("tư liệu nội bộ" in m for _, m in check_entry(entry))


def test_conflict_citing_a_copy_is_refused():
    red = {
        "id": "red_x",
        "kind": "reduction",
        "title": "Giảm",
        "jurisdiction": "national",
        "percent": 50,
        "channel": "any",
        "scope": "phí",
        "valid_from": "2025-07-01",
        "legal_basis": "Thông tư 64/2025/TT-BTC",
        "source": "Thông tư 64/2025/TT-BTC",
        "verified_on": "2026-01-01",
        "status": "published",
        "conflicts": [{"claim": "đến 31/12/2026", "source": "bản chép trên GitHub"}],
    }
    assert any(f == "conflicts[1].source" for f, _ in check_entry(red))


VALID_ASPECTS = {
    "who": {
        "answer": "Công dân từ đủ 14 tuổi.",
        "details": ["Trẻ dưới 14 tuổi theo nhu cầu."],
        "status": "needs_review",
        "review_note": "Kiểm tra trên dichvucong.gov.vn.",
    },
    "where": {"answer": "Công an cấp xã nơi cư trú.", "source": "Luật Căn cước số 26/2023/QH15, Điều 27"},
    "deadline": {"answer": "Trong 60 ngày kể từ ngày sinh.", "details": ["Quá hạn vẫn đăng ký được."]},
    "online": {
        "answer": "Nộp trên VNeID.",
        "menu": "Thủ tục hành chính > Cấp đổi thẻ căn cước",
        "level": "mức 2",
        "fully_online": False,
    },
    "result": {"answer": "Nhận thẻ sau 7 ngày làm việc.", "electronic_valid": True},
    "cases": [{"when": "Thẻ bị mất", "service": "svc_b"}],
    "faq": [
        {
            "questions": ["Mất thẻ làm sao?", "mat the lam sao", "mất cccd thì sao", "mat can cuoc ko?"],
            "answer": "Làm thủ tục cấp lại.",
            "source": "https://dichvucong.bocongan.gov.vn",
        }
    ],
}


def test_all_aspects_valid():
    entry = dict(SERVICE, **copy.deepcopy(VALID_ASPECTS))
    assert [] == check_entry(entry)
    assert [] == check_entries([entry, OTHER])


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("who", "Công dân", "who"),
        ("where", {"details": ["x"]}, "where.answer"),
        ("deadline", {"answer": "x" * 161}, "deadline.answer"),
        ("online", {"answer": "Nộp trên VNeID.", "level": "mức 3"}, "online.level"),
        ("online", {"answer": "Nộp trên VNeID.", "fully_online": "có"}, "online.fully_online"),
        ("result", {"answer": "Nhận thẻ.", "electronic_valid": "yes"}, "result.electronic_valid"),
        ("result", {"answer": "Nhận thẻ.", "channel": "bưu chính"}, "result.channel"),
        ("where", {"answer": "Công an xã.", "details": ["a", "b", "c", "d", "e"]}, "where.details"),
        ("where", {"answer": "Công an xã.", "source": "kenh14.vn"}, "where.source"),
        ("who", {"answer": "Ai cũng được.", "status": "needs_review"}, "who.review_note"),
        ("cases", [{"when": "Mất thẻ"}], "cases[1]"),
        ("cases", [{"when": "Chính nó", "service": "svc_a"}], "cases[1].service"),
        ("faq", [{"questions": [], "answer": "x"}], "faq[1].questions"),
        ("faq", [{"questions": ["hỏi"], "answer": "x", "intent": "y"}], "faq[1]"),
    ],
)
def test_invalid_aspects_are_refused(field, value, problem):
    entry = dict(SERVICE, **{field: value})
    assert problem in [f for f, _ in check_entry(entry)]


def test_case_pointing_at_unknown_service_is_refused():
    entry = dict(SERVICE, cases=[{"when": "Mất thẻ", "service": "khong_co"}])
    assert any(f == "cases[1].service" for _, f, _ in check_entries([entry]))


CHECK = {
    "id": "province_check_x",
    "kind": "province_check",
    "title": "Giảm phí: Nghệ An",
    "province": "Nghệ An",
    "result": "found",
    "checked_on": "2026-01-01",
    "reductions": ["red_na"],
    "source": "https://nghean.gov.vn",
    "verified_on": "2026-01-01",
    "status": "published",
}
RED = {
    "id": "red_na",
    "kind": "reduction",
    "title": "Giảm",
    "jurisdiction": "Nghệ An",
    "percent": 100,
    "channel": "online",
    "scope": "phí",
    "valid_from": "2025-07-21",
    "legal_basis": "Nghị quyết 09/2025/NQ-HĐND",
    "source": "https://nghean.gov.vn",
    "verified_on": "2026-01-01",
    "status": "published",
}


def test_province_check_valid_also_when_not_checked():
    assert [] == check_entries([CHECK, RED])
    unchecked = {
        "id": "province_check_y",
        "kind": "province_check",
        "title": "Giảm phí: Huế",
        "province": "Huế",
        "result": "not_checked",
        "checked_on": None,
        "verified_on": "2026-01-01",
        "source": "https://vbpl.vn",
        "status": "needs_review",
        "review_note": "Chưa tra cứu.",
    }
    assert [] == check_entry(unchecked)


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"province": "Hải Dương"}, "province"),  # a pre-merger name: rows are for the 34 new provinces
        ({"result": "maybe"}, "result"),
        ({"checked_on": None}, "checked_on"),
        ({"reductions": []}, "reductions"),
        ({"result": "none_found"}, "reductions"),
    ],
)
def test_invalid_province_checks_are_refused(change, problem):
    assert problem in [f for f, _ in check_entry(dict(CHECK, **change))]


def test_province_check_needs_known_reductions_and_one_row_per_province():
    problems = check_entries([CHECK, dict(CHECK, id="province_check_z"), dict(RED, id="red_other")])
    fields = [f for _, f, _ in problems]
    assert "reductions" in fields and "province" in fields
