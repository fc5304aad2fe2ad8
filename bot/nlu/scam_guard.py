"""Rasa component: messages that match known scam patterns get the intent ``scam_warning``, whatever else
they ask, so the citizen always sees the scam warning from the knowledge base first.

Patterns (from the police warnings in the press): a caller claiming to be police about VNeID, a link or app
file to install or "activate" VNeID, someone asking for an OTP, a gift for installing an app, a call to
"update your hometown/residence".
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.intent_override import IntentOverride
from knowledge.text import normalize, search_key

INTENT = "scam_warning"

# Each pattern runs on search_key(text): lowercase, no diacritics, abbreviations expanded.
_CALLER = r"(goi dien|goi|dien thoai|nhan tin|nhan tin nhan|zalo|facebook|messenger|tin nhan)"
_POLICE = r"(cong an|can bo|canh sat|nguoi xung|tu xung|mao danh)"
SCAM_PATTERNS: dict[str, re.Pattern] = {
    "police_call": re.compile(rf"{_POLICE}.{{0,60}}{_CALLER}|{_CALLER}.{{0,60}}{_POLICE}"),
    "install_link": re.compile(
        r"(https?://|www\.|\.apk\b|link|duong dan|bit\.ly).{0,80}(vneid|kich hoat|cai dat|cai|tai)"
        r"|(vneid|kich hoat|cai dat|tai).{0,80}(https?://|www\.|\.apk\b|link|duong dan)"
    ),
    "otp_request": re.compile(
        r"(hoi|xin|yeu cau|doc|gui|cung cap|dua|bao|doi|nhan duoc tin).{0,30}(ma )?otp"
        r"|otp.{0,30}(cho ho|cho nguoi|cho can bo|cho cong an)"
    ),
    "gift_for_app": re.compile(
        r"(tang|qua|thuong|nhan).{0,40}(\d+\s*(k|nghin|ngan|000)|tien|qua tang)"
        r".{0,60}(cai|tai|app|ung dung|vneid)"
        # "thưởng" (a reward), not "thường trú", "thường xuyên" (the same letters without tones)
        r"|(cai|tai|app|ung dung|vneid).{0,60}(\btang\b|duoc nhan (qua|tien|thuong|\d)|nhan qua|\bthuong\b(?! tru| xuyen))"
    ),
    # a text message with a link to pay a fine ("phạt nguội") or a fee: traffic police send no links
    "fine_link": re.compile(
        r"(tin nhan|sms|nhan duoc|gui|kem).{0,60}(link|duong dan|https?://|bit\.ly).{0,60}(phat|nop tien|thanh toan)"
    ),
    # "bắt chuyển khoản 2 triệu vào tài khoản cá nhân", "chuyển trước phí ship 30k", "chuyển khoản trước 1tr5"
    # an "investigator" or a court has you install an app to "work online": officials never do
    "official_app": re.compile(
        r"(cai|tai)( dat| ve)? (app|ung dung|phan mem)(?! (vneid|vssid|etax|dich vu cong))"
        r".{0,60}(co quan dieu tra|vien kiem sat|toa an|lam viec (online|truc tuyen))"
        r"|(co quan dieu tra|vien kiem sat|toa an).{0,60}(cai|tai)( dat| ve)? (app|ung dung|phan mem)"
    ),
    "money_transfer": re.compile(
        r"(chuyen khoan|chuyen tien|chuyen truoc|chuyen phi|dong tien truoc|nop tien truoc"
        r"|chuyen \d+\s*(k|nghin|ngan|trieu|tr)\b)"
    ),
    "update_hometown": re.compile(
        r"(cap nhat|bo sung|dieu chinh|sua).{0,30}(que quan|noi cu tru|dia chi|thong tin cu tru"
        r"|thong tin ca nhan|du lieu dan cu|thuong tru|tam tru)"
    ),
}
# a call from "police" or an "update" request is a scam sign only together with one of these
_ASKS = re.compile(
    r"vneid|kich hoat|otp|link|http|cai dat|cai app|tai app|ung dung|chuyen tien|ngan hang|mat khau"
    r"|passcode|cap nhat|xac thuc|dinh danh"
)
_CONTACT = re.compile(_CALLER + r"|link|http")
# a money request is a scam sign when it comes with a fine, a fee, an official or a shortcut
# (paying a fee by transfer through the portal is normal: "phí" alone is not a sign)
_TRANSFER_CONTEXT = re.compile(
    r"phat|cong an|canh sat|csgt|can bo|tai khoan ca nhan|lam nhanh|lay ngay|trong ngay"
    r"|cap nhat|ship|shipper|truoc|kich hoat"
)
_NEEDS = {"police_call": _ASKS, "update_hometown": _CONTACT, "money_transfer": _TRANSFER_CONTEXT}


def scam_signals(text: str) -> list[str]:
    """Names of the scam patterns that ``text`` matches."""
    # "đợi" (wait) and "đòi" (demand) fold to the same "doi": say "cho" for the harmless one
    key = search_key(re.sub(r"(?i)\bđợi\b", "chờ", normalize(text[:2000])))
    return [
        name
        for name, pattern in SCAM_PATTERNS.items()
        if pattern.search(key) and (name not in _NEEDS or _NEEDS[name].search(key))
    ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScamGuard(IntentOverride):
    """Overrides the intent of messages that look like a scam."""

    INTENT = INTENT

    def matches(self, text: str) -> bool:
        return bool(scam_signals(text))
