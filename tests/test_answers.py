"""Answer selection (actions/answers.py) on the shipped knowledge base, with the rule-based NLU components.

No trained model: messages are parsed by the knowledge-base entity extractor and the aspect extractor (the same
components the Rasa pipeline runs), with the classifier's intent given by the test. The full stack is tested in
tests/test_conversations.py.
"""

import asyncio
import re

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer, read_context
from actions.answers import MAX_CHARS, Context, Decision, decide, next_context, render_decision, understand
from actions.kb import get_kb, get_retriever
from bot.nlu.aspects import AspectExtractor, find_aspects
from bot.nlu.entities import KnowledgeEntityExtractor

DOMAIN = yaml.safe_load(open("domain.yml", encoding="utf-8"))
STAFF_WORDS = ("ghi chú dự án", "seeds/", "tư liệu seeds", "review_note", "needs_review", "KNOWLEDGE_NOTES")


@pytest.fixture(autouse=True)
def action_kb(kb, monkeypatch):
    """Point the actions at this test's private knowledge base."""
    monkeypatch.setenv("DVCBOT_KB_PATH", str(kb.path))
    get_kb.cache_clear()
    get_retriever.cache_clear()
    yield kb
    get_kb.cache_clear()
    get_retriever.cache_clear()


@pytest.fixture
def extractor():
    return KnowledgeEntityExtractor({})


class Conversation:
    """A citizen talking to :class:`ActionAnswer` turn by turn, context carried as the slots would be."""

    def __init__(self, extractor):
        self.extractor = extractor
        self.context = Context()

    def parse(self, text, intent="nlu_fallback", confidence=0.0) -> dict:
        message = Message({"text": text})
        self.extractor.process([message])
        AspectExtractor().process([message])
        return {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": message.get("entities", []),
        }

    def say(self, text, intent="nlu_fallback", confidence=0.0) -> tuple[str, Decision]:
        kb = get_kb()
        request = understand(kb, get_retriever(), self.parse(text, intent, confidence), self.context)
        decision = decide(kb, request, self.context)
        reply, _ = render_decision(kb, decision)
        self.context = next_context(kb, decision, request, self.context)
        return reply, decision


@pytest.fixture
def chat(extractor):
    return Conversation(extractor)


@pytest.mark.parametrize(
    "text, aspects",
    [
        ("lệ phí cấp lại căn cước bao nhiêu", ["fee"]),
        ("phi bn", ["fee"]),
        ("lam lai o dau, phi nhieu ko", ["where", "fee"]),
        ("cần mang giấy tờ gì", ["documents"]),
        ("doi can cuoc o binh duong luon dc ko hay phai ve que", ["where"]),
        ("bao lâu thì có thẻ", ["time"]),
        ("quá hạn 60 ngày có bị phạt không", ["deadline"]),
        ("làm trên vneid được không", ["online"]),
        ("bản điện tử có giá trị như bản giấy không", ["result"]),
        ("thuận tiện cho em", []),
        ("hộ chiếu của bé có thời hạn bao lâu", ["result"]),  # validity, not processing time
        ("phieu so 1 voi so 2 khac nhau cho nao", []),  # a comparison: its "chỗ nào" is no "where"
        ("làm hộ chiếu mất bao lâu", ["time"]),  # "làm hộ chiếu" is no "làm hộ"
        ("làm hộ cho mẹ được không", ["who"]),
        ("e len ha noi o nho nha co, o bao lau thi phai dk tam tru a", ["deadline"]),
    ],
)
def test_aspects_are_found_with_and_without_diacritics(text, aspects):
    assert aspects == [e["value"] for e in find_aspects(text)]


def test_lost_card_gets_replacement_fee_and_place(chat):
    reply, decision = chat.say("cccd cua e bi mat, e o binh duong thi lam lai o dau, phi nhieu ko", "ask_fee", 0.99)
    assert "can_cuoc_cap_lai" == decision.service
    assert "70.000 đồng" in reply and "50.000" not in reply
    assert "công an cấp xã" in reply.lower()
    assert "Hồ Chí Minh" in reply  # the old province is named as it is now, never quoted from the message


def test_correction_switches_the_sub_procedure_and_keeps_the_question(chat):
    chat.say("lệ phí đổi căn cước bao nhiêu", "ask_fee", 0.99)
    reply, decision = chat.say("the bi mat chu ko phai doi", "ask_steps", 0.6)
    assert "can_cuoc_cap_lai" == decision.service and ["fee"] == decision.aspects
    assert reply.startswith("Cấp lại thẻ căn cước") and "70.000 đồng" in reply


@pytest.mark.parametrize("follow_up", ["còn phí thì sao", "con phi thi sao"])
def test_follow_up_without_diacritics_keeps_the_service(chat, follow_up):
    chat.say("đăng ký khai sinh cho con cần giấy tờ gì", "ask_documents", 0.9)
    reply, decision = chat.say(follow_up, "inform", 0.6)
    assert ("khai_sinh", ["fee"]) == (decision.service, decision.aspects)
    assert reply.startswith("Đăng ký khai sinh")


def test_follow_up_with_a_province_reanswers_the_last_question(chat):
    chat.say("lệ phí đăng ký thường trú bao nhiêu", "ask_fee", 0.99)
    reply, decision = chat.say("ở Nghệ An thì sao", "inform", 0.9)
    assert ("thuong_tru", ["fee"]) == (decision.service, decision.aspects)
    assert "Nghệ An" in reply


def test_an_off_topic_turn_keeps_no_province(chat):
    chat.say("đăng ký khai sinh cho con cần giấy tờ gì", "ask_documents", 0.9)
    reply, decision = chat.say("mai ha noi co mua ko ban", "out_of_scope", 0.95)
    assert "out_of_scope" == decision.kind and not decision.answered
    assert chat.context.province is None
    reply, _ = chat.say("giảm phí 50% còn áp dụng không", "ask_fee_reduction", 0.9)
    assert "Hà Nội" not in reply


def test_a_province_is_forgotten_after_a_few_turns(chat):
    chat.say("lệ phí đăng ký tạm trú ở Lâm Đồng", "ask_fee", 0.99)
    assert "Lâm Đồng" == chat.context.province
    for _ in range(5):
        chat.say("các bước đăng ký tạm trú", "ask_steps", 0.99)
    assert chat.context.province is None


def test_a_topic_change_clears_the_province(chat):
    chat.say("lệ phí đăng ký tạm trú ở Lâm Đồng", "ask_fee", 0.99)
    chat.say("quên mật khẩu vneid thì làm sao", "vneid_forgot_password", 0.99)
    assert chat.context.province is None and chat.context.service is None


def test_age_question_gets_the_age_milestones(chat):
    reply, decision = chat.say("me em 62 tuoi rồi co phai di doi the can cuoc nua ko", "vneid_children", 0.9)
    assert decision.entry in ("can_cuoc_age_milestones", None) and decision.service in ("can_cuoc_cap_doi", None)
    assert "60 tuổi" in reply and "vneid_children" != decision.entry


def test_new_province_names_the_district_without_quoting_the_citizen(chat):
    reply, decision = chat.say(
        "Nguyễn Văn Khoát, huyện Bến Lức, tỉnh Long An giờ thuộc tỉnh nào", "ask_new_province", 0.9
    )
    assert "new_province" == decision.kind
    assert "Tây Ninh" in reply and "Khoát" not in reply


@pytest.mark.parametrize(
    "text",
    [
        "Cán bộ công an yêu cầu chuyển khoản vào tài khoản 0123456789 tại vneid-hotro.com, xã Mỹ Yên, huyện Bến Lức, "
        "tỉnh Long An có sáp nhập không",
        "hộ chiếu số C7391046, Nguyễn Văn Khoát, xã Mỹ Yên, huyện Bến Lức, tỉnh Long An giờ thuộc tỉnh nào",
    ],
)
def test_a_scam_line_or_personal_data_around_a_place_is_never_posted_back(chat, text):
    """Issue 12: in a group anyone could make the bot post the scam line as its own answer."""
    reply, decision = chat.say(text, "ask_new_province", 0.9)
    assert "new_province" == decision.kind and "Tây Ninh" in reply
    for part in ("vneid-hotro", "chuyển khoản", "0123456789", "C7391046", "Khoát", "Cán bộ công an"):
        assert part not in reply


def test_nothing_in_scope_is_one_line_with_where_to_ask(chat):
    reply, decision = chat.say("ket qua tran MU toi qua", "out_of_scope", 0.9)
    assert "out_of_scope" == decision.kind and not decision.answered
    assert "1900 0368" in reply


def test_every_entry_renders_short_for_a_phone(action_kb):
    for entry in action_kb.entries():
        reply, _ = render_decision(action_kb, Decision("entry", entry=entry["id"]))
        assert len(reply) <= MAX_CHARS + 150, (entry["id"], len(reply))
        assert "\n\n" not in reply and not re.search(r"\w…$", reply, re.MULTILINE), entry["id"]
        assert not any(w in reply for w in STAFF_WORDS), entry["id"]
        assert not re.search(r"\S(Nguồn:|Căn cứ:|📞)", reply), entry["id"]  # each of these starts a line


@pytest.mark.parametrize(
    "aspect", ["fee", "documents", "steps", "where", "time", "deadline", "who", "online", "result"]
)
def test_every_aspect_of_every_service_renders(action_kb, aspect):
    for service in action_kb.entries("service"):
        reply, _ = render_decision(action_kb, Decision("service", service=service["id"], aspects=[aspect]))
        first = reply.split("\n")[0]
        assert first.startswith(service["title"]) or first.startswith("Lệ phí"), (service["id"], first)
        assert "\n\n" not in reply and not re.search(r"\w…", reply), service["id"]


def test_a_new_faq_entry_answers_its_questions_without_retraining(chat, action_kb):
    action_kb.add(
        {
            "id": "faq_test_mua_sim",
            "kind": "faq",
            "title": "Mua SIM chính chủ",
            "questions": ["mua sim chính chủ cần giấy tờ gì", "mua sim co can cccd ko"],
            "answer": "Mua SIM chính chủ cần căn cước hoặc tài khoản định danh điện tử.",
            "source": "Nghị định 163/2024/NĐ-CP, Điều 17",
            "verified_on": "2026-12-01",
            "status": "published",
        },
        "cán bộ thử",
        "kiểm thử",
    )
    reply, decision = chat.say("mua sim chinh chu can giay to gi", "nlu_fallback", 0.2)
    assert "faq_test_mua_sim" == decision.entry
    assert reply.startswith("Mua SIM chính chủ")


def test_the_action_sets_context_slots_and_reports_what_it_chose(extractor):
    message = Conversation(extractor).parse("lệ phí đăng ký thường trú ở Nghệ An", "ask_fee", 0.99)
    tracker = Tracker.from_dict(
        {"sender_id": "t", "slots": {}, "latest_message": message, "events": [], "latest_action_name": "action_listen"}
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert "thuong_tru" == slots["service"] and "Nghệ An" == slots["province"] and "fee" == slots["aspect"]
    assert {"answer": "service", "answered": True, "entry": "thuong_tru", "intent": "ask_fee"} == dispatcher.messages[
        0
    ]["custom"]["dvcbot"]
    after = Tracker.from_dict(
        {"sender_id": "t", "slots": slots, "latest_message": {}, "events": [], "latest_action_name": "action_listen"}
    )
    assert "thuong_tru" == read_context(after).service
    # the same question again in that context changes no slot: the turn stores no slot event
    again = Tracker.from_dict(
        {
            "sender_id": "t",
            "slots": slots,
            "latest_message": message,
            "events": [],
            "latest_action_name": "action_listen",
        }
    )
    assert [] == [
        e for e in asyncio.run(ActionAnswer().run(CollectingDispatcher(), again, DOMAIN)) if e["event"] == "slot"
    ]


def test_a_bare_aspect_gets_one_question_back_and_the_next_name_answers_it(chat):
    reply, decision = chat.say("lệ phí bao nhiêu vậy", "ask_fee", 0.99)
    assert "ask_service" == decision.kind and "thủ tục nào" in reply
    reply, decision = chat.say("tạm trú", "inform", 0.9)
    assert ("tam_tru", ["fee"]) == (decision.service, decision.aspects) and "7.000 đồng" in reply


def test_the_other_channel_of_the_fee_just_given(chat):
    chat.say("đăng ký thường trú online mất phí bao nhiêu", "ask_fee", 0.99)
    reply, decision = chat.say("còn nộp trực tiếp ở công an phường thì sao", "ask_steps", 0.5)
    assert ("thuong_tru", ["fee"]) == (decision.service, decision.aspects)
    assert "20.000 đồng" in reply


def test_a_national_fee_in_a_named_province_says_it_is_the_same_everywhere(chat):
    chat.say("lệ phí đăng ký tạm trú bao nhiêu", "ask_fee", 0.99)
    reply, _ = chat.say("ở Cần Thơ thì sao", "inform", 0.9)
    assert "chung cả nước" in reply and "Cần Thơ" in reply


def test_a_correction_with_details_names_the_neighbouring_procedure(chat):
    chat.say("lệ phí đổi căn cước bao nhiêu", "ask_fee", 0.99)
    reply, decision = chat.say("à ko phải đổi, là bị mất ví mất luôn cả thẻ", "ask_steps", 0.5)
    assert ("can_cuoc_cap_lai", ["fee"]) == (decision.service, decision.aspects)
    assert "70.000 đồng" in reply


def test_a_faq_entry_holding_the_question_beats_the_classifiers_aspect_guess(chat):
    reply, decision = chat.say("phieu ly lich tu phap so 1 voi so 2 khac nhau cho nao", "ask_steps", 0.5)
    assert ("faq", "faq_lltp_phieu_so_1_so_2") == (decision.kind, decision.entry)


def test_a_reduction_question_about_a_province_lists_its_reductions(chat):
    reply, decision = chat.say("Lâm Đồng có giảm lệ phí khi nộp hồ sơ trực tuyến không?", "ask_fee_reduction", 0.8)
    assert "reductions" == decision.kind and reply.startswith("Lâm Đồng")


def test_an_exemption_question_about_a_named_procedure_gets_its_faq_entry(chat):
    reply, decision = chat.say("ho ngheo xin phieu ly lich tu phap co dc mien phi ko", "ask_fee_reduction", 0.6)
    assert "reductions" != decision.kind


def test_the_paper_named_keeps_its_own_procedure(chat):
    reply, decision = chat.say("bang lai oto hang B cua e thang sau het han, doi online dc ko", "ask_steps", 0.5)
    assert "giay_phep_lai_xe" == decision.service or "giay_phep_lai_xe" in (decision.entry or "")


def test_a_fact_of_another_topic_does_not_answer_a_follow_up_that_names_no_service(chat):
    chat.say("cccd gắn chip của e còn hạn tới 2036, có bắt buộc đổi sang thẻ căn cước mới ko ạ")
    reply, decision = chat.say("đổi ở đâu, mất mấy ngày thì có thẻ")
    assert "cap_dien_moi" != decision.service and "điện" not in reply


def test_a_lost_card_in_a_correction_stays_the_replacement(chat):
    chat.say("e muon lam lai the can cuoc")
    reply, decision = chat.say("à ko phải đổi đâu, là bị mất ví mất luôn thẻ rồi. thẻ căn cước mới làm năm ngoái")
    assert "can_cuoc_cap_lai" == decision.service and reply.startswith("Cấp lại")


def test_a_follow_up_after_a_faq_entry_goes_on_with_the_procedure_it_is_about(chat, action_kb):
    reply, decision = chat.say("tre 6 tuoi lam can cuoc co phai dua be den cong an khong")
    assert "faq" == decision.kind and "can_cuoc_cap_moi" == action_kb.get(decision.entry).get("service")
    reply, decision = chat.say("co mat tien ko", "ask_fee", 0.99)
    assert ("service", "can_cuoc_cap_moi", ["fee"]) == (decision.kind, decision.service, decision.aspects)


def test_a_faq_entry_without_a_service_hands_on_no_procedure(chat, action_kb):
    chat.say("ghi dia chi the nao tren to khai sau sap nhap")
    assert chat.context.entry and not action_kb.get(chat.context.entry).get("service")
    assert chat.context.service is None


def test_the_faq_marked_for_a_missing_aspect_answers_a_plain_follow_up(chat):
    chat.say("xin ly lich tu phap can giay to gi", "ask_documents", 1.0)
    reply, decision = chat.say("phi bao nhieu", "ask_fee", 1.0)
    assert ("faq", "faq_lltp_muc_phi") == (decision.kind, decision.entry) and "200.000" in reply


@pytest.mark.parametrize(
    "text",
    ["the can cuoc bi cong venh quet chip ko dc thi cap lai hay cap doi", "căn cước bị hư hỏng phải làm lại ở đâu"],
)
def test_a_damaged_card_is_the_replacement(chat, text):
    request = understand(get_kb(), get_retriever(), chat.parse(text), Context())
    assert "can_cuoc_cap_lai" == request.service


def test_a_follow_up_that_only_makes_sense_after_the_answer_keeps_the_procedure(chat):
    chat.say("lam giay khai sinh cho con o dau", "ask_steps", 0.5)
    reply, decision = chat.say("con neu de sau nay ve VN roi moi lam thi sao", "out_of_scope", 0.7)
    assert ("service", "khai_sinh") == (decision.kind, decision.service)


def test_an_off_topic_follow_up_the_knowledge_base_knows_nothing_of_is_out_of_scope(chat):
    chat.say("lam can cuoc o dau", "can_cuoc_where", 1.0)
    reply, decision = chat.say("con bong da toi nay thi sao", "out_of_scope", 0.98)
    assert "out_of_scope" == decision.kind


def test_a_fee_follow_up_after_a_faq_entry_that_states_its_own_fee_gets_that_entry(chat):
    reply, decision = chat.say("sinh vien o ky tuc xa dang ky tam tru theo danh sach the nao")
    assert "faq_ct_tam_tru_theo_danh_sach" == decision.entry
    reply, decision = chat.say("phí mỗi người bao nhiêu", "ask_fee", 0.9)
    assert "faq_ct_tam_tru_theo_danh_sach" == decision.entry and "10.000" in reply


def test_where_after_a_merged_province_answers_the_procedure_with_the_new_province(chat):
    chat.say("mat the can cuoc thi lam lai o dau", "ask_steps", 0.6)
    reply, decision = chat.say("binh duong gio nhap vao tp hcm roi dung ko, vay e lam o dau", "ask_new_province", 0.9)
    assert ("service", "can_cuoc_cap_lai", ["where"]) == (decision.kind, decision.service, decision.aspects)
    assert "Bình Dương" in reply.split("\n")[0] and "Hồ Chí Minh" in reply.split("\n")[0]


def test_between_close_answers_a_follow_up_gets_the_one_just_given(chat):
    chat.say("mat dien thoai roi, so bi ke gian vao vneid, khoa tai khoan kieu gi a", "vneid_locked", 0.9)
    reply, decision = chat.say("tim lai dc dt roi thi mo khoa sao")
    assert ("faq", "vneid_locked") == (decision.kind, decision.entry)


def test_a_faq_entry_holding_a_fee_question_is_not_turned_into_a_choice_of_procedures(chat):
    reply, decision = chat.say(
        "Em cần giấy xác nhận độc thân để vay mua nhà ở Hà Nội, lệ phí bao nhiêu ạ?", "ask_fee", 0.9
    )
    assert ("faq", "faq_ht_xac_nhan_tinh_trang_hon_nhan") == (decision.kind, decision.entry)


def test_a_follow_up_prefers_the_answers_about_the_procedure_under_discussion(chat):
    chat.say("lam ho chieu online o dau", "ask_steps", 0.8)
    reply, decision = chat.say("het han thi gia han dc ko")
    assert "faq_hc_thoi_han_ho_chieu" == decision.entry


def test_a_weak_faq_of_another_topic_does_not_answer_a_named_procedures_details(chat):
    reply, decision = chat.say("vậy giờ cần chứng minh chỗ ở thường trú thì lấy giấy gì", "ask_documents", 0.97)
    assert "faq_ht_giay_bao_tu_o_dau" != decision.entry


def test_a_lost_passport_is_no_lost_card(chat):
    chat.say("toi bi mat ho chieu roi")
    reply, decision = chat.say("lam lai het bao nhieu tien", "ask_fee", 0.99)
    assert "can_cuoc_cap_lai" != decision.service and "70.000" not in reply
