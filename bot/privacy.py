"""Find and redact Vietnamese personal data (ID numbers, phones, OTPs, e-mails, card numbers, passwords).

Every front end redacts user text with :func:`redact` before it reaches Rasa, logs or any store, keeping a
typed placeholder (``<CCCD>``, ``<SĐT>``, ``<OTP>``…) so the meaning survives.
"""

from __future__ import annotations

import re

_SEP = r"[ .\-]?"
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("<EMAIL>", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("<MẬT KHẨU>", re.compile(r"(?i)((?:mật khẩu|mat khau|mk|password|pass|passcode)\s*(?:của \w+\s*)?(?:là|la|:|=)\s*)\S+")),
    ("<THẺ>", re.compile(r"(?<!\d)\d{4}(?:[ \-]?\d{4}){3}(?:\d{1,3})?(?!\d)")),
    ("<CCCD>", re.compile(r"(?<!\d)\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}(?!\d)")),
    ("<SĐT>", re.compile(r"(?<![\d+])(?:\+84|0084|84|0)" + _SEP + r"\d{2,3}(?:" + _SEP + r"\d){6,7}(?!\d)")),
    ("<CMND>", re.compile(r"(?<!\d)\d{9}(?!\d)")),
    ("<OTP>", re.compile(r"(?i)((?:otp|mã|ma|code|passcode)\D{0,20}?)(?<!\d)\d{4,8}(?!\d)")),
]
PLACEHOLDER_RE = re.compile(r"<(EMAIL|MẬT KHẨU|THẺ|CCCD|SĐT|CMND|OTP)>")
SECRET_KINDS = {"<OTP>", "<MẬT KHẨU>"}


def redact(text: str) -> tuple[str, set[str]]:
    """Replace personal data in ``text`` by placeholders; returns the new text and the kinds found."""
    found: set[str] = set()
    for placeholder, pattern in PATTERNS:
        def _sub(m: re.Match, placeholder=placeholder) -> str:
            found.add(placeholder)
            return (m.group(1) if pattern.groups else "") + placeholder
        text = pattern.sub(_sub, text)
    return text, found


def mostly_personal_data(redacted: str) -> bool:
    """True when a redacted message is little more than the personal data itself, or holds a secret."""
    if any(k in redacted for k in SECRET_KINDS):
        return True
    if not PLACEHOLDER_RE.search(redacted):
        return False
    rest = PLACEHOLDER_RE.sub(" ", redacted)
    return len(re.findall(r"\w+", rest)) <= 5
