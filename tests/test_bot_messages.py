"""The one message-hygiene rule (bot/messages.py): clean, cut, redact unless it is a button payload."""

from actions.buttons import payload
from bot.messages import MAX_INPUT_CHARS, STORED_TEXT_CHARS, is_long, redacted, safe_text


def test_typed_text_is_cleaned_and_redacted():
    assert "số của tôi <SĐT> nhé" == safe_text("số\x00 của tôi\n0912345678   nhé")


def test_button_payload_is_kept_but_a_typed_payload_is_redacted():
    button = payload("ask_fee", service="thuong_tru", province="Hà Nội")
    assert button == safe_text(button, button=True)
    assert "0912345678" not in safe_text("/0912345678")
    assert "0912345678" not in safe_text("/0912345678", button=False)


def test_a_number_across_the_cut_is_never_left_half_in_clear():
    text = "a" * (STORED_TEXT_CHARS - 5) + " 0912345678"
    kept = safe_text(text, limit=STORED_TEXT_CHARS)
    assert len(kept) <= STORED_TEXT_CHARS and "0912" not in kept


def test_the_long_message_warning_fires_where_reading_stops():
    assert not is_long("x" * MAX_INPUT_CHARS)
    assert is_long("x" * (MAX_INPUT_CHARS + 1))
    assert MAX_INPUT_CHARS == len(safe_text("x" * (MAX_INPUT_CHARS + 50)))


def test_redacted_reports_what_it_found():
    text, found = redacted("mã OTP 123456")
    assert "123456" not in text and found
