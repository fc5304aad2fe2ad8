"""Property-based tests (hypothesis) for the redactor: generated variants of the ways people type personal data
(every digit form, any separator and grouping, obfuscated e-mails, codes with letters, button data, numbers
split over two messages) never survive; redacting twice changes nothing more."""

import json
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.privacy import fold_digits, forget_senders, redact

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
word = st.text(alphabet=VIETNAMESE, min_size=1, max_size=7)
words = st.lists(word, max_size=8).map(" ".join)
around = st.tuples(words, words)

# every way of writing the digit 0–9: ASCII, fullwidth, circled, superscript, Arabic-Indic, Persian,
# Devanagari, Bengali, Thai, mathematical bold
DIGIT_FORMS = [
    "0123456789",
    "０１２３４５６７８９",
    "⓪①②③④⑤⑥⑦⑧⑨",
    "⁰¹²³⁴⁵⁶⁷⁸⁹",
    "٠١٢٣٤٥٦٧٨٩",
    "۰۱۲۳۴۵۶۷۸۹",
    "०१२३४५६७८९",
    "০১২৩৪৫৬৭৮৯",
    "๐๑๒๓๔๕๖๗๘๙",
    "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
]
SEPARATORS = ["", " ", ".", "/", ",", "_", "-", " . ", " - ", " / ", "  ", "\u200b", "\u00a0"]


def digits(n, first=""):
    return st.text(alphabet="0123456789", min_size=n - len(first), max_size=n - len(first)).map(lambda s: first + s)


@st.composite
def typed(draw, number):
    """``number`` as someone might type it: one digit form (or a mix), one separator, random group sizes."""
    forms = draw(st.lists(st.sampled_from(DIGIT_FORMS), min_size=1, max_size=2))
    sep = draw(st.sampled_from(SEPARATORS))
    out, i = [], 0
    while i < len(number):
        size = draw(st.integers(2, 4))
        out.append("".join(draw(st.sampled_from(forms))[int(c)] for c in number[i : i + size]))
        i += size
    return sep.join(out)


def only_digits(text):
    return re.sub(r"\D", "", fold_digits(text))


ID_LABELS = ["cccd", "số căn cước", "số định danh", "căn cước của tôi là", "cmnd", "sđt", "số điện thoại", "số", ""]
identity = st.one_of(
    digits(12, "0"), digits(9, "1"), st.sampled_from(["09", "03", "08"]).flatmap(lambda p: digits(10, p))
)


@FAST
@given(around, st.sampled_from(ID_LABELS), identity.flatmap(lambda n: st.tuples(st.just(n), typed(n))))
def test_identity_numbers_never_survive_however_typed(context, label, pair):
    number, written = pair
    out, found = redact(f"{context[0]} {label} {written} {context[1]}")
    assert found and number not in only_digits(out)


@FAST
@given(
    around,
    st.sampled_from(["mã OTP là", "otp", "mã xác thực", "mã xác nhận:", "code", ""]),
    st.integers(4, 8).flatmap(lambda n: digits(n, "1")).flatmap(lambda n: st.tuples(st.just(n), typed(n))),
)
def test_otp_codes_never_survive(context, label, pair):
    code, written = pair
    text = f"{context[0]} {label} {written} {context[1]}" if label else written
    out, found = redact(text)
    assert code not in only_digits(out)


@FAST
@given(
    around,
    st.sampled_from(["mã OTP", "mã xác thực", "OTP:", "mã xác nhận là"]),
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=2, max_size=4),
    digits(3),
)
def test_codes_with_letters_after_an_otp_word_never_survive(context, label, letters, number):
    code = "".join(a + b for a, b in zip(letters, number)) + letters[len(number) :]
    out, _ = redact(f"{context[0]} {label} {code} {context[1]}")
    assert code not in out


@FAST
@given(
    around,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.", min_size=3, max_size=12).filter(
        lambda s: s[0].isalnum() and s[-1].isalnum() and ".." not in s
    ),
    st.sampled_from(["@", "＠", " (at) ", "[at]", " @ ", "{at}", " (a còng) "]),
    st.sampled_from(["gmail", "yahoo", "outlook", "dvc"]),
    st.sampled_from([".", " (dot) ", "[dot]", " . ", " chấm "]),
    st.sampled_from(["com", "vn", "com.vn"]),
)
def test_emails_never_survive_however_written(context, local, at, domain, dot, tld):
    assume(local not in " ".join(context))
    out, found = redact(f"{context[0]} {local}{at}{domain}{dot}{tld} {context[1]}")
    assert local not in out and "<EMAIL>" in found


@FAST
@given(
    around,
    st.sampled_from(["mật khẩu", "mật khẩu là", "mk:", "pass", "mat khau la", "Mật khẩu VNeID của tôi là"]),
    st.text(alphabet="abcdefghXYZ", min_size=3, max_size=8),
    digits(3),
    st.sampled_from(["", "@", "!", "#"]),
)
def test_passwords_never_survive(context, label, letters, number, sign):
    secret = letters + number + sign
    out, found = redact(f"{context[0]} {label} {secret} {context[1]}")
    assert secret not in out and "<MẬT KHẨU>" in found


@FAST
@given(
    st.sampled_from(["ask_fee", "ask_procedure", "guide"]),
    st.sampled_from(["", "p"]),
    st.sampled_from(["province", "service", "place"]),
    st.one_of(digits(10, "09"), digits(12, "0"), digits(9, "1")),
)
def test_button_data_values_never_survive(intent, prefix, slot, value):
    out, _ = redact(f"{prefix}/{intent}" + json.dumps({slot: value}))
    head, body = out.split("{", 1)
    assert head == f"{prefix}/{intent}" and value not in out
    assert isinstance(json.loads("{" + body), dict)  # still a payload Rasa can read


@FAST
@given(identity, st.data())
def test_numbers_split_over_two_messages_never_survive(number, data):
    cut = data.draw(st.integers(3, len(number) - 3))
    first = data.draw(st.sampled_from(["số căn cước của tôi là {}", "sđt {}", "{}", "cccd {}"])).format(number[:cut])
    second = data.draw(st.sampled_from(["{} làm lại thẻ ở đâu", "{}", "{} nhé"])).format(number[cut:])
    forget_senders()
    outs = [redact(first, sender="u")[0], redact(second, sender="u")[0]]
    assert number not in only_digits(" ".join(outs))
    assert not (number[:cut] in only_digits(outs[0]) and number[cut:] in only_digits(outs[1]))


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_redacting_twice_changes_nothing_more(text):
    once, found = redact(text)
    twice, again = redact(once)
    assert once == twice and not again - found
    assert not re.search(r"[0-9]{9}", fold_digits(twice))
