"""Choose the answer to a citizen's question and render it for a phone.

Plain functions, no Rasa classes: :func:`understand` reads what the NLU found (intent, service, province, aspect
entities) and what lexical retrieval over the live knowledge base finds; :func:`decide` picks one answer —
an aspect of a service, a FAQ entry, a question-level fact, fee reductions, a new province, a clarifying
question, or "not in scope" — using the conversation context (:class:`Context`); :func:`render_decision` turns
it into one short message with buttons (wording in ``actions/templates``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from actions.buttons import topic_buttons
from actions.render import WORDS, first_sentence, render, short_basis
from knowledge.catalog import SERVICE_MATCH_MIN
from knowledge.clock import today
from knowledge.fees import Note, place_notes, quote_channels, reductions_for, territory_note
from knowledge.places import Place, find_place, merged_from, resolve
from knowledge.retrieval import GENERIC_WORDS, STOPWORDS, Hit, Retriever, negated_words, query_key, unit_examples
from knowledge.text import key_words, search_key

# Aspects of a service a citizen can ask about, with the label used in answers (wording: templates/words.yml).
ASPECT_LABELS: dict[str, str] = WORDS["aspects"]
# aspects answered from one field of the service with the same wording (answer, details, review note)
TEMPLATE_OF = {"who": "aspect", "deadline": "aspect", "result": "aspect"}
ASPECT_BUTTONS: tuple[tuple[str, str], ...] = tuple(WORDS["aspect_buttons"].items())
# When a question names several aspects, the more specific ones answer first ("nộp online có rẻ hơn" → fee).
ASPECT_PRIORITY = (
    "reduction", "fee", "deadline", "documents", "where", "time", "who", "result", "online", "steps"
)  # fmt: skip
# Intents the NLU classifier knows that name an aspect (used when no cue phrase was found).
INTENT_ASPECTS = {
    "ask_fee": "fee",
    "ask_steps": "steps",
    "ask_documents": "documents",
    "ask_processing_time": "time",
    "ask_fee_reduction": "reduction",
    "can_cuoc_where": "where",
}
# procedures offered as buttons when a question names no procedure (most asked first)
POPULAR_SERVICES = ("thuong_tru", "tam_tru", "can_cuoc_cap_doi", "can_cuoc_cap_lai", "ho_chieu", "khai_sinh")
SCAM_ENTRY = "scam_warning"  # the general scam warning, when no scam entry matches the words better
CHITCHAT = frozenset({"greet", "goodbye", "thank", "help"})
# words of a follow-up that name no topic ("còn … thì sao", "thế còn", "nếu", "vậy")
FOLLOW_UP_WORDS = frozenset("sao the neu vay khac gi nhieu it hon re dat luon ca tinh thanh pho truc tiep het".split())
# words of any procedural question that add no detail ("nộp hồ sơ … thì mấy ngày được giải quyết")
_WORD_RE = re.compile(r"[0-9a-z]+")
FOLLOW_UP_MAX_WORDS = 2
# words that make a different procedure of the same thing; see understand()
# a paper lost or damaged beyond use ("bị mất", "đánh rơi", "bị hỏng", "cong vênh, quét chip không được"), and
# the service names that say so ("Cấp lại … (mất, hỏng)"); "hong" alone is also teencode for "không"
LOSS_RE = re.compile(
    r"\b(?:bi mat|mat vi|mat the|mat luon|lam mat|danh mat|danh roi|roi mat|that lac|hu hong|bi hong|hong chip|"
    r"hong roi|cong venh|bi gay|gay doi|bi rach|rach nat|bi uot|mo het chu|bong troc|"
    r"(?:quet|doc) chip (?:khong|ko|k) (?:duoc|dc))\b"
)
LOST_NAME_RE = re.compile(r"\bmat\b")
PROCEDURE_MODIFIERS = (
    "xoa",
    "huy",
    "tach",
    "gia han",
    "dieu chinh",
    "cai chinh",
    "trich luc",
    "ban sao",
    "xac nhan",
    "thu hoi",
    "chuyen doi",
    "khoa",
    "mo khoa",
)
MODIFIER_PENALTY = 0.5
FEE_SURE = 0.5  # retrieval score above which a procedure found by its words alone gets a fee answer
FOLLOW_UP_QUERY_WORDS = 7  # a message this short may be a follow-up of the FAQ answered before
FAQ_EXACT = 0.85  # a FAQ entry whose example is (almost) the question itself
FOLLOW_UP_FAQ_MAX = 0.85  # a follow-up loses only to a FAQ entry it matches almost word for word

# Thresholds on retrieval cosine (0–1), chosen on the dev part of the question bank (tests/answers/dev).
SERVICE_MIN = 0.30  # a service named by the entity extractor (its prior included)
SERVICE_RETRIEVED_MIN = SERVICE_MATCH_MIN  # a service found by retrieval alone
FAQ_MIN = 0.42  # a FAQ entry answers on its own
FAQ_STRONG = 0.62  # a FAQ entry beats a service match
FACT_MIN = 0.55  # a question-level fact of a service answers
WEAK_MIN = 0.26  # below: nothing in scope
DETAIL_WORDS = 3  # content words beyond the service and aspect that make a question "detailed"
FAQ_DETAIL_MIN = 0.35  # a FAQ entry that answers a detailed question instead of the service's aspect
OOS_CONFIDENCE = 0.6  # classifier confidence in out_of_scope that retrieval must beat
OOS_SURE = 0.9  # classifier confidence in out_of_scope that a follow-up's frame ("còn … thì sao") does not overrule
CLARIFY_MARGIN = 0.04  # two different answers closer than this: ask which one
DIET_PRIOR = 0.30  # added to the FAQ entry whose intent the classifier predicted (scaled by confidence)
ENTITY_PRIOR = 0.35  # added to a service the entity extractor named
CONTEXT_PRIOR = 0.06  # added to services of the topic being discussed
PROVINCE_TTL = 4  # user turns a province is kept without being named again
MAX_STEPS = 6
CAVEAT_CHARS = 160  # the one caveat line; the whole note is behind the sources button
MAX_CHARS = 700  # one phone screen; details are behind the sources button


@dataclass
class Context:
    """What the conversation is about, carried between turns in slots."""

    service: str | None = None
    province: str | None = None
    aspect: str | None = None  # the aspects of the last answer, comma-separated ("where,fee")
    topic: str | None = None
    entry: str | None = None
    province_age: int = 0


@dataclass
class Request:
    """What one message asks, as understood from the NLU result and retrieval."""

    text: str
    intent: str | None
    confidence: float
    aspects: list[str]
    service: str | None
    service_score: float
    services: list[tuple[str, float]]
    province: str | None
    place_mentioned: bool
    faqs: list[Hit]
    is_payload: bool
    entry_id: str | None = None
    correction: bool = False
    service_faqs: list[Hit] = field(default_factory=list)  # FAQ hits for the question + the service's title
    named_service: bool = False  # the entity extractor named a service (not only retrieval)
    residual: int = 0  # content words not taken by a recognised entity or aspect cue
    # FAQ entries whose examples share a word pair with those remaining words: they match the question's details
    detail_units: frozenset = frozenset()
    service_topic: str = ""  # the topic of the service understood
    cued: bool = False  # the aspects come from the citizen's words, not only from the classifier's intent


@dataclass
class Decision:
    """The answer chosen: ``kind`` is service | fact | faq | reductions | new_province | clarify | greet |
    out_of_scope; ``answered`` is False when nothing in the knowledge base answered (staff see it)."""

    kind: str
    service: str | None = None
    aspects: list[str] = field(default_factory=list)
    entry: str | None = None
    fact: int = -1
    province: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)
    answered: bool = True
    scam: bool = False  # the message showed scam signs: the answer leads with the warning
    topic: str | None = None  # ask_service: the topic under discussion, whose procedures are offered first


# what an entity's words are replaced with when the rest of a message is read: no word pair forms across it
_MASK = "zzz"


def _outside_entities(text: str, entities: list[dict]) -> str:
    """``text`` with the span of every recognised entity replaced by a mark that is no word of the index."""
    spans = sorted(
        (e["start"], e["end"]) for e in entities if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
    )
    parts, at = [], 0
    for start, end in spans:
        if start >= at:
            parts += [text[at:start], f" {_MASK} "]
        at = max(at, end)
    return "".join([*parts, text[at:]])


def _latest(entities: list[dict], name: str) -> list[dict]:
    return [e for e in entities if e.get("entity") == name and e.get("value")]


def understand(kb, retriever: Retriever, message: dict, context: Context) -> Request:
    """Read one parsed message (``tracker.latest_message``): intent, aspects, service, province, FAQ hits."""
    text = message.get("text") or ""
    intent = (message.get("intent") or {}).get("name")
    confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
    entities = message.get("entities") or []
    is_payload = text.startswith("/")
    aspects = sorted(dict.fromkeys(e["value"] for e in _latest(entities, "aspect")), key=ASPECT_PRIORITY.index)
    correction = bool(negated_words(text)) and not is_payload
    if intent in INTENT_ASPECTS and (is_payload or not aspects) and not correction:
        aspects = [INTENT_ASPECTS[intent], *[a for a in aspects if a != INTENT_ASPECTS[intent]]]
    provinces = _latest(entities, "province")
    place = find_place(text) if not is_payload else None
    entry_ids = _latest(entities, "entry_id")
    query = "" if is_payload else text
    qkey = query_key(query)  # folded, negated parts removed

    # services: named by the extractor (unless the citizen rejected those words) or found by retrieval
    rejected = negated_words(query)
    scores: dict[str, float] = {}
    named: set[str] = set()
    for ent in _latest(entities, "service"):
        span = {k for k, _, _ in key_words(text[ent.get("start", 0) : ent.get("end", 0)])} if not is_payload else set()
        if span and span <= rejected:
            continue
        scores[ent["value"]] = max(scores.get(ent["value"], 0.0), ENTITY_PRIOR + (1.0 if is_payload else 0.0))
        named.add(ent["value"])
    for hit in retriever.search(query, kinds=("service",), limit=6) if query else []:
        if hit.pairs or hit.unit.entry_id in named:  # one shared word alone does not name a service
            scores[hit.unit.entry_id] = scores.get(hit.unit.entry_id, 0.0) + hit.score
    # a word that turns one procedure into another ("xóa" đăng ký thường trú, "gia hạn" tạm trú) must be part of
    # the service's own names, or the service is not what was asked (its fee would be a wrong fee)
    modifiers = {m for m in PROCEDURE_MODIFIERS if re.search(rf"\b{m}\b", qkey)} if query else set()
    # the paper the citizen names ("bằng lái … hết hạn") must be in the service's names too, when another
    # candidate has it: "hết hạn" alone must not turn a driving licence question into the căn cước one
    papers = {search_key(text[e["start"] : e["end"]]) for e in _latest(entities, "paper_type") if "start" in e}
    names_of = {}
    for sid in scores:
        service_entry = kb.get(sid)
        names_of[sid] = (
            " ".join(search_key(n) for n in [service_entry.get("title", ""), *service_entry.get("aliases", [])])
            if service_entry
            else ""
        )
    papered = {sid for sid, names in names_of.items() if any(p and p in names for p in papers)}
    # a lost paper ("bị mất ví mất luôn thẻ") is the sub-case whose names say "mất" (cấp lại), when one is a candidate
    lost = bool(query and LOSS_RE.search(qkey)) and any(LOST_NAME_RE.search(n) for n in names_of.values())
    for sid, names in names_of.items():
        if lost and not LOST_NAME_RE.search(names):
            scores[sid] -= MODIFIER_PENALTY
        if any(not re.search(rf"\b{m}\b", names) for m in modifiers):
            scores[sid] -= MODIFIER_PENALTY
        if papered and sid not in papered:
            scores[sid] -= MODIFIER_PENALTY
    if context.topic:
        for sid in scores:
            service = kb.get(sid)
            if service and service.get("topic") == context.topic:
                scores[sid] += CONTEXT_PRIOR
    ranked = sorted(
        ((s, v) for s, v in scores.items() if kb.get(s) and kb.get(s).get("kind") == "service"),
        key=lambda p: p[1],
        reverse=True,
    )
    service, service_score = ranked[0] if ranked and ranked[0][1] >= SERVICE_MIN else (None, 0.0)
    # a correction ("không phải đổi, là bị mất") names a neighbour of the procedure under discussion: weaker
    # evidence is enough among the services of the same topic
    if correction and context.topic and not (service and service in named):
        same_topic = [
            (s, v)
            for s, v in ranked
            if kb.get(s).get("topic") == context.topic
            and (s != context.service or (lost and LOST_NAME_RE.search(names_of.get(s, ""))))
        ]
        if same_topic and same_topic[0][1] >= SERVICE_MIN:
            service, service_score = same_topic[0]
    # a service whose names hold the paper the citizen named is named enough
    if service and service not in named | papered and service_score < SERVICE_RETRIEVED_MIN and not correction:
        service, service_score = None, 0.0
    # words alone ("làm lại hết bao nhiêu") do not move a conversation about one procedure to another topic's
    # procedure (a lost passport is no lost căn cước): the procedure under discussion stays
    if (
        service
        and service not in named | papered
        and context.service
        and service != context.service
        and context.topic
        and (kb.get(service) or {}).get("topic") != context.topic
        and not correction
    ):
        service, service_score = None, 0.0

    faqs = retriever.search(query, kinds=("faq", "service_faq"), limit=5) if query else []
    # a short follow-up after a FAQ answer ("giấy đó có giá trị bao lâu", "có mất tiền không") is read together
    # with the title of that answer, so it finds the neighbouring facts of the same thing
    previous = kb.get(context.entry) if context.entry and query and service is None and not context.service else None
    short = len(_WORD_RE.findall(qkey)) <= FOLLOW_UP_QUERY_WORDS
    if previous and previous.get("kind") == "faq" and (short or _FOLLOW_UP_ASK_RE.search(qkey)):
        expanded = retriever.search(f"{query} {previous['title']}", kinds=("faq", "service_faq"), limit=5)
        if expanded and (not faqs or expanded[0].score > faqs[0].score):
            faqs = expanded
    if intent and not is_payload and intent not in CHITCHAT:
        entry = kb.faq_for_intent(intent)
        if entry:
            prior = DIET_PRIOR * confidence
            found = next((h for h in faqs if h.unit.kind == "faq" and h.unit.entry_id == entry["id"]), None)
            if found:
                found.score += prior
            else:
                unit = next((u for u, _ in unit_examples(entry)), None)
                if unit is not None:
                    faqs.append(Hit(unit, prior))
            faqs.sort(key=lambda h: h.score, reverse=True)
    faqs = [h for h in faqs if not _strays_from_topic(h, context, named=service in named)]
    # answers about the procedure under discussion come first among near equals ("hết hạn thì gia hạn được không"
    # in a passport conversation is the passport's, not temporary residence's)
    if context.service and query and not (service and service != context.service):
        for hit in faqs:
            entry = kb.get(hit.unit.entry_id) or {}
            if hit.unit.entry_id == context.service or entry.get("service") == context.service:
                hit.score += CONTEXT_PRIOR
        faqs.sort(key=lambda h: h.score, reverse=True)
    # what the FAQ entries say about this question read together with the service it is about, for aspects the
    # service entry itself does not hold ("hộ chiếu của bé có thời hạn bao lâu")
    about = service or (context.service if query else None)
    about_entry = kb.get(about) if about else None
    service_faqs = retriever.search(f"{query} {about_entry['title']}", limit=3) if about_entry and query else []
    rest = query_key(_outside_entities(text, entities))
    residual = len(
        [
            w
            for w in _WORD_RE.findall(rest)
            if w not in STOPWORDS and len(w) > 1 and w not in FOLLOW_UP_WORDS and w not in GENERIC_WORDS and w != _MASK
        ]
    )
    detail_units = frozenset(
        h.unit for h in (retriever.search(rest, limit=5) if query and residual >= DETAIL_WORDS else []) if h.pairs
    )
    return Request(
        text=text,
        intent=intent,
        confidence=confidence,
        aspects=aspects,
        service=service,
        service_score=service_score,
        services=ranked[:3],
        province=(place.old_province or place.province) if place else (provinces[-1]["value"] if provinces else None),
        place_mentioned=bool(provinces or place),
        faqs=faqs,
        is_payload=is_payload,
        entry_id=entry_ids[-1]["value"] if entry_ids else None,
        correction=correction,
        residual=0 if is_payload else residual,
        detail_units=detail_units,
        service_topic=(kb.get(service) or {}).get("topic", "") if service else "",
        service_faqs=service_faqs,
        named_service=service in named,
        cued=bool(_latest(entities, "aspect")),
    )


# "còn nộp trực tiếp thì sao" after a fee answer: the other channel of the same fee
_FOLLOW_UP_FRAME_RE = re.compile(r"^(?:con|the con|vay con|the)\b.*\b(?:thi sao|the nao|ra sao|bao nhieu)\s*$")
# a question that only makes sense after the answer just given ("còn nếu để sau này về nước thì sao", "lỡ đọc cho
# họ rồi, giờ phải làm gì"): the conversation's subject answers it, whatever the classifier thinks of its words
_FOLLOW_UP_ASK_RE = re.compile(
    r"^(?:con|the con|vay con|vay|the|nhung|ma|neu|con neu)\b.*\b(?:thi sao|the nao|ra sao|lam sao)\s*$"
    r"|\b(?:gio|bay gio|vay|the|roi) (?:thi |phai |em |e |minh |toi |can )*(?:lam sao|lam gi|phai lam gi)\s*$"
)
_CHANNEL_RE = re.compile(r"\b(?:truc tiep|truc tuyen|online|onl|qua mang|tai quay|mot cua)\b")
_NEW_PROVINCE_RE = re.compile(
    r"\b(thuoc tinh nao|tinh nao|thuoc thanh pho nao|sap nhap|tinh moi|ten moi|"
    r"sau sap nhap|nhap vao|bay gio la|gio la tinh|gio thuoc|nay thuoc)\b"
)


def decide(kb, request: Request, context: Context) -> Decision:
    """Pick the answer for ``request`` in ``context``; a message with scam signs leads with the warning."""
    decision = _decide(kb, request, context)
    decision.scam = request.intent == "scam_warning"
    return decision


def _decide(kb, request: Request, context: Context) -> Decision:
    """Pick the answer for ``request`` in ``context`` (see the module docstring).

    In order: a button for an entry; a place question (which province now); a follow-up on the service under
    discussion; fee reductions; a question-level fact; a service and the aspects asked; a FAQ entry; a
    service named alone; a weaker FAQ match; a greeting, thanks or goodbye; otherwise "not in scope".
    """
    key = search_key(request.text)
    aspects = [a for a in request.aspects if a in ASPECT_LABELS or a == "reduction"]
    faq = request.faqs[0] if request.faqs else None
    faq_score = faq.score if faq else 0.0
    province = request.province or context.province
    previous = [a for a in (context.aspect or "").split(",") if a in ASPECT_LABELS]
    service = request.service
    off_topic = request.intent == "out_of_scope" and request.confidence >= OOS_CONFIDENCE

    if request.intent == "show_entry" and request.entry_id:
        return Decision("entry", entry=request.entry_id, province=province)
    if request.intent == "scam_warning" and request.confidence >= 0.99:  # the scam guard saw scam signs
        scam = next((h for h in request.faqs if h.unit.topic == "scams"), None)
        return Decision("faq", entry=scam.unit.entry_id if scam else SCAM_ENTRY)
    # which province a place is in now; "… vậy em làm ở đâu" about the procedure under discussion is answered by that
    # procedure's office, labelled with the new province; aspects of a procedure found only by retrieval ("chọn tỉnh
    # nào khi nộp hồ sơ") do not turn the place question into that procedure
    place_question = request.place_mentioned and (
        request.intent == "ask_new_province" or bool(_NEW_PROVINCE_RE.search(key))
    )
    if place_question and context.service and "where" in aspects and not service:
        return Decision("service", service=context.service, aspects=["where"], province=request.province)
    if place_question and (not (set(aspects) - {"where"}) or not request.named_service):
        return Decision("new_province", province=request.text if not request.is_payload else request.province)
    # the other channel of the fee just given ("còn nộp trực tiếp ở công an phường thì sao")
    if (
        context.service
        and not service
        and "fee" in previous
        and _CHANNEL_RE.search(key)
        and _FOLLOW_UP_FRAME_RE.search(key)
        and faq_score < FOLLOW_UP_FAQ_MAX
    ):
        return Decision("service", service=context.service, aspects=["fee"], province=province)
    # a follow-up about the service under discussion: an aspect, a place or a correction, and little else
    place_only = request.place_mentioned and not aspects and not request.correction
    if (
        context.service
        and not service
        and faq_score < FOLLOW_UP_FAQ_MAX
        and (
            ((aspects or request.correction) and request.residual <= FOLLOW_UP_MAX_WORDS)
            or (place_only and request.residual == 0 and not off_topic)
        )
    ):
        if "reduction" in aspects:
            return Decision("reductions", province=province, aspects=["reduction"])
        asked = (aspects or previous or ["steps"])[:2]
        # the FAQ entry just given states the fee of its own case ("theo danh sách: 10.000 đồng mỗi người")
        if "fee" in asked and _states_fee(kb.get(context.entry or "")):
            return Decision("faq", entry=context.entry)
        if not any(has_aspect(kb, kb.get(context.service), a) for a in asked):
            gap = _aspect_faq(kb, context.service, asked) or _service_gap_faq(request)
            if gap:
                return gap
        return Decision("service", service=context.service, aspects=asked, province=province)
    # an aspect and nothing else ("lệ phí bao nhiêu vậy"): one question back, which procedure
    if (
        aspects
        and not service
        and not context.service
        and request.residual == 0
        and "reduction" not in aspects
        and faq_score < FOLLOW_UP_FAQ_MAX
    ):
        return Decision("ask_service", aspects=aspects[:2], answered=False, topic=context.topic)
    # a follow-up of the answer just given ("còn nếu … thì sao"): the procedure under discussion, or what the answer's
    # neighbours say, rather than "not in scope"
    guarded = request.intent == "out_of_scope" and request.confidence >= 0.99
    # words the classifier is sure are off-topic and the knowledge base has nothing on ("còn bóng đá thì sao")
    unknown = request.intent == "out_of_scope" and request.confidence >= OOS_SURE and faq_score < WEAK_MIN
    if context.entry and not request.named_service and not (guarded or unknown) and _FOLLOW_UP_ASK_RE.search(key):
        if context.service and faq_score < FAQ_MIN:
            return Decision(
                "service", service=context.service, aspects=(aspects or previous or ["steps"])[:2], province=province
            )
        if faq and faq_score >= WEAK_MIN:
            return _faq_or_clarify(request, context)
    # the classifier is sure it is off-topic: only a named service or a close FAQ match overrules it; a guard's
    # verdict (an attempt to change the bot's rules) is final
    if guarded:
        return Decision("out_of_scope", answered=False)
    if off_topic and not request.named_service and faq_score < FAQ_STRONG:
        return Decision("out_of_scope", answered=False)
    # fee reductions: the list for the province, unless the question names a procedure that has a fee, or a FAQ
    # entry answers this very question ("lệ phí đăng ký doanh nghiệp giảm 50% đến khi nào")
    if "reduction" in aspects and not (service and request.named_service and has_aspect(kb, kb.get(service), "fee")):
        if (
            faq
            and faq.unit.kind == "faq"
            and (faq_score >= FAQ_STRONG or (request.named_service and faq_score >= FAQ_MIN))
        ):
            return _faq_answer(request)
        if not request.named_service:  # a named procedure without a fee entry is answered below, as before
            return Decision("reductions", province=province, aspects=["reduction"])
    if (
        faq
        and faq.unit.kind == "service_faq"
        and faq_score >= FACT_MIN
        and (not service or service == faq.unit.entry_id or faq_score >= FAQ_STRONG)
    ):
        return Decision(
            "fact", service=faq.unit.entry_id, entry=faq.unit.entry_id, fact=faq.unit.index, province=province
        )
    if service and aspects:
        # a fee is said only for a procedure named for sure: a wrong fee is worse than one question back
        if (
            "fee" in aspects
            and not request.named_service
            and request.service_score < FEE_SURE
            and len(request.services) > 1
            and not (faq and faq.unit.kind == "faq" and faq_score >= FAQ_STRONG)  # a FAQ entry holds the question
        ):
            return Decision(
                "clarify",
                aspects=["fee"],
                answered=False,
                options=[(kb.get(s)["title"], f'/ask_fee{{"service":"{s}"}}') for s, _ in request.services[:3]],
            )
        known = [a for a in aspects if has_aspect(kb, kb.get(service), a)]
        # a question with details beyond "service + aspect" is better answered by a FAQ entry on those details
        detailed = _detail_match(request, faq)
        faq_wins = (
            faq
            and faq.unit.kind == "faq"
            and (
                (faq_score >= FAQ_STRONG and faq_score > request.service_score + 0.1)
                # the aspect is only the classifier's guess and a FAQ entry holds this very question
                or (not request.cued and not request.is_payload and faq_score >= FAQ_EXACT)
                # the first aspect asked ("có phải đóng phí không") is not held by the service entry
                or (aspects[0] not in known and faq_score >= FAQ_MIN)
                or detailed
            )
        )
        if faq_wins:
            return _faq_answer(request)
        # the entry staff marked for that aspect, unless the question has details a FAQ found with them may fit
        plain = request.residual <= FOLLOW_UP_MAX_WORDS
        marked = _aspect_faq(kb, service, aspects[:1]) if aspects[0] not in known and plain else None
        if marked:
            return marked
        if not known:
            gap = _service_gap_faq(request)
            if gap:
                return gap
        return Decision("service", service=service, aspects=(known or aspects)[:2], province=province)
    if (
        faq
        and faq.unit.kind == "faq"
        and faq_score >= FAQ_MIN
        and (not service or faq_score >= request.service_score or faq_score >= FAQ_STRONG)
    ):
        return _faq_or_clarify(request, context)
    # details beyond the service name favour a FAQ entry, but not the words of a correction ("là bị mất ví")
    if service and faq and faq.unit.kind == "faq" and _detail_match(request, faq) and not request.correction:
        return _faq_answer(request)
    # a question about a service with details but no aspect ("phiếu số 1 với số 2 khác nhau chỗ nào"): a fact of
    # that service read with its title, when one matches
    if service and not aspects and request.residual >= DETAIL_WORDS:
        top = request.service_faqs[0] if request.service_faqs else None
        if top and top.unit.kind == "service_faq" and top.unit.entry_id == service and top.score >= FAQ_DETAIL_MIN:
            return Decision("fact", service=service, entry=service, fact=top.unit.index, province=province)
    if service:
        # a service named alone: in a follow-up it keeps the aspect asked before, else it shows its steps
        return Decision("service", service=service, aspects=previous[:2] or ["steps"], province=province)
    if request.place_mentioned and not aspects and not off_topic:
        return Decision("new_province", province=request.text)
    if faq and faq_score >= WEAK_MIN and request.intent not in CHITCHAT:
        return _faq_or_clarify(request, context)
    if request.intent in CHITCHAT:
        return Decision(request.intent if request.intent in ("thank", "goodbye") else "greet")
    return Decision("out_of_scope", answered=False)


def _detail_match(request: Request, faq: Hit | None) -> bool:
    """True when a question has details beyond "service + aspect" and ``faq`` answers them: it matches the whole
    question well, or, weaker, it shares a word pair with what is left once the service, the aspect and the place
    are taken out (not only the service's own words: "cấp đổi hay cấp lại" is no detail) and is of the topic of the
    procedure the citizen named (a shared "lấy giấy" makes no death certificate of a residence question)."""
    if not faq or request.residual < DETAIL_WORDS:
        return False
    same_topic = not request.named_service or faq.unit.topic == request.service_topic
    return faq.score >= FAQ_MIN or (faq.score >= FAQ_DETAIL_MIN and faq.unit in request.detail_units and same_topic)


def _strays_from_topic(hit: Hit, context: Context, named: bool) -> bool:
    """A fact of a service (not a FAQ entry) of another topic than the conversation's, in a message that names no
    service (``named`` false): its generic words ("mất mấy ngày thì có") matched, not its subject (a card is no
    electricity)."""
    return bool(hit.unit.kind == "service_faq" and context.topic and hit.unit.topic != context.topic and not named)


def has_aspect(kb, service: dict | None, aspect: str) -> bool:
    """True when the knowledge base holds the ``aspect`` of ``service``."""
    if not service:
        return False
    if aspect in ("fee", "reduction"):
        return bool(kb.fees(service["id"]))
    field_of = {
        "documents": "documents",
        "steps": "steps",
        "time": "processing_time",
        "where": "agency",
        "online": "channels",
    }
    return bool(service.get(aspect) or service.get(field_of.get(aspect, aspect)))


def _faq_or_clarify(request: Request, context: Context) -> Decision:
    """The best FAQ hit, or one clarifying question when the next hit is as close and not strong.

    Between close hits the conversation decides first: the answer just given (a follow-up about the same thing,
    "tìm lại được điện thoại rồi thì mở khóa sao"), else the only one of the conversation's topic."""
    hits = [h for h in request.faqs if h.unit.kind in ("faq", "service_faq")]
    top = hits[0]
    close = [h for h in hits[1:3] if top.score - h.score < CLARIFY_MARGIN and h.unit.entry_id != top.unit.entry_id]
    if close and top.score < FAQ_MIN:
        tied = [top, *close]
        same = [h for h in tied if h.unit.kind == "faq" and h.unit.entry_id == context.entry]
        topical = [h for h in tied if context.topic and h.unit.topic == context.topic]
        chosen = same or (topical if len(topical) == 1 else [])
        if chosen:
            return _hit_answer(chosen[0])
        return Decision("clarify", options=[_hit_option(h) for h in tied], answered=False)
    decision = _faq_answer(request)
    decision.options = [_hit_option(h) for h in close[:1]]  # the close second is one tap away
    return decision


# an amount in a FAQ answer; "miễn phí" alone is not enough: "ai được miễn phí" is no answer to "phí bao nhiêu"
_FEE_STATED_RE = re.compile(r"\b\d{1,3}(?:\.\d{3})+ đồng")


def _states_fee(entry: dict | None) -> bool:
    """True when ``entry`` is a FAQ entry whose answer states an amount of money."""
    return bool(entry and entry.get("kind") == "faq" and _FEE_STATED_RE.search(entry.get("answer") or ""))


def _aspect_faq(kb, service_id: str, aspects: list[str]) -> Decision | None:
    """The FAQ entry staff marked as answering one of ``aspects`` of the service (its ``service`` and ``aspect``
    fields: "Phí làm phiếu lý lịch tư pháp bao nhiêu" for a procedure without a fee entry)."""
    for aspect in aspects:
        entry = kb.faq_for_aspect(service_id, aspect)
        if entry:
            return Decision("faq", entry=entry["id"])
    return None


def _service_gap_faq(request: Request) -> Decision | None:
    """A FAQ entry that answers an aspect the service entry does not hold, found with the service's title."""
    top = request.service_faqs[0] if request.service_faqs else None
    if top is None or top.score < FAQ_DETAIL_MIN:
        return None
    if top.unit.kind == "service_faq":
        return Decision("fact", service=top.unit.entry_id, entry=top.unit.entry_id, fact=top.unit.index)
    return Decision("faq", entry=top.unit.entry_id)


def _faq_answer(request: Request) -> Decision:
    """The best FAQ hit (a FAQ entry or a question-level fact of a service)."""
    return _hit_answer(request.faqs[0])


def _hit_answer(top: Hit) -> Decision:
    """The answer of one retrieval hit: a FAQ entry, or a question-level fact of a service."""
    if top.unit.kind == "service_faq":
        return Decision("fact", service=top.unit.entry_id, entry=top.unit.entry_id, fact=top.unit.index)
    return Decision("faq", entry=top.unit.entry_id)


def _hit_option(hit: Hit) -> tuple[str, str]:
    """A (title, payload) button for a retrieval hit."""
    return hit.example, f'/show_entry{{"entry_id":"{hit.unit.entry_id}"}}'


def next_context(kb, decision: Decision, request: Request, context: Context) -> Context:
    """The context after answering: what the answer was about; an off-topic turn keeps nothing new."""
    if decision.kind == "ask_service":  # remember what was asked, so the procedure named next gets it
        return replace(
            context,
            aspect=",".join(decision.aspects),
            service=None,
            province=request.province or context.province,
            province_age=context.province_age + 1,
        )
    if decision.kind in ("out_of_scope", "greet", "thank", "goodbye", "clarify"):
        aged = replace(context, province_age=context.province_age + 1)
        return aged if aged.province_age <= PROVINCE_TTL else replace(aged, province=None, province_age=0)
    topic = context.topic
    entry_id = decision.service or decision.entry
    entry = kb.get(entry_id) if entry_id else None
    if entry:
        topic = entry.get("topic") or topic
    # after a FAQ answer the procedure under discussion is one the citizen named, of the answer's topic; a
    # service retrieval merely found ("đổi" in "đổi bằng lái online") would catch the next short follow-up
    service = decision.service if decision.kind in ("service", "fact") else None
    if service is None and request.service and request.named_service:
        named = kb.get(request.service)
        if named and (entry is None or named.get("topic") == entry.get("topic")):
            service = request.service
    # a FAQ entry about one procedure ("trẻ 6–14 tuổi có phải đến công an" → cấp căn cước lần đầu) hands it on
    if service is None and entry and entry.get("kind") == "faq" and kb.get(entry.get("service") or ""):
        service = entry["service"]
    new = Context(
        service=service,
        province=context.province,
        aspect=",".join(decision.aspects) or None,
        topic=topic,
        entry=entry_id,
        province_age=context.province_age + 1,
    )
    if topic != context.topic and context.topic is not None and not request.place_mentioned:
        new.province, new.province_age = None, 0  # a new topic starts without the old place
    if request.place_mentioned:
        new.province, new.province_age = request.province, 0
    elif new.province_age > PROVINCE_TTL:
        new.province, new.province_age = None, 0
    return new


# ---- rendering ---------------------------------------------------------------------------------------------


def sources_button(entries) -> list[dict]:
    """A button that shows the full sources, review notes and disagreements behind an answer."""
    ids = list(dict.fromkeys(e["id"] for e in entries if e and e.get("id")))
    if not ids:
        return []
    return [{"title": WORDS["sources_button"], "payload": f'/show_sources{{"entry_id":"{",".join(ids[:6])}"}}'}]


def _option_buttons(decision: Decision) -> list[dict]:
    """A close alternative answer as a button ("↪ …")."""
    return [{"title": WORDS["option_prefix"] + title[:60], "payload": payload} for title, payload in decision.options]


def aspect_buttons(service_id: str, shown: list[str]) -> list[dict]:
    """Buttons for the other aspects of a service."""
    return [
        {"title": title, "payload": f'/{_ASPECT_INTENT[a]}{{"service":"{service_id}"}}'}
        for a, title in ASPECT_BUTTONS
        if a not in shown
    ][:3]


_ASPECT_INTENT = {
    "fee": "ask_fee",
    "documents": "ask_documents",
    "steps": "ask_steps",
    "where": "ask_steps",
    "time": "ask_processing_time",
}


def place_label(place: Place | None) -> str:
    """ "Đà Nẵng" or "Quảng Nam cũ, nay là TP Đà Nẵng", from recognised names only (never the citizen's text)."""
    if place is None:
        return ""
    if place.changed:
        return WORDS["place_changed"].format(old=place.old_province, new=place.province)
    return place.province


def render_decision(kb, decision: Decision, on: dt.date | None = None) -> tuple[str, list[dict]]:
    """The message and buttons of a decision."""
    on = on or today()
    if decision.kind == "service":
        return _render_service(kb, decision, on)
    if decision.kind == "fact":
        service = kb.get(decision.service)
        item = (service.get("faq") or [])[decision.fact]
        text = render("fact.j2", service=service, item=item)
        return _fit(text), sources_button([service]) + aspect_buttons(service["id"], [])
    if decision.kind in ("faq", "entry"):
        entry = kb.get(decision.entry)
        if entry is None:
            return render("gone.j2"), []
        if entry["kind"] == "service":
            return _render_service(kb, replace(decision, kind="service", service=entry["id"], aspects=["steps"]), on)
        if entry["kind"] == "faq":
            contacts = kb.contacts(entry.get("contacts") or [])
            return _fit(
                render("faq.j2", entry=entry, contacts=contacts[:1], max_steps=MAX_STEPS, scam=decision.scam)
            ), sources_button([entry]) + _option_buttons(decision)
        if entry["kind"] == "reduction":
            return _fit(
                render("reductions.j2", reductions=[entry], disputed=[], place=None, on=on, note=None)
            ), sources_button([entry])
        if entry["kind"] == "contact":
            return render("contact.j2", contact=entry), []
        service = kb.get(entry.get("service", ""))
        if service:
            return _render_service(
                kb, Decision("service", service=service["id"], aspects=["fee"], province=decision.province), on
            )
        return render("gone.j2"), []
    if decision.kind == "reductions":
        place = resolve(decision.province) if decision.province else None
        reductions, disputed = reductions_for(kb, place, on)
        note = next((n for n in place_notes(None, place)), None)
        for r in reductions:
            note = note or (territory_note(r, place) if place else None)
        text = render(
            "reductions.j2",
            reductions=reductions,
            disputed=disputed,
            place=place,
            on=on,
            note=note,
            label=place_label(place),
        )
        buttons = sources_button(reductions + disputed)
        if place is None:
            buttons += [
                {"title": p, "payload": f'/ask_fee_reduction{{"province":"{p}"}}'}
                for p in ("Lâm Đồng", "Nghệ An", "Hà Nội", "Hồ Chí Minh")
            ]
        return _fit(text), buttons
    if decision.kind == "new_province":
        place = (find_place(decision.province) or resolve(decision.province[:300])) if decision.province else None
        return render("new_province.j2", place=place, merged=merged_from(place.province) if place else []), []
    if decision.kind == "ask_service":
        intent = _ASPECT_INTENT.get(decision.aspects[0], "ask_steps")
        # the procedures of the topic under discussion first ("hết bao nhiêu tiền" after a căn cước answer)
        topical = [e["id"] for e in kb.entries("service") if decision.topic and e.get("topic") == decision.topic]
        buttons = [
            {"title": kb.get(sid)["title"], "payload": f'/{intent}{{"service":"{sid}"}}'}
            for sid in list(dict.fromkeys([*topical, *POPULAR_SERVICES]))[: len(POPULAR_SERVICES)]
            if kb.get(sid)
        ]
        return render("ask_service.j2", label=ASPECT_LABELS[decision.aspects[0]]), buttons
    if decision.kind == "clarify":
        return render("clarify.j2"), [{"title": t, "payload": p} for t, p in decision.options]
    if decision.kind == "greet":
        return render("greet.j2"), topic_buttons()
    if decision.kind in ("thank", "goodbye"):
        return render(f"{decision.kind}.j2"), []
    contacts = kb.contacts(["hotline_vneid", "portal_dvc"])
    return render("out_of_scope.j2", contacts=contacts), []


def _render_service(kb, decision: Decision, on: dt.date) -> tuple[str, list[dict]]:
    service = kb.get(decision.service)
    if service is None or service.get("kind") != "service":
        return render("gone.j2"), []
    place = resolve(decision.province) if decision.province else None
    parts: list[str] = []
    entries = [service]
    for aspect in list(dict.fromkeys("fee" if a == "reduction" else a for a in decision.aspects or ["steps"])):
        if aspect == "fee":
            online, counter = quote_channels(kb, service["id"], decision.province, on=on)
            entries += online.sources + counter.sources
            parts.append(
                render(
                    "service_fee.j2",
                    service=service,
                    online=online,
                    counter=counter,
                    label=place_label(place),
                    on=on,
                    caveat=_fee_caveat(online, counter, place),
                    exemption=fee_exemption(online),
                    compact=len(parts) > 0,
                )
            )
        else:
            parts.append(
                render(
                    f"service_{TEMPLATE_OF.get(aspect, aspect)}.j2",
                    service=service,
                    fact=service.get(aspect),
                    label=ASPECT_LABELS[aspect],
                    max_steps=MAX_STEPS,
                    compact=len(parts) > 0,
                    label_place=place_label(place),
                )
            )
    text = "\n".join(parts)
    basis = service.get("legal_basis") or service.get("source")
    fee_basis = [e.get("legal_basis") for e in entries[1:] if e.get("legal_basis")]
    if "fee" in (decision.aspects or []) and fee_basis:
        basis = fee_basis[0]
    text += "\n" + render("_source_line.j2", basis=short_basis(basis))
    return _fit(text), sources_button(entries) + aspect_buttons(service["id"], decision.aspects)


_EXEMPT_RE = re.compile(r"(?i)\b(không phải nộp|không thu|miễn)\b")


def fee_exemption(quote_) -> str | None:
    """The sentence of the fee's note that says who pays nothing ("Không phải nộp lệ phí khi đổi thẻ vì đủ 14…")."""
    note = (quote_.fee_entry or {}).get("note") or ""
    for sentence in re.findall(r"[^.]+\.", note):
        if _EXEMPT_RE.search(sentence):
            return sentence.strip()
    return None


def _fee_caveat(online, counter, place: Place | None) -> Note | None:
    """At most one caveat for a fee answer: an uncertainty first, then a merged province."""
    if online.uncertain or counter.uncertain:
        reviews = [e for e in online.sources + counter.sources if e.get("status") == "needs_review"]
        if reviews and reviews[0].get("review_note"):
            return Note.of("review", text=short_basis(first_sentence(reviews[0]["review_note"]), CAVEAT_CHARS))
        disputed = next((n for n in online.notes if n.code in ("reduction_end_disputed", "sources_disagree")), None)
        if disputed:
            return disputed
    if place and place.changed:
        return next(iter(place_notes(None, place)))
    return None


def _fit(text: str, limit: int = MAX_CHARS) -> str:
    """Keep a message within one phone screen by dropping whole numbered lines from the end of the steps."""
    lines = text.split("\n")
    while len("\n".join(lines)) > limit:
        numbered = [i for i, line in enumerate(lines) if re.match(r"^\d+\. ", line)]
        if len(numbered) <= 2:
            break
        del lines[numbered[-1]]
    return "\n".join(lines)
