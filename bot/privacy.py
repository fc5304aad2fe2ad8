"""Find and redact Vietnamese personal data (ID numbers, phones, OTPs, e-mails, card numbers, passwords).

Every front end redacts user text with :func:`redact` before it reaches Rasa, logs or any store, keeping a
typed placeholder (``<CCCD>``, ``<SĐT>``, ``<OTP>``…) so the meaning survives.

Numbers are read as runs of digit groups joined by one space, dot or dash ("0912 345 678", "001.203.012.345",
"+84-912-345-678") and classified by their digit count and prefix:

- a phone: 10–11 digits starting with 0, or the country code +84 / 84 / 0084 followed by 9–10 digits;
- ``<CCCD>``: 12 digits (personal ID / citizen ID card);
- ``<CMND>``: 9 digits (old ID card);
- ``<THẺ>``: 13–19 digits (bank card);
- ``<SỐ>``: any other run of 9 or more digits (account numbers…): over-redacting is the safe side;
- ``<OTP>``: 4–8 digits within a few words of "OTP", "mã", "code", "passcode", "xác thực".

Amounts written with thousand separators and a currency ("1.000.000.000 đồng") are left alone, so are the
short numbers of everyday questions (mức 2, 10.000 đồng, 1900 0368, 01/07/2025).
"""

from __future__ import annotations

import re
import unicodedata

EMAIL = "<EMAIL>"
PASSWORD = "<MẬT KHẨU>"
CARD = "<THẺ>"
CCCD = "<CCCD>"
PHONE = "<SĐT>"
CMND = "<CMND>"
OTP = "<OTP>"
NUMBER = "<SỐ>"

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# "mật khẩu [VNeID của tôi] là[:] X", "mk: X": up to four words between the keyword and "là"/":"/"=";
# the word after it is the secret unless it is a question word ("mật khẩu là gì")
PASSWORD_RE = re.compile(
    r"(?i)((?:mật khẩu|mat khau|mk|password|pass|passcode)(?:\s+[^\s:=]+){0,4}?\s*(?:(?:là|la)\s*:?|[:=])\s*"
    r"(?<=[\s:=]))(?!(?:gì|gi|sao|bao|thế|the|như|nhu|mấy|may|bị|bi|gồm|gom|phải|phai|có|co|không|khong)\b)"
    r"(?=\S*[\d@#$%^&*!?_.])\S+")
# digit groups joined by one separator, with an optional "+" or "(+84)" in front
NUMBER_RE = re.compile(r"(?:\(\s?\+?\s?84\s?\)\s?|\+\s?)?(?<!\d)\d+(?:[ .\-]\d+)*(?!\d)")
MONEY_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")
CURRENCY_AFTER_RE = re.compile(r"\s?(?:đồng|dong|đ\b|d\b|vnd|vnđ|₫|nghìn|ngàn|ngan|nghin|triệu|trieu|tỷ|ty)",
                               re.IGNORECASE)
# "mã"/"ma" alone counts, but not in everyday codes: mã hồ sơ, mã biên nhận, mã số thuế, mã thủ tục…
_NOT_OTP = r"(?!\s+(?:hồ sơ|ho so|biên nhận|bien nhan|số thuế|so thue|số hồ sơ|so ho so|thủ tục|thu tuc|bưu|buu|vận đơn|van don|tra cứu|tra cuu|bảo hiểm|bao hiem|bhxh|bhyt)\b)"
OTP_WORD_RE = re.compile(r"(?i)(?<![<\w])(?:otp|(?:mã|ma)" + _NOT_OTP + r"|code|passcode|xác thực|xac thuc|xác nhận|xac nhan)(?!\w)")
OTP_BEFORE = 30  # characters between an OTP word and the code that follows it
OTP_AFTER = 20   # characters between a code and an OTP word that follows it ("482193 là mã OTP")

PLACEHOLDER_RE = re.compile(r"<(EMAIL|MẬT KHẨU|THẺ|CCCD|SĐT|CMND|OTP|SỐ)>")
SECRET_KINDS = {OTP, PASSWORD}


def _ascii_digits(digits: str) -> str:
    """"０９１" → "091": any Unicode decimal digits as ASCII."""
    return "".join(str(unicodedata.digit(c)) for c in digits)


def _phone_or_none(digits: str, plus: bool) -> str | None:
    if digits.startswith("0084") and len(digits) in (13, 14):
        return PHONE
    if digits.startswith("84") and (plus or len(digits) == 11) and len(digits) in (11, 12):
        return PHONE
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE
    return None


def _long_number_kind(token: str, digits: str) -> str | None:
    """Placeholder for a run of digits that is personal data by its length, or ``None``."""
    plus = "+" in token or "(" in token
    phone = _phone_or_none(digits, plus)
    if phone:
        return phone
    if plus and 9 <= len(digits) <= 10:
        return PHONE
    n = len(digits)
    if n == 12:
        return CCCD
    if n == 9:
        return CMND
    if 13 <= n <= 19:
        return CARD
    if n >= 9:
        return NUMBER
    return None


def _is_money(text: str, m: re.Match) -> bool:
    return bool(MONEY_RE.fullmatch(m.group(0)) and CURRENCY_AFTER_RE.match(text, m.end()))


def _near_otp_word(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - OTP_BEFORE):start]
    after = text[end:end + OTP_AFTER]
    return bool(OTP_WORD_RE.search(before) or OTP_WORD_RE.search(after))


def _redact_numbers(text: str, found: set[str]) -> str:
    parts: list[str] = []
    last = 0
    for m in NUMBER_RE.finditer(text):
        token = m.group(0)
        groups = [_ascii_digits(g) for g in re.findall(r"\d+", token)]
        digits = "".join(groups)
        kind = None
        if not _is_money(text, m):
            kind = _long_number_kind(token, digits)
            # "001203012345 12 số": a long first group is the number, the rest is ordinary text
            if kind in (CARD, NUMBER) and len(groups) > 1:
                head = _long_number_kind(groups[0], groups[0])
                if head in (PHONE, CCCD, CMND):
                    end = m.start() + token.index(groups[0]) + len(groups[0])
                    parts += [text[last:m.start()], head]
                    found.add(head)
                    last = end
                    continue
            if (kind is None and 4 <= len(digits) <= 8 and not MONEY_RE.fullmatch(token)
                    and _near_otp_word(text, m.start(), m.end())):
                kind = OTP
        if kind is None:
            continue
        parts += [text[last:m.start()], kind]
        found.add(kind)
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)


def redact(text: str) -> tuple[str, set[str]]:
    """Replace personal data in ``text`` by placeholders; returns the new text and the kinds found.

    :param text: user text (any length; Unicode digits count as digits)
    """
    found: set[str] = set()

    def _email(m: re.Match) -> str:
        found.add(EMAIL)
        return EMAIL

    def _password(m: re.Match) -> str:
        found.add(PASSWORD)
        return m.group(1) + PASSWORD

    text = EMAIL_RE.sub(_email, text)
    text = PASSWORD_RE.sub(_password, text)
    text = _redact_numbers(text, found)
    return text, found


# words that only label or hand over the data ("số căn cước của tôi là …"): they ask nothing
LABEL_WORDS = frozenset(
    "số so của cua tôi toi mình minh em anh chị chi là la đây day nè ne nhé nhe ạ a ơi oi đó do này nay "
    "cccd cmnd sđt sdt căn can cước cuoc định dinh danh điện dien thoại thoai email mail thẻ the chứng chung "
    "minh nhân nhan dân dan cá ca tài tai khoản khoan và va".split())


def mostly_personal_data(redacted: str) -> bool:
    """True when a redacted message is little more than the personal data itself, or holds a secret."""
    if any(k in redacted for k in SECRET_KINDS):
        return True
    if not PLACEHOLDER_RE.search(redacted):
        return False
    rest = PLACEHOLDER_RE.sub(" ", redacted)
    words = [w for w in re.findall(r"\w+", rest.lower()) if w not in LABEL_WORDS]
    return len(words) <= 3
