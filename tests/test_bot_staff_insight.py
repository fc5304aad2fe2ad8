"""Unanswered questions grouped by wording, and the statistics figures and charts of the staff page."""

import datetime as dt

import pytest

from bot.staff.charts import day_bars, hbars
from bot.staff.insight import figures, group_questions, unanswered_rows
from bot.telegram.stats import Stats

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@pytest.fixture
def stats(tmp_path):
    store = Stats(tmp_path / "stats.db")
    yield store
    store.close()


def test_similar_wordings_are_one_group_with_counts():
    rows = [
        {"text": "làm lại bằng lái xe bị mất ở đâu"},
        {"text": "lam lai bang lai xe bi mat o dau"},
        {"text": "lam lai bang lai xe bi mat o dau"},
        {"text": "làm lại bằng lái xe bị mất ở đâu", "rating": -1},
        {"text": "đăng ký kết hôn với người nước ngoài"},
        {"text": "   "},
    ]
    groups = group_questions(rows)
    assert [4, 1] == [g.count for g in groups]
    assert "làm lại bằng lái xe bị mất ở đâu" == groups[0].text
    assert 1 == groups[0].thumbs_down
    assert groups[0].key != groups[1].key


def test_unanswered_are_fallbacks_and_thumbs_down_of_the_window(stats):
    stats.record_message(1, "giấy phép xây dựng nhà ở", "nlu_fallback", now=NOW)
    liked = stats.record_message(1, "lệ phí thường trú", "ask_fee", now=NOW)
    disliked = stats.record_message(2, "lệ phí tạm trú", "ask_fee", now=NOW)
    stats.record_message(3, "câu cũ", "nlu_fallback", now=NOW - dt.timedelta(days=40))
    stats.record_rating(liked, 1, now=NOW, chat_id=1)
    stats.record_rating(disliked, -1, now=NOW, chat_id=2)
    texts = sorted(r["text"] for r in unanswered_rows(stats))
    assert ["giấy phép xây dựng nhà ở", "lệ phí tạm trú"] == texts


def test_unanswered_texts_are_stored_redacted(stats):
    stats.record_message(1, "số điện thoại của tôi 0912345678 làm căn cước", "nlu_fallback", now=NOW)
    (row,) = unanswered_rows(stats)
    assert "0912345678" not in row["text"]


def test_figures_count_messages_chats_share_unanswered_and_ratings(stats):
    for chat, text, intent in (
        (1, "a", "ask_fee"),
        (1, "b", "nlu_fallback"),
        (2, "c", "ask_fee"),
        (3, "d", "ask_steps"),
    ):
        stats.record_message(chat, text, intent, now=NOW)
    stats.record_message(4, "e", "ask_fee", now=NOW - dt.timedelta(days=10))
    week = figures(stats, 7, now=NOW)
    assert (4, 3, 0.25) == (week["messages"], week["chats"], week["unanswered_share"])
    month = figures(stats, 30, now=NOW)
    assert 5 == month["messages"] and 4 == month["chats"]
    assert "<svg" in week["days_chart"] and "ask_fee" in week["asked_chart"]


def test_charts_escape_labels_and_scale_to_the_largest_value():
    svg = str(hbars([("<b>x</b>", 10), ("y", 5)]))
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert 'width="260.0"' in svg and 'width="130.0"' in svg
    bars = str(day_bars(["2026-12-01", "2026-12-02"], [("tin nhắn", [2, 4])]))
    assert bars.count("<rect") == 3  # two bars and one legend swatch
    assert "(chưa có dữ liệu)" in str(hbars([]))
