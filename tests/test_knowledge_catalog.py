"""Finding the service a user names after /huongdan or /checklist: the same retrieval the chat uses."""

import pytest

from knowledge.catalog import TOPICS, find_service
from knowledge.retrieval import Retriever


@pytest.mark.parametrize(
    "text, service",
    [
        ("Đăng ký thường trú", "thuong_tru"),  # exact title
        ("nhap ho khau", "thuong_tru"),  # an alias, without diacritics
        ("ho chieu", "ho_chieu"),
        ("thủ tục đăng ký tạm trú cho người thuê trọ", "tam_tru"),  # retrieval
    ],
)
def test_names_and_words_find_the_service(kb, text, service):
    found = find_service(kb, text, Retriever(kb))
    assert found is not None and service == found["id"]


@pytest.mark.parametrize("text", ["", "   ", "thủ tục không có thật xyz", "đăng ký"])
def test_nothing_or_one_shared_word_names_no_service(kb, text):
    assert find_service(kb, text, Retriever(kb)) is None


def test_every_topic_covers_content(kb):
    topics = {e.get("topic") for e in kb.entries()}
    for title, covered in TOPICS.values():
        assert title and set(covered) & topics, title
