"""Statistics count what the answer action decided: a clarifying question or "not in scope" is unanswered."""

import sqlite3

import pytest

from bot.telegram.stats import Stats, format_summary


@pytest.fixture
def stats(tmp_path):
    store = Stats(tmp_path / "stats.db")
    yield store
    store.close()


def test_unanswered_is_what_the_action_said_not_only_the_fallback_intent(stats):
    stats.record_message(1, "lệ phí thường trú", "ask_fee", answered=True, entry="thuong_tru")
    stats.record_message(1, "phí bao nhiêu", "ask_fee", answered=False)  # one question back: which procedure
    stats.record_message(2, "thời tiết mai", "out_of_scope", answered=False)
    stats.record_message(2, "abc xyz", "nlu_fallback")  # no action reported
    stats.record_message(3, "/huongdan", "/huongdan", "command", answered=True)
    summary = stats.summary()
    assert (5, 4, 0, 1, 3) == (
        summary["messages"],
        summary["typed"],
        summary["buttons"],
        summary["commands"],
        summary["chats"],
    )
    assert 3 == summary["fallbacks"] and 0.75 == summary["fallback_rate"]
    assert {"phí bao nhiêu", "thời tiết mai", "abc xyz"} == {t for t, _ in summary["unanswered"]}
    assert ["thuong_tru"] == [r["entry"] for r in stats.db.query("select entry from messages where entry is not null")]
    report = format_summary(summary)
    assert "lệnh: 1" in report and "75% (3/4)" in report


def test_a_store_from_before_the_new_columns_is_upgraded(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "create table messages (id integer primary key, created_at text, chat text, kind text, text text,"
        " intent text, fallback integer, rating integer, rated_at text)"
    )
    conn.commit()
    conn.close()
    store = Stats(path)
    try:
        store.record_message(1, "câu hỏi", "ask_fee", answered=False)
        assert 1 == store.summary()["fallbacks"]
    finally:
        store.close()
