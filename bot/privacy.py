"""The one redactor: find and replace Vietnamese personal data before anything is sent, stored or logged.

Every entrance (the REST client, the Telegram front end, its inbox, the statistics, the terminal) passes user
text *and button data* through :func:`redact`, which keeps a typed placeholder (``<CCCD>``, ``<SĐT>``,
``<OTP>``…) so the meaning survives. It is made for the way people actually type numbers:

- every Unicode digit form counts as a digit (fullwidth ``０``, circled ``⓪①``, superscript ``⁰¹``,
  Arabic-Indic ``٣``…; :func:`unicodedata.digit`, then NFKC for signs such as ``＠``);
- digit groups may be joined by spaces, dots, slashes, commas, underscores or dashes, with spaces around
  (``087/044/260/695``, ``024,712,865,623``, ``0981 . 805 . 748``);
- numbers are classified by length and prefix (phone, 12-digit ``<CCCD>``, 9-digit ``<CMND>``, 13–19 digit
  ``<THẺ>``, other 9+ digit ``<SỐ>``) or by the label before them (``số căn cước …``, ``sđt``, ``stk``,
  ``hộ chiếu``, ``ngày sinh``) whatever their length; a 4–8 digit message alone is an ``<OTP>``, so is a
  code with letters after "OTP / mã xác thực";
- e-mails written with ``(at)``, ``[dot]``, ``＠``; passwords after "mật khẩu / mk / pass" (a question such as
  "mật khẩu là gì" stays); a person's name followed by an address, and street addresses (house number,
  ngõ, hẻm, thôn, ấp…); administrative units (xã, huyện, tỉnh) stay, they are what the citizen asks about;
- a number split over consecutive messages of one sender: with ``sender`` given, a tiny tail of the previous
  message (its last digits, or a label waiting for a number) is kept in memory for :data:`TAIL_SECONDS`, under
  a keyed hash of the sender, never on disk;
- button payloads ``/intent{"slot": "…"}``: the intent is kept, every JSON value is redacted.

Amounts with a currency ("1.000.000 đồng"), ordinary dates, legal references ("75/2022/TT-BTC"), procedure
codes ("1.001755") and short everyday numbers stay as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
import time
import unicodedata

EMAIL = "<EMAIL>"
PASSWORD = "<MẬT KHẨU>"
CARD = "<THẺ>"
CCCD = "<CCCD>"
PHONE = "<SĐT>"
CMND = "<CMND>"
OTP = "<OTP>"
NUMBER = "<SỐ>"
ACCOUNT = "<STK>"
PASSPORT = "<HỘ CHIẾU>"
BIRTH = "<NGÀY SINH>"
NAME = "<HỌ TÊN>"
ADDRESS = "<ĐỊA CHỈ>"

KINDS = (EMAIL, PASSWORD, CARD, CCCD, PHONE, CMND, OTP, NUMBER, ACCOUNT, PASSPORT, BIRTH, NAME, ADDRESS)
PLACEHOLDER_RE = re.compile("<(" + "|".join(re.escape(k[1:-1]) for k in KINDS) + ")>")
SECRET_KINDS = {OTP, PASSWORD}

TAIL_SECONDS = 120.0  # how long the end of a sender's previous message is remembered
TAIL_SENDERS = 10_000  # senders remembered at most (oldest forgotten first)
TAIL_DIGITS = 12  # digits of the previous message's end remembered at most

UPPER = "A-ZĂÂĐÊÔƠƯÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
CAP_WORD = rf"[{UPPER}][^\W\d_]*"

# ---- numbers ------------------------------------------------------------------------------------------------
# groups joined by a separator: a sign with up to two spaces around it, a bare comma, or one or two spaces
SEP = r"(?:[ ]{0,2}[.\-/_·–—][ ]{0,2}|,|[ ]{1,2})"
NUMBER_RE = re.compile(rf"(?:\([ ]?\+?[ ]?84[ ]?\)[ ]?|\+[ ]?)?(?<![0-9])[0-9]+(?:{SEP}[0-9]+)*(?![0-9])")
MONEY_RE = re.compile(r"[1-9][0-9]{0,2}(?:[.,][0-9]{3})+|[1-9][0-9]{0,2}|0")
SPACED_THOUSANDS_RE = re.compile(r"[1-9][0-9]{0,2}(?: [0-9]{3})+")
CURRENCY_AFTER_RE = re.compile(
    r"[ ]?(?:đồng|dong|đ\b|d\b|vnd|vnđ|₫|k\b|nghìn|ngàn|ngan|nghin|triệu|trieu|tr\b|tỷ|tỉ|ty)", re.IGNORECASE
)
# kept as they are (unless a birth-date label stands before a date): dates, legal references, procedure codes
# not a piece of a longer run of separated digits ("10/0000/01/1", "10 / 10 / 10 / 10 / 0" are numbers, not dates):
# no digit and separator (with up to two spaces on either side, as SEP allows) just before or after
_NOT_AFTER_RUN = "".join("(?<![0-9]" + " " * a + r"[/.\-]" + " " * b + ")" for a in range(3) for b in range(3))
DATE_RE = re.compile(
    rf"(?<![0-9]){_NOT_AFTER_RUN}(?:0?[1-9]|[12][0-9]|3[01])[ ]?([/.\-])[ ]?(?:0?[1-9]|1[0-2])"
    r"(?:[ ]?\1[ ]?(?:19|20)[0-9]{2})?(?![0-9])(?![ ]{0,2}[/.\-][ ]{0,2}[0-9])"
)
LEGAL_RE = re.compile(rf"(?<![0-9])[0-9]{{1,5}}/(?:(?:19|20)[0-9]{{2}}/)?[{UPPER}]")
PROCEDURE_RE = re.compile(r"(?<![0-9.])[1-3]\.[0-9]{6}(?:\.[0-9]{3}\.[0-9]{2}\.[0-9]{2})?(?![0-9])")
HOTLINE_RE = re.compile(r"(?:1800|1900)")

# labels that say what the number after them is, whatever its length (4 digits or more)
_LABELS = [
    (PASSPORT, r"hộ chiếu|ho chieu|passport"),
    (
        ACCOUNT,
        r"stk|số tài khoản|so tai khoan|số tk|so tk|tài khoản ngân hàng|tai khoan ngan hang|"
        r"tk ngân hàng|tk ngan hang|chuyển khoản|chuyen khoan",
    ),
    (BIRTH, r"ngày sinh|ngay sinh|sinh ngày|sinh ngay|ngày tháng năm sinh|dob|ns"),
    (
        PHONE,
        r"sđt|sdt|số điện thoại|so dien thoai|điện thoại|dien thoai|số đt|so dt|đt|dt|zalo|số máy|so may|"
        r"thuê bao|thue bao|sim",
    ),
    (CCCD, r"cccd|căn cước|can cuoc|cmnd|cmt|chứng minh|chung minh|định danh|dinh danh|số id|so id"),
]
LABEL_RE = re.compile(r"(?i)(?<!\w)(?:" + "|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_LABELS)) + r")(?!\w)")
LABEL_KINDS = [k for k, _ in _LABELS]
LABEL_BEFORE = 40  # characters between a label and its number
# "mã"/"ma" alone counts, but not in everyday codes: mã hồ sơ, mã biên nhận, mã số thuế, mã thủ tục…
_NOT_OTP = (
    r"(?![ ]+(?:hồ sơ|ho so|biên nhận|bien nhan|số thuế|so thue|số hồ sơ|so ho so|thủ tục|thu tuc|"
    r"bưu|buu|vận đơn|van don|tra cứu|tra cuu|bảo hiểm|bao hiem|bhxh|bhyt|định danh|dinh danh|"
    r"số định danh|so dinh danh|tỉnh|tinh|xã|xa)\b)"
)
OTP_WORD_RE = re.compile(
    r"(?i)(?<![<\w])(?:otp|(?:mã|ma)" + _NOT_OTP + r"|code|passcode|xác thực|xac thuc|xác nhận|xac nhan)(?!\w)"
)
OTP_BEFORE = 30  # characters between an OTP word and the code that follows it
OTP_AFTER = 20  # characters between a code and an OTP word that follows it ("482193 là mã OTP")
# a code with letters after an OTP word ("mã xác thực K7Q9ZX"): 4–10 letters and digits, one digit at least
OTP_CODE_RE = re.compile(r"(?<![\w<])(?=[A-Za-z]*[0-9])(?=[0-9]*[A-Za-z])[A-Za-z0-9]{4,10}(?![\w>])")
# a letter and 7–8 digits ("C7391046"), the shape of a Vietnamese passport number
PASSPORT_RE = re.compile(r"(?<![\w<])[A-Za-z][ ]?[0-9]{7,8}(?![\w>])")
# letters glued to six or more digits ("rtx422549"): an account or user name
GLUED_RE = re.compile(r"(?<![\w<])(?:[A-Za-z]{1,6}[0-9]{6,}|[0-9]{6,}[A-Za-z]{1,6})(?![\w>])")

# ---- e-mails ------------------------------------------------------------------------------------------------
_AT = r"(?:@|[ ]*[(\[{][ ]*(?:at|@|a còng|a cong)[ ]*[)\]}][ ]*)"  # "@", "(at)", "[at]", "{@}"
_SPACED_AT = r"(?:[ ]+(?:@|at|a còng|a cong|a móc|a moc)[ ]+|[ ]+@|@[ ]+)"  # then a known ending is needed
_DOT = r"(?:[ ]*\.[ ]*|[ ]*[(\[{][ ]*(?:dot|chấm|cham|\.)[ ]*[)\]}][ ]*|[ ]+(?:dot|chấm|cham)[ ]+)"
_PROVIDER = r"(?:gmail|yahoo|outlook|hotmail|icloud|ymail|live)"
_TLD = r"(?:com|vn|net|org|edu|gov|info|io|biz|me|co)"
EMAIL_RE = re.compile(
    rf"(?i)(?<![\w.+-])[\w][\w.+-]*(?:{_AT}(?:[a-z0-9][a-z0-9-]*(?:{_DOT}[a-z0-9-]+)+|{_PROVIDER})"
    rf"|{_SPACED_AT}[a-z0-9][a-z0-9-]*(?:{_DOT}[a-z0-9-]+)*{_DOT}{_TLD})(?![\w-])"
)

# ---- passwords ----------------------------------------------------------------------------------------------
PASSWORD_WORD_RE = re.compile(r"(?i)(?<!\w)(?:mật khẩu|mat khau|mk|password|pass|pw|pwd)(?!\w)")
# words after "mật khẩu là" that make a question or a description, not a secret
QUESTION_WORDS = frozenset(
    "gì gi sao bao thế the như nhu mấy may bị bi gồm gom phải phai có co không khong của cua một mot những "
    "nhung các cac cái cai do ai đâu dau nào nao để de chữ chu ký ki kí số so gì? gì. mới moi cũ cu "
    "đúng dung sai quên quen bắt bat gồm tối toi ít it là la và va hay thì thi".split()
)
PASSWORD_NEXT_RE = re.compile(r"[ ]*(?:(là|la)(?=[ ]|$)|([:=]))?[ ]*:?[ ]*([^\s:=]+)")
PASSWORD_GAP = 4  # words between "mật khẩu" and the secret ("mật khẩu VNeID của tôi là …")

# ---- names and addresses ------------------------------------------------------------------------------------
SURNAMES = (
    "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đinh|Đoàn|Trương|Lâm|"
    "Mai|Trịnh|Cao|Lương|Tạ|Hà|Tô|Châu|Quách|Thái|Lưu|Đào|Kiều|Vương|Tăng|La|Triệu|Văn|Thân|Khúc|"
    "Nguyen|Tran|Le|Pham|Hoang|Huynh|Vu|Vo|Dang|Bui|Do|Ho|Ngo|Duong|Ly|Dinh|Doan|Truong|Lam|Trinh|"
    "Luong|Ta|Ha|To|Chau|Quach|Thai|Luu|Dao|Kieu|Vuong|Tang|Trieu"
)
NAME_RE = re.compile(rf"(?<![\w<])(?:{SURNAMES})(?:[ ]+{CAP_WORD}){{2,3}}(?![\w>])")
# places that read like a person's full name
NOT_A_NAME = frozenset(
    [
        "Hồ Chí Minh",
        "Ho Chi Minh",
        "Đinh Tiên Hoàng",
        "Trần Hưng Đạo",
        "Lê Thánh Tông",
        "Phan Đình Phùng",
        "Hoàng Hoa Thám",
        "Lý Thường Kiệt",
        "Lê Hồng Phong",
    ]
)
# a name label: "tên tôi là …", "họ và tên: …", "con tôi tên …"
NAME_LABEL_RE = re.compile(
    r"(?i)(?:(?:họ và tên|ho va ten|họ tên|ho ten)[ ]*(?:là|la|:)?"
    r"|(?<!\w)(?:tên|ten)[ ]*(?:của tôi|cua toi|tôi|toi|em|mình|minh|con|cháu|chau|con tôi)?[ ]*(?:là|la|:)"
    r"|(?<!\w)(?:tôi|toi|em|mình|minh|cháu|chau|con tôi|con toi)[ ]+(?:là|la|tên|ten)"
    r"|người nhận[ ]*(?:là|:)?)[ ]*$"
)
NAMED_RE = re.compile(rf"(?<![\w<]){CAP_WORD}(?:[ ]+{CAP_WORD}){{0,3}}(?![\w>])")
# what may follow a name for it to be a person's: an address or another personal item
AFTER_NAME_RE = re.compile(
    r"(?i)[ ]*(?:,|-|–|\(|[ ](?:ở|o|tại|tai|địa chỉ|dia chi|thường trú|tạm trú|trú|"
    r"sinh|sn|ns|cccd|cmnd|sđt|sdt|số|so|nhà|nha|quê|que)\b)"
)
NOT_A_PERSON_BEFORE = re.compile(
    r"(?i)(?:đường|duong|phố|pho|ngõ|hẻm|trường|truong|quận|huyện|phường|xã|"
    r"tỉnh|thành phố|tp|chủ tịch|lăng|cầu|chợ|bệnh viện|công an|ubnd)[ .]*$"
)
_ADMIN_STOP = r"(?![ ,]*(?:xã|phường|thị trấn|quận|huyện|thị xã|tỉnh|thành phố|tp\b|xa|phuong|quan|huyen|tinh)\b)"
_STREET_REST = rf"(?:{_ADMIN_STOP}[^,;\n?!<\x00\x01])*"
STREET_RE = re.compile(
    r"(?i)(?<![\w<])(?:"
    rf"(?:số nhà|so nha|nhà số|nha so)[ ]*[0-9]+[A-Za-z]?(?:[/\-][0-9]+[A-Za-z]?)*{_STREET_REST}"
    r"|(?:số[ ]*|so[ ]*)?[0-9]+[A-Za-z]?(?:[/\-][0-9]+[A-Za-z]?)*[ ]*,?[ ]*"
    rf"(?:ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|đường|duong|phố|pho)[ ]+{_STREET_REST}"
    rf"|(?:ngõ|ngách|hẻm|kiệt|ngo|ngach|hem|kiet)[ ]+[0-9]+{_STREET_REST}"
    rf"|(?-i:(?:thôn|xóm|ấp|tổ dân phố|tổ|khu phố|khóm|bản|thon|xom|ap|khu pho)[ ]+(?:số[ ]+)?(?:[0-9]+|{CAP_WORD})"
    rf"(?:[ ]+{CAP_WORD})*)"
    ")"
)
# after a person's name: "123 Nguyễn Trãi" is a street address too
NUMBERED_STREET_RE = re.compile(
    rf"[ ]*,?[ ]*(?:ở|tại|địa chỉ|thường trú|tạm trú|trú tại)?[ ]*:?[ ]*"
    rf"([0-9]+[A-Za-z]?(?:[/\-][0-9]+[A-Za-z]?)*[ ]+{CAP_WORD}{_STREET_REST})"
)

# button payloads: "/intent" or "/intent{json}", optionally after a short prefix ("p/ask_fee{…}")
PAYLOAD_RE = re.compile(r"^(?P<head>[a-z]{0,2}/[A-Za-z_][\w.-]*)(?P<body>\{.*\})?$", re.DOTALL)


def fold_digits(text: str) -> str:
    """``text`` with the same length, every digit form as an ASCII digit and compatibility signs folded."""
    out = []
    for c in text:
        if c < "\x80":
            out.append(c)
            continue
        d = unicodedata.digit(c, None)
        if d is not None:
            out.append(str(d))
            continue
        if unicodedata.category(c) == "Cf" or c.isspace():
            out.append(" ")  # zero-width and odd spaces separate like a space
            continue
        n = unicodedata.normalize("NFKC", c)
        out.append(n if len(n) == 1 else c)
    return "".join(out)


class _Redaction:
    """Spans of one text to replace, first come first served; overlapping later spans are dropped."""

    def __init__(self, text: str):
        self.text = text
        self.shadow = fold_digits(text)
        self.spans: list[tuple[int, int, str]] = []
        self.kept: list[tuple[int, int]] = []  # spans that must stay as they are (dates, legal references)
        self.found: set[str] = set()

    def free(self, start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e, _ in self.spans)

    def add(self, start: int, end: int, kind: str, keep_prefix: int = 0) -> bool:
        start += keep_prefix
        if end <= start or not self.free(start, end):
            return False
        self.spans.append((start, end, kind))
        self.found.add(kind)
        return True

    def masked(self) -> str:
        """The shadow text with every span so far blanked out (so later patterns do not see it)."""
        chars = list(self.shadow)
        for s, e, _ in self.spans:
            chars[s:e] = "\x00" * (e - s)
        for s, e in self.kept:
            chars[s:e] = "\x01" * (e - s)
        return "".join(chars)

    def result(self) -> str:
        parts, last = [], 0
        for s, e, kind in sorted(self.spans):
            parts += [self.text[last:s], kind]
            last = e
        parts.append(self.text[last:])
        return "".join(parts)


def _phone_or_none(digits: str, plus: bool) -> str | None:
    if digits.startswith("0084") and len(digits) in (13, 14):
        return PHONE
    if digits.startswith("84") and (plus or len(digits) == 11) and len(digits) in (11, 12):
        return PHONE
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE
    if plus and 9 <= len(digits) <= 10:
        return PHONE
    return None


def _length_kind(token: str, digits: str) -> str | None:
    """Placeholder for a run of digits that is personal data by its length, or ``None``."""
    phone = _phone_or_none(digits, "+" in token or "(" in token)
    if phone:
        return phone
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


def _is_money(shadow: str, start: int, token: str) -> bool:
    """An amount with a currency after it: "1.000.000 đồng", "50000đ", "10.000 - 20.000 đồng"."""
    if not CURRENCY_AFTER_RE.match(shadow, start + len(token)):
        return False
    # one amount or a range of two ("10.000 - 20.000"); inside one amount, spaces only group thousands
    # ("50 000"): "100 1000 10 k" and "100/1000/10 k" are a number followed by "k" (không), not an amount
    amounts = re.split(r"[ ]*[\-–—/][ ]*", token.strip())
    return len(amounts) <= 2 and all(
        MONEY_RE.fullmatch(a) or SPACED_THOUSANDS_RE.fullmatch(a) or (a.isdigit() and len(a) <= 8 and a[0] != "0")
        for a in amounts
    )


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits[:2] in ("19", "20")


def _label_before(masked: str, start: int) -> str | None:
    """The kind named by the nearest label in the few words before ``start``, or ``None``."""
    window = masked[max(0, start - LABEL_BEFORE) : start]
    kind = None
    for m in LABEL_RE.finditer(window):
        kind = LABEL_KINDS[int(str(m.lastgroup)[1:])]
        rest = window[m.end() :]
        if re.search(r"[0-9?]", rest):  # another number or a question between: the label is not for this one
            kind = None
    return kind


def _near_otp_word(masked: str, start: int, end: int) -> bool:
    before = masked[max(0, start - OTP_BEFORE) : start]
    after = masked[end : end + OTP_AFTER]
    return bool(OTP_WORD_RE.search(before) or OTP_WORD_RE.search(after))


# "năm 2024" right before a year: a year, even just after "mà" typed without its tone ("ma nam 2024")
YEAR_WORD_RE = re.compile(r"(?i)(?<!\w)(?:năm|nam)[ ]+$")


def _right_after_otp_word(masked: str, start: int) -> bool:
    """An OTP word just before (``mã xác thực 2024``), or "otp" anywhere near: then even a year is a code."""
    window = masked[max(0, start - OTP_BEFORE) : start]
    return "otp" in window.lower() or bool(OTP_WORD_RE.search(window[-14:]))


def _email(r: _Redaction) -> None:
    for m in EMAIL_RE.finditer(r.shadow):
        r.add(m.start(), m.end(), EMAIL)


def _password(r: _Redaction) -> None:
    shadow = r.masked()
    for m in PASSWORD_WORD_RE.finditer(shadow):
        pos = m.end()
        after_sep = False
        for _ in range(PASSWORD_GAP + 1):
            w = PASSWORD_NEXT_RE.match(shadow, pos)
            if not w:
                break
            sep = bool(w.group(1) or w.group(2))
            after_sep = after_sep or sep
            word = w.group(3).rstrip(",.;!?")
            if not word or "\x00" in word or "\x01" in word:
                break
            if re.fullmatch(r"\+?[0-9]+", word) and _phone_or_none(word.lstrip("+"), word.startswith("+")):
                break  # "mk 0912345678": a phone number, named so by the number rules (hidden either way)
            secret = _looks_secret(word, after_sep)
            if secret:
                start = w.start(3)
                r.add(start, start + len(word), PASSWORD)
                break
            if after_sep or word.endswith("?"):
                break
            pos = w.end()


def _looks_secret(word: str, after_separator: bool) -> bool:
    low = word.lower()
    if low in QUESTION_WORDS or "?" in word:
        return False
    has_digit = any(c.isdigit() for c in word)
    has_letter = any(c.isalpha() for c in word)
    has_sign = any(not c.isalnum() for c in word)
    if has_digit and (has_letter or has_sign) and len(word) >= 4:
        return True
    if has_letter and has_sign and len(word) >= 6 and not word.startswith(("<", "(", '"')):
        return True
    if has_digit and not has_letter and len(word) >= 6:
        return True
    # after "là"/":" a single word that is not Vietnamese: an ASCII word longer than any Vietnamese syllable
    return after_separator and word.isascii() and word.isalpha() and len(word) >= 8


def _names(r: _Redaction) -> None:
    shadow = r.masked()
    for m in NAMED_RE.finditer(shadow):
        before = shadow[max(0, m.start() - 30) : m.start()]
        if NAME_LABEL_RE.search(before[-30:]) and not NOT_A_PERSON_BEFORE.search(before[-15:]):
            if r.add(m.start(), m.end(), NAME):
                _address_after(r, m.end())
    shadow = r.masked()
    for m in NAME_RE.finditer(shadow):
        before = shadow[max(0, m.start() - 15) : m.start()]
        if NOT_A_PERSON_BEFORE.search(before) or m.group(0) in NOT_A_NAME:
            continue
        if AFTER_NAME_RE.match(shadow, m.end()) and r.add(m.start(), m.end(), NAME):
            _address_after(r, m.end())


def _address_after(r: _Redaction, pos: int) -> None:
    m = NUMBERED_STREET_RE.match(r.masked(), pos)
    if m:
        r.add(m.start(1), m.end(1), ADDRESS)


def _streets(r: _Redaction) -> None:
    for m in STREET_RE.finditer(r.masked()):
        end = m.end()
        while end > m.start() and r.shadow[end - 1] in " ,.":
            end -= 1
        r.add(m.start(), end, ADDRESS)


def _codes(r: _Redaction) -> None:
    """Codes with letters after an OTP word; passports; letters glued to long digit runs."""
    shadow = r.masked()
    for m in OTP_WORD_RE.finditer(shadow):
        for c in OTP_CODE_RE.finditer(shadow, m.end(), min(len(shadow), m.end() + OTP_BEFORE)):
            r.add(c.start(), c.end(), OTP)
    shadow = r.masked()
    for m in PASSPORT_RE.finditer(shadow):
        r.add(m.start(), m.end(), PASSPORT)
    for m in GLUED_RE.finditer(r.masked()):
        r.add(m.start(), m.end(), NUMBER)


def _keep_ordinary(r: _Redaction) -> None:
    """Dates (unless labelled as a birth date), legal references, procedure codes: kept as they are."""
    shadow = r.masked()
    for m in DATE_RE.finditer(shadow):
        if _label_before(shadow, m.start()) == BIRTH:
            r.add(m.start(), m.end(), BIRTH)
        elif _right_after_otp_word(shadow, m.start()):
            continue  # "mã OTP là 10/01" is a code
        elif shadow.strip(" .,;!?\n\t") == m.group(0) and len(re.findall(r"[0-9]", m.group(0))) <= 4:
            continue  # a message that is only "10 / 01": a 4-digit code as likely as a date, so hidden
        elif "/" in m.group(0) or m.group(0).count(".") + m.group(0).count("-") == 2:
            r.kept.append((m.start(), m.end()))
    for rx in (LEGAL_RE, PROCEDURE_RE):
        for m in rx.finditer(r.masked()):
            r.kept.append((m.start(), m.end() - (1 if rx is LEGAL_RE else 0)))


def _numbers(r: _Redaction, lone: bool) -> list[tuple[int, int, str, str | None]]:
    """Redact digit runs; returns every run seen as (start, end, digits, kind given)."""
    shadow = r.masked()
    runs = []
    for m in NUMBER_RE.finditer(shadow):
        token = m.group(0)
        groups = re.findall(r"[0-9]+", token)
        digits = "".join(groups)
        start, end = m.start(), m.end()
        kind = None
        money = _is_money(shadow, start, token) and not (4 <= len(digits) <= 8 and _right_after_otp_word(shadow, start))
        if not money:
            kind = _length_kind(token, digits)
            label = _label_before(shadow, start) if len(digits) >= 4 else None
            if label not in (BIRTH, None) and _is_year(digits) or label == PHONE and HOTLINE_RE.match(digits):
                label = None  # "căn cước hết hạn năm 2025", "điện thoại tổng đài 1900 0368"
            # "001203012345 12 số": a long first group is the number, the rest is ordinary text
            if kind in (CARD, NUMBER) and len(groups) > 1 and label is None:
                head = _length_kind(groups[0], groups[0])
                if head in (PHONE, CCCD, CMND):
                    end = start + token.index(groups[0]) + len(groups[0])
                    kind = head
            if label == BIRTH and len(digits) in (4, 6, 8):
                kind = BIRTH
            elif label is not None and (kind is None or label in (ACCOUNT, PASSPORT)):
                kind = CMND if label == CCCD and len(digits) == 9 else label
            if kind is None and 4 <= len(digits) <= 8:
                if _near_otp_word(shadow, start, end) and not (
                    _is_year(digits)
                    and (YEAR_WORD_RE.search(shadow[:start]) or not _right_after_otp_word(shadow, start))
                ):
                    kind = OTP
                elif lone and not HOTLINE_RE.match(digits):
                    kind = OTP
        runs.append((start, end, digits, kind))
        if kind:
            r.add(start, end, kind)
    return runs


def _is_lone_number(shadow: str) -> bool:
    """True for a message that is only one number ("495796", "495 796.")."""
    core = shadow.strip(" .,;!?\n\t")
    return bool(core) and NUMBER_RE.fullmatch(core) is not None


# ---- memory of a sender's previous message, for numbers split over two messages -----------------------------
_KEY = os.urandom(32)  # per process: a sender's key means nothing outside it
_tails: dict[str, dict] = {}
_tails_lock = threading.Lock()


def _sender_key(sender: str) -> str:
    return hmac.new(_KEY, sender.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def _message_key(text: str) -> str:
    return hmac.new(_KEY, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def _previous_tail(sender: str, text: str, now: float) -> dict | None:
    """What the sender's previous message left open; a repeated call for the same message sees the same."""
    with _tails_lock:
        for key in [k for k, v in _tails.items() if now - v["at"] > TAIL_SECONDS]:
            del _tails[key]
        entry = _tails.get(_sender_key(sender))
        if entry is None:
            return None
        if entry["message"] == _message_key(text):
            return entry["before"]
        return entry["tail"]


def _remember_tail(sender: str, text: str, tail: dict | None, now: float) -> None:
    key, message = _sender_key(sender), _message_key(text)
    with _tails_lock:
        entry = _tails.get(key)
        if entry is not None and entry["message"] == message:
            entry["at"] = now
            return
        before = entry["tail"] if entry is not None else None
        _tails.pop(key, None)
        _tails[key] = {"at": now, "message": message, "before": before, "tail": tail}
        while len(_tails) > TAIL_SENDERS:
            del _tails[next(iter(_tails))]


def forget_senders() -> None:
    """Drop every remembered message end (tests; a front end may call it on shutdown)."""
    with _tails_lock:
        _tails.clear()


def _tail_of(r: _Redaction, runs: list) -> dict | None:
    """The end of this message a next message could continue: trailing digits, or a label with no number."""
    masked = r.masked()
    stripped = len(r.shadow.rstrip(" .,;:!\n\t-"))
    if runs and runs[-1][1] >= stripped and len(runs[-1][2]) <= TAIL_DIGITS:
        start, end, digits, kind = runs[-1]
        return {"digits": digits, "kind": kind or _label_before(masked, start)}
    tail = masked[max(0, stripped - LABEL_BEFORE) : stripped]
    label = None
    for m in LABEL_RE.finditer(tail):
        label = LABEL_KINDS[int(str(m.lastgroup)[1:])]
    if OTP_WORD_RE.search(tail[-OTP_BEFORE:]):
        label = OTP
    return {"digits": "", "kind": label} if label else None


def _continue_previous(r: _Redaction, runs: list, previous: dict | None) -> None:
    """A number at the start of this message that completes the number the previous one ended with."""
    if not previous or not runs:
        return
    start, end, digits, kind = runs[0]
    if kind or r.shadow[:start].strip(" ,.-:"):
        return
    joined = previous["digits"] + digits
    new = _length_kind(joined, joined)
    if new is None and previous["kind"] and len(digits) >= 2:
        new = previous["kind"] if previous["kind"] != OTP or 4 <= len(digits) <= 8 else None
    if new is None and previous["digits"].startswith("0") and len(joined) >= 6:
        new = NUMBER
    if new:
        r.add(start, end, new)


# ---- the entrance -------------------------------------------------------------------------------------------
def _redact_text(text: str, sender: str | None, lone: bool = True) -> tuple[str, set[str]]:
    if not text:
        return text, set()
    r = _Redaction(text)
    _email(r)  # first: a whole address after "mk" is an e-mail (hidden either way, named right)
    _password(r)
    _keep_ordinary(r)
    _names(r)
    _streets(r)
    _codes(r)
    runs = _numbers(r, lone and _is_lone_number(r.shadow))
    if sender is not None:
        now = time.monotonic()
        _continue_previous(r, runs, _previous_tail(sender, text, now))
        _remember_tail(sender, text, _tail_of(r, runs), now)
    return r.result(), r.found


def _redact_json(value, found: set[str]):
    if isinstance(value, str):
        out, kinds = _redact_text(value, None)
        found |= kinds
        return out
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        out, kinds = _redact_text(str(value), None)
        found |= kinds
        return value if not kinds else out
    if isinstance(value, list):
        return [_redact_json(v, found) for v in value]
    if isinstance(value, dict):
        return {
            k if not _redact_text(str(k), None, lone=False)[1] else NUMBER: _redact_json(v, found)
            for k, v in value.items()
        }
    return value


def _redact_payload(text: str) -> tuple[str, set[str]] | None:
    """``/intent{json}`` with every JSON value redacted, or ``None`` when ``text`` is not a payload."""
    m = PAYLOAD_RE.match(text)
    if not m or _redact_text(m.group("head"), None, lone=False)[1]:
        return None  # "/0912345678" is typed text, not one of our payloads
    body = m.group("body")
    if not body:
        return text, set()
    try:
        data = json.loads(body)
    except ValueError:
        out, text_found = _redact_text(body, None, lone=False)
        return m.group("head") + out, text_found
    found: set[str] = set()
    clean = _redact_json(data, found)
    if not found:
        return text, found
    return m.group("head") + json.dumps(clean, ensure_ascii=False, separators=(",", ":")), found


def redact(text: str, sender: str | None = None) -> tuple[str, set[str]]:
    """Replace personal data in ``text`` (a message or button data) by placeholders; returns it and the kinds found.

    The one function every entrance calls before text is sent, stored or logged.

    :param text: user text or a button payload (``/intent{"slot": "value"}``: values redacted, intent kept)
    :param sender: who sent it (any stable id); given, a number split over this and the sender's previous
        message is found too (the previous message's end is remembered in memory for a short while)
    """
    if not text:
        return text or "", set()
    payload = _redact_payload(text)
    if payload is not None:
        return payload
    return _redact_text(text, sender)


# words that only label or hand over the data ("số căn cước của tôi là …"): they ask nothing
LABEL_WORDS = frozenset(
    "số so của cua tôi toi mình minh em anh chị chi là la đây day nè ne nhé nhe ạ a ơi oi đó do này nay "
    "cccd cmnd sđt sdt căn can cước cuoc định dinh danh điện dien thoại thoai email mail thẻ the chứng chung "
    "minh nhân nhan dân dan cá ca tài tai khoản khoan và va hộ ho chiếu chieu ngày ngay sinh stk tên ten "
    "họ địa dia chỉ chi".split()
)


def mostly_personal_data(redacted: str) -> bool:
    """True when a redacted message is little more than the personal data itself, or holds a secret."""
    if any(k in redacted for k in SECRET_KINDS):
        return True
    if not PLACEHOLDER_RE.search(redacted):
        return False
    rest = PLACEHOLDER_RE.sub(" ", redacted)
    words = [w for w in re.findall(r"\w+", rest.lower()) if w not in LABEL_WORDS]
    return len(words) <= 3
