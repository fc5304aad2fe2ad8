"""The readable diff between two versions of an entry."""

from bot.staff.diff import diff, format_text


def test_changed_added_and_removed_fields_in_entry_order():
    old = {"id": "x", "in_person": 20000, "note": "cũ", "_revision": 1}
    new = {"id": "x", "in_person": 25000, "online": 10000, "_revision": 2}
    changes = diff(old, new)
    assert ["in_person", "note", "online"] == [c.name for c in changes]
    assert ("changed", "20000", "25000") == (changes[0].status, changes[0].before, changes[0].after)
    assert "removed" == changes[1].status and "added" == changes[2].status


def test_identical_versions_have_no_diff():
    assert [] == diff({"a": [1, 2]}, {"a": [1, 2], "_retired": True})
    assert "Không có khác biệt." == format_text([])


def test_long_text_shows_the_changed_sentence_alone():
    old = {"source": "Thông tư 75/2022/TT-BTC, Điều 3. Trang 1.004222 trên dichvucong.gov.vn. Bộ Công an."}
    new = {"source": "Thông tư 75/2022/TT-BTC, Điều 4. Trang 1.004222 trên dichvucong.gov.vn. Bộ Công an."}
    (change,) = diff(old, new)
    assert ("-", "Thông tư 75/2022/TT-BTC, Điều 3.") in change.lines
    assert ("+", "Thông tư 75/2022/TT-BTC, Điều 4.") in change.lines
    assert (" ", "Bộ Công an.") in change.lines
    text = format_text([change])
    assert "  - Thông tư 75/2022/TT-BTC, Điều 3." in text


def test_lists_diff_by_item():
    (change,) = diff({"questions": ["a", "b"]}, {"questions": ["a", "b", "c"]})
    assert ("+", "- c") in change.lines
