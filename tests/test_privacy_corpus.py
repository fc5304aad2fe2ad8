"""The redactor against tests/privacy_corpus.yml: 200+ real-looking messages (every input of issue 12 among
them), numbers split over two messages, button data; no raw value may survive, everyday messages pass unchanged."""

import re
from pathlib import Path

import pytest
import yaml

from bot.privacy import PLACEHOLDER_RE, fold_digits, forget_senders, redact

CORPUS = yaml.safe_load((Path(__file__).parent / "privacy_corpus.yml").read_text(encoding="utf-8"))


def assert_no_raw_value(out: str, raw: list[str]) -> None:
    """No raw value in ``out``, neither as typed nor as its digits in any digit form."""
    digits = re.sub(r"\D", "", fold_digits(out))
    for value in raw:
        assert value not in out, f"{value!r} survived in {out!r}"
        value_digits = re.sub(r"\D", "", fold_digits(value))
        if len(value_digits) >= 4:
            assert value_digits not in digits, f"digits of {value!r} survived in {out!r}"


def test_corpus_is_large_and_holds_the_issue_inputs():
    assert len(CORPUS["messages"]) + len(CORPUS["sequences"]) >= 200
    assert sum(1 for m in CORPUS["messages"] if m.get("note") == "issue 12") >= 19


@pytest.mark.parametrize("item", CORPUS["messages"], ids=lambda m: m["text"][:40])
def test_no_raw_value_survives(item):
    out, found = redact(item["text"])
    assert found and PLACEHOLDER_RE.search(out)
    assert_no_raw_value(out, item["raw"])


@pytest.mark.parametrize("item", CORPUS["sequences"], ids=lambda m: " | ".join(m["messages"])[:40])
def test_numbers_split_over_messages_of_one_sender(item):
    forget_senders()
    outs = [redact(text, sender="chat-1")[0] for text in item["messages"]]
    assert_no_raw_value(" ".join(outs), item["raw"])


def test_a_message_redacted_twice_gives_the_same_result():
    """Several stores redact the same message: each sees the previous message, not its own first call."""
    forget_senders()
    first = redact("số căn cước của tôi là 063633", sender="s")
    second = [redact("653852 làm lại thẻ ở đâu", sender="s") for _ in range(3)]
    assert "<CCCD>" in first[0] and all(s == ("<CCCD> làm lại thẻ ở đâu", {"<CCCD>"}) for s in second)


def test_other_senders_do_not_continue_a_number():
    forget_senders()
    redact("số căn cước của tôi là 063633", sender="a")
    assert ("653852 làm lại thẻ ở đâu", set()) == redact("653852 làm lại thẻ ở đâu", sender="b")


@pytest.mark.parametrize("text", CORPUS["keep"])
def test_everyday_messages_pass_unchanged(text):
    assert (text, set()) == redact(text)


@pytest.mark.parametrize(
    "payload, expected",
    [
        ('/ask_fee{"province":"0912876543"}', '/ask_fee{"province":"<SĐT>"}'),
        ('p/ask_fee{"province":"0912876543"}', 'p/ask_fee{"province":"<SĐT>"}'),
        ('/ask_fee{"province":"Hà Nội"}', '/ask_fee{"province":"Hà Nội"}'),
        ('/ask_fee{"n": 912876543}', '/ask_fee{"n":"<CMND>"}'),
        ('/ask_fee{"a": ["x", {"b": "cccd 001203012345"}]}', '/ask_fee{"a":["x",{"b":"cccd <CCCD>"}]}'),
        ("/ask_fee{not json 0912876543}", "/ask_fee{not json <SĐT>}"),
        ("/0912345678", "/<SĐT>"),
        ("/greet", "/greet"),
    ],
)
def test_button_data_keeps_the_intent_and_redacts_values(payload, expected):
    assert expected == redact(payload)[0]
