"""Actions rendered from trackers: the answer, the events, the buttons (no Rasa server needed)."""

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq
from actions.fees import ActionFee, ActionFeeReduction
from actions.kb import get_kb
from actions.menus import ActionGreet, ActionInform, ActionNewProvince, ActionSearchFallback, ActionTopicMenu
from actions.services import ActionServiceInfo, ActionShowEntry, ActionShowSources

DOMAIN = yaml.safe_load(open("domain.yml", encoding="utf-8"))


@pytest.fixture(autouse=True)
def action_kb(kb, monkeypatch):
    """Point the actions at this test's private knowledge base."""
    monkeypatch.setenv("DVCBOT_KB_PATH", str(kb.path))
    get_kb.cache_clear()
    yield kb
    get_kb.cache_clear()


def tracker(intent, text="", entities=(), **slots):
    ents = [{"entity": e, "value": v} for e, v in entities]
    base = {"service": None, "province": None, "pending": None, "last_question": None}
    return Tracker.from_dict({
        "sender_id": "test", "slots": {**base, **slots},
        "latest_message": {"intent": {"name": intent, "confidence": 0.9}, "entities": ents, "text": text},
        "events": [], "latest_action_name": "action_listen",
    })


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, DOMAIN))
    return dispatcher.messages, events


def test_vneid_activation_has_numbered_steps_otp_and_hotline():
    messages, _ = run(ActionAnswerFaq(), tracker("vneid_activate_level2"))
    assert 1 == len(messages)
    text = messages[0]["text"]
    assert "1. " in text and "2. " in text
    assert "OTP" in text
    assert "1900 0368" in text
    assert "Nguồn:" in text
    assert "\n\n" not in text  # one answer stays one message in Rasa's REST channel


def test_every_faq_intent_renders(action_kb):
    for entry in action_kb.entries("faq"):
        if entry.get("intent"):
            messages, _ = run(ActionAnswerFaq(), tracker(entry["intent"]))
            assert entry["title"] in messages[0]["text"]


def test_needs_review_entry_says_it_is_unsure(action_kb):
    entry = next(e for e in action_kb.entries("faq") if e["status"] == "needs_review" and e.get("intent"))
    text = run(ActionAnswerFaq(), tracker(entry["intent"]))[0][0]["text"]
    assert "chưa chắc chắn" in text.lower() and "dichvucong.gov.vn" in text


def test_fee_shows_both_channels_with_legal_basis():
    messages, events = run(ActionFee(), tracker("ask_fee", entities=[("service", "thuong_tru")]))
    text = messages[0]["text"]
    assert "Nộp trực tuyến: 10.000 đồng" in text
    assert "Nộp trực tiếp: 20.000 đồng" in text
    assert "75/2022/TT-BTC" in text
    assert SlotSet("last_question", "fee") in events


def test_fee_without_service_asks_which_with_buttons():
    messages, events = run(ActionFee(), tracker("ask_fee", text="lệ phí bao nhiêu"))
    assert "thủ tục nào" in messages[0]["text"]
    assert any(b["payload"] == '/ask_fee{"service":"thuong_tru"}' for b in messages[0]["buttons"])
    assert SlotSet("pending", "fee") in events


def test_fee_uses_service_remembered_from_earlier():
    messages, _ = run(ActionFee(), tracker("ask_fee", text="còn lệ phí thì sao?", service="tam_tru"))
    assert "7.000 đồng" in messages[0]["text"]


def test_fee_in_old_province_says_where_it_belongs_now():
    trk = tracker("ask_fee", entities=[("service", "thuong_tru"), ("province", "Đắk Nông")])
    text = run(ActionFee(), trk)[0][0]["text"]
    assert "Đắk Nông nay thuộc tỉnh Lâm Đồng" in text


def test_fee_reduction_in_nghe_an():
    text = run(ActionFeeReduction(), tracker("ask_fee_reduction", entities=[("province", "Nghệ An")]))[0][0]["text"]
    assert "40%" in text


def test_fee_reduction_without_province_asks():
    messages, events = run(ActionFeeReduction(), tracker("ask_fee_reduction"))
    assert "tỉnh/thành nào" in messages[0]["text"] and messages[0]["buttons"]
    assert SlotSet("pending", "reduction") in events


@pytest.mark.parametrize("intent, needle", [("ask_steps", "1. "), ("ask_documents", "Hồ sơ"),
                                            ("ask_processing_time", "7 ngày làm việc")])
def test_service_info(intent, needle):
    text = run(ActionServiceInfo(), tracker(intent, entities=[("service", "thuong_tru")]))[0][0]["text"]
    assert needle in text


def test_inform_answers_the_pending_question():
    trk = tracker("inform", entities=[("service", "tam_tru")], pending="documents")
    messages, events = run(ActionInform(), trk)
    assert messages[0]["text"].startswith("Hồ sơ")
    assert SlotSet("pending", None) in events


def test_inform_province_after_fee_answer_repeats_fee_there():
    trk = tracker("inform", entities=[("province", "Nghệ An")], service="thuong_tru", last_question="fee")
    text = run(ActionInform(), trk)[0][0]["text"]
    assert "Lệ phí đăng ký thường trú (Nghệ An)" in text


def test_inform_service_alone_offers_menu():
    messages, _ = run(ActionInform(), tracker("inform", entities=[("service", "ho_chieu")]))
    assert [b["title"] for b in messages[0]["buttons"]][:3] == ["📋 Các bước", "📄 Giấy tờ", "💰 Lệ phí"]


def test_new_province():
    trk = tracker("ask_new_province", text="huyện Bến Lức tỉnh Long An giờ thuộc tỉnh nào",
                  entities=[("province", "Long An")])
    assert "Tây Ninh" in run(ActionNewProvince(), trk)[0][0]["text"]


def test_search_fallback_offers_entries_as_buttons():
    messages, _ = run(ActionSearchFallback(), tracker("nlu_fallback", text="quen passcode vneid thi lam the nao"))
    assert "/vneid_forgot_passcode" in [b["payload"] for b in messages[0]["buttons"]]


def test_greet_and_topic_menu():
    greet = run(ActionGreet(), tracker("greet"))[0][0]
    assert 7 == len(greet["buttons"])
    menu = run(ActionTopicMenu(), tracker("choose_topic", entities=[("topic", "vneid")]))[0][0]
    assert "/vneid_activate_level2" in [b["payload"] for b in menu["buttons"]]


def test_show_entry_of_retired_entry_says_so(action_kb):
    action_kb.retire("thuong_tru", "an", "thử")
    text = run(ActionShowEntry(), tracker("show_entry", entities=[("entry_id", "thuong_tru")]))[0][0]["text"]
    assert "không còn" in text


def test_new_faq_is_offered_by_search_before_retraining(action_kb):
    action_kb.add({"id": "faq_chuyen_khau", "kind": "faq", "title": "Chuyển khẩu cho con đi học xa",
                   "questions": ["chuyển khẩu cho con đi học đại học", "chuyen khau cho con"], "answer": "Thử.",
                   "source": "Luật Cư trú số 68/2020/QH14", "verified_on": "2026-11-01", "status": "published"}, "cán bộ", "thêm")
    messages, _ = run(ActionSearchFallback(), tracker("nlu_fallback", text="chuyen khau cho con di hoc xa nha"))
    assert '/show_entry{"entry_id":"faq_chuyen_khau"}' == messages[0]["buttons"][0]["payload"]


def test_faq_intent_without_entry_offers_search_matches(action_kb):
    action_kb.retire("vneid_forgot_passcode", "cán bộ", "thử")
    messages, _ = run(ActionAnswerFaq(), tracker("vneid_forgot_passcode", text="quên passcode vneid phải làm sao"))
    assert messages[0]["buttons"] and "chưa chắc hiểu đúng" in messages[0]["text"]


def test_disputed_fee_offers_full_sources_with_both_claims():
    messages, _ = run(ActionFee(), tracker("ask_fee", entities=[("service", "can_cuoc_cap_doi")]))
    fee = messages[0]
    assert "chưa thống nhất" in fee["text"]
    button = next(b for b in fee["buttons"] if b["title"] == "📚 Nguồn đầy đủ")
    ids = button["payload"].split('"entry_id":"')[1].rstrip('"}')
    sources = run(ActionShowSources(), tracker("show_sources", entities=[("entry_id", ids)]))[0][0]["text"]
    assert "31/12/2025" in sources and "31/12/2026" in sources
