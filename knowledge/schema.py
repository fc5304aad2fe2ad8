"""Check knowledge entries against the content schema (see knowledge/README.md) before anything is written."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from knowledge import official
from knowledge.clock import today
from knowledge.places import is_province, new_provinces

KINDS = ("faq", "service", "fee", "reduction", "contact", "province_check")
STATUSES = ("published", "needs_review")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

COMMON_REQUIRED = ("id", "kind", "title", "source", "verified_on", "status")

# Optional aspects of a service (see knowledge/README.md): the keys each one accepts, besides answer.
ASPECTS: dict[str, dict[str, type | tuple]] = {
    "who": {"details": list, "source": str, "status": str, "review_note": str},
    "where": {"details": list, "source": str},
    "deadline": {"details": list, "source": str},
    "online": {"menu": str, "level": str, "fully_online": bool, "details": list, "source": str},
    "result": {"electronic_valid": bool, "details": list, "source": str},
}
# what a FAQ entry tied to one service may answer of it (its ``aspect`` field)
FAQ_ASPECTS = ("fee", "documents", "steps", "time", *ASPECTS)
ANSWER_MAX = 160  # the first line a citizen reads on a phone
DETAILS_MAX = 4
FAQ_ANSWER_MAX = 400
ACCOUNT_LEVELS = ("mức 1", "mức 2")
CHECK_RESULTS = ("found", "none_found", "not_checked")


class InvalidEntry(ValueError):
    """An entry breaks the schema; ``errors`` lists ``(entry_id, field, message)`` tuples."""

    def __init__(self, errors: list[tuple[str, str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{eid}: {field}: {msg}" for eid, field, msg in errors))


def as_date(value: Any) -> dt.date | None:
    """Parse an ISO date (``date`` objects pass through); ``None`` when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(entry: dict, field: str, errors: list, required: bool = True) -> None:
    value = entry.get(field)
    if value is None:
        if required:
            errors.append((field, "thiếu trường bắt buộc"))
    elif not isinstance(value, str) or not value.strip():
        errors.append((field, "phải là một đoạn chữ không rỗng"))


def _text_list(entry: dict, field: str, errors: list, minimum: int = 0) -> None:
    value = entry.get(field)
    if value is None:
        if minimum:
            errors.append((field, f"cần ít nhất {minimum} mục"))
        return
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.append((field, "phải là danh sách các đoạn chữ"))
    elif len(value) < minimum:
        errors.append((field, f"cần ít nhất {minimum} mục"))


def _steps(entry: dict, errors: list) -> None:
    steps = entry.get("steps")
    if steps is None:
        return
    if not isinstance(steps, list):
        errors.append(("steps", "phải là danh sách bước"))
        return
    for i, step in enumerate(steps, 1):
        if not isinstance(step, dict) or not isinstance(step.get("text"), str) or not step["text"].strip():
            errors.append((f"steps[{i}]", "mỗi bước cần trường text"))
        elif "need" in step and step["need"] is not None and not isinstance(step["need"], str):
            errors.append((f"steps[{i}].need", "phải là một đoạn chữ"))


def _amount(entry: dict, field: str, errors: list) -> None:
    value = entry.get(field)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.append((field, "phải là số tiền (số nguyên đồng, không âm) hoặc để trống"))


def _jurisdiction(entry: dict, errors: list) -> None:
    value = entry.get("jurisdiction")
    if not isinstance(value, str) or not value.strip():
        errors.append(("jurisdiction", "thiếu trường bắt buộc"))
    elif value != "national" and not is_province(value):
        errors.append(("jurisdiction", f"không nhận ra tỉnh/thành '{value}' (dùng 'national' hoặc tên tỉnh)"))


def _window(entry: dict, errors: list) -> None:
    start = as_date(entry.get("valid_from"))
    if start is None and not (entry.get("valid_from") is None and entry.get("status") == "needs_review"):
        errors.append(("valid_from", "phải là ngày dạng YYYY-MM-DD (chỉ được để trống khi status là needs_review)"))
    end_raw = entry.get("valid_to")
    if end_raw is not None:
        end = as_date(end_raw)
        if end is None:
            errors.append(("valid_to", "phải là ngày dạng YYYY-MM-DD hoặc để trống"))
        elif start and end < start:
            errors.append(("valid_to", "kết thúc trước ngày bắt đầu"))


def _source_text(value: Any, field: str, errors: list, must_be_official: bool) -> None:
    """A source string: never a lead or an unofficial copy; official when the fact is published."""
    if value is None:
        return
    if not isinstance(value, str) or not value.strip():
        errors.append((field, "phải là một đoạn chữ không rỗng"))
        return
    bad = official.unofficial_citations(value)
    if bad:
        errors.append((field, f"không được dẫn tư liệu nội bộ hay bản sao không chính thức ({', '.join(bad)})"))
    if must_be_official and not official.is_official_source(value):
        errors.append((field, "cần nêu ít nhất một văn bản có số hiệu, mã thủ tục hoặc trang chính thức (.gov.vn …)"))


def _short_answer(value: Any, field: str, errors: list, limit: int = ANSWER_MAX) -> None:
    if not isinstance(value, str) or not value.strip():
        errors.append((field, "cần một câu trả lời ngắn"))
    elif len(value.strip()) > limit:
        errors.append((field, f"dài quá {limit} ký tự ({len(value.strip())})"))


def _aspect(entry: dict, name: str, errors: list) -> None:
    value = entry.get(name)
    if value is None:
        return
    if not isinstance(value, dict):
        errors.append((name, "phải là một bảng khóa: giá trị có answer"))
        return
    allowed = ASPECTS[name]
    for key in value:
        if key != "answer" and key not in allowed:
            errors.append((f"{name}.{key}", f"không có trường này (dùng answer, {', '.join(allowed)})"))
    _short_answer(value.get("answer"), f"{name}.answer", errors)
    details = value.get("details")
    if details is not None:
        if not isinstance(details, list) or not all(isinstance(d, str) and d.strip() for d in details):
            errors.append((f"{name}.details", "phải là danh sách các đoạn chữ"))
        elif len(details) > DETAILS_MAX:
            errors.append((f"{name}.details", f"tối đa {DETAILS_MAX} ý"))
    reviewed = value.get("status") == "needs_review"
    _source_text(
        value.get("source"),
        f"{name}.source",
        errors,
        must_be_official=entry.get("status") == "published" and not reviewed,
    )
    if "status" in value and value["status"] not in STATUSES:
        errors.append((f"{name}.status", "phải là published hoặc needs_review"))
    if reviewed and not (isinstance(value.get("review_note"), str) and value["review_note"].strip()):
        errors.append((f"{name}.review_note", "cần khi status là needs_review"))
    for key, kind in allowed.items():
        if key in value and value[key] is not None and kind in (str, bool) and not isinstance(value[key], kind):
            errors.append((f"{name}.{key}", "phải là " + ("true hoặc false" if kind is bool else "một đoạn chữ")))
    if name == "online" and value.get("level") is not None and value["level"] not in ACCOUNT_LEVELS:
        errors.append(("online.level", "phải là 'mức 1' hoặc 'mức 2'"))


def _cases(entry: dict, errors: list) -> None:
    cases = entry.get("cases")
    if cases is None:
        return
    if not isinstance(cases, list):
        errors.append(("cases", "phải là danh sách {when, service}"))
        return
    for i, case in enumerate(cases, 1):
        if (
            not isinstance(case, dict)
            or set(case) - {"when", "service"}
            or not all(isinstance(case.get(k), str) and case[k].strip() for k in ("when", "service"))
        ):
            errors.append((f"cases[{i}]", "mỗi mục cần when và service (id một dịch vụ khác)"))
        elif case["service"] == entry.get("id"):
            errors.append((f"cases[{i}].service", "phải là một dịch vụ khác"))


def _service_faq(entry: dict, errors: list) -> None:
    items = entry.get("faq")
    if items is None:
        return
    if not isinstance(items, list):
        errors.append(("faq", "phải là danh sách {questions, answer, source}"))
        return
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or set(item) - {"questions", "answer", "source"}:
            errors.append((f"faq[{i}]", "mỗi mục chỉ có questions, answer, source"))
            continue
        found: list = []
        _text_list(item, "questions", found, minimum=1)
        errors += [(f"faq[{i}].questions", msg) for _, msg in found]
        _short_answer(item.get("answer"), f"faq[{i}].answer", errors, FAQ_ANSWER_MAX)
        _source_text(
            item.get("source"), f"faq[{i}].source", errors, must_be_official=entry.get("status") == "published"
        )


def _province_check(entry: dict, errors: list) -> None:
    province = entry.get("province")
    if province not in new_provinces():
        errors.append(("province", "phải là tên một trong 34 tỉnh, thành phố từ 1/7/2025"))
    result = entry.get("result")
    if result not in CHECK_RESULTS:
        errors.append(("result", f"phải là một trong {', '.join(CHECK_RESULTS)}"))
    checked = entry.get("checked_on")
    if result in ("found", "none_found"):
        day = as_date(checked)
        if day is None:
            errors.append(("checked_on", "cần ngày tra cứu dạng YYYY-MM-DD"))
        elif day > today():
            errors.append(("checked_on", "không được là ngày trong tương lai"))
    elif checked is not None and as_date(checked) is None:
        errors.append(("checked_on", "phải là ngày dạng YYYY-MM-DD hoặc để trống"))
    reductions = entry.get("reductions")
    if reductions is not None:
        _text_list(entry, "reductions", errors)
    if result == "found" and not reductions:
        errors.append(("reductions", "cần id các mục reduction đã tìm thấy"))
    if result != "found" and reductions:
        errors.append(("reductions", "chỉ ghi khi result là found"))
    _text(entry, "note", errors, required=False)


def _check_kind(entry: dict, errors: list) -> None:
    kind = entry.get("kind")
    if kind == "faq":
        _text(entry, "answer", errors)
        _text_list(entry, "questions", errors, minimum=2)
        _text_list(entry, "tips", errors)
        _text_list(entry, "contacts", errors)
        _text(entry, "intent", errors, required=False)
        _text(entry, "service", errors, required=False)
        if entry.get("aspect") is not None and entry.get("aspect") not in FAQ_ASPECTS:
            errors.append(("aspect", f"phải là một trong: {', '.join(FAQ_ASPECTS)}"))
        if entry.get("aspect") is not None and not entry.get("service"):
            errors.append(("aspect", "cần service: khía cạnh của thủ tục nào"))
        _steps(entry, errors)
    elif kind == "service":
        _text_list(entry, "aliases", errors, minimum=1)
        _text(entry, "agency", errors, required=False)
        _text_list(entry, "channels", errors)
        _text_list(entry, "documents", errors)
        _text(entry, "processing_time", errors, required=False)
        _text(entry, "legal_basis", errors, required=False)
        _steps(entry, errors)
        for flag in ("essential", "fully_online"):
            if entry.get(flag) is not None and not isinstance(entry[flag], bool):
                errors.append((flag, "phải là true, false hoặc để trống"))
        for name in ASPECTS:
            _aspect(entry, name, errors)
        _cases(entry, errors)
        _service_faq(entry, errors)
    elif kind == "fee":
        _text(entry, "service", errors)
        _jurisdiction(entry, errors)
        _amount(entry, "in_person", errors)
        _amount(entry, "online", errors)
        if entry.get("in_person") is None and entry.get("online") is None:
            errors.append(("in_person", "cần ít nhất một số tiền (in_person hoặc online)"))
        _text(entry, "legal_basis", errors)
        _window(entry, errors)
    elif kind == "reduction":
        _jurisdiction(entry, errors)
        pct = entry.get("percent")
        if isinstance(pct, bool) or not isinstance(pct, int) or not 1 <= pct <= 100:
            errors.append(("percent", "phải là số nguyên từ 1 đến 100"))
        if entry.get("channel") not in ("online", "any"):
            errors.append(("channel", "phải là 'online' hoặc 'any'"))
        if entry.get("services") is not None:
            _text_list(entry, "services", errors)
        _text(entry, "scope", errors)
        _text(entry, "legal_basis", errors)
        _window(entry, errors)
        if entry.get("territory") not in (None, "pre_merger"):
            errors.append(("territory", "chỉ nhận 'pre_merger' hoặc để trống"))
        for i, c in enumerate(entry.get("conflicts") or [], 1):
            if not isinstance(c, dict) or not c.get("claim") or not c.get("source"):
                errors.append((f"conflicts[{i}]", "mỗi mục cần claim và source"))
            else:
                _source_text(c["source"], f"conflicts[{i}].source", errors, must_be_official=False)
    elif kind == "contact":
        _text(entry, "description", errors)
        if not entry.get("phone") and not entry.get("url"):
            errors.append(("phone", "cần số điện thoại hoặc url"))
    elif kind == "province_check":
        _province_check(entry, errors)


def check_entry(entry: Any) -> list[tuple[str, str]]:
    """Return ``(field, message)`` for every problem of one entry; an empty list means valid."""
    if not isinstance(entry, dict):
        return [("entry", "mỗi mục phải là một bảng khóa: giá trị")]
    errors: list[tuple[str, str]] = []
    for field in COMMON_REQUIRED:
        if entry.get(field) in (None, ""):
            errors.append((field, "thiếu trường bắt buộc"))
    if entry.get("id") and not ID_RE.match(str(entry["id"])):
        errors.append(("id", "chỉ dùng chữ thường không dấu, số và _, bắt đầu bằng chữ"))
    if entry.get("kind") and entry["kind"] not in KINDS:
        errors.append(("kind", f"phải là một trong {', '.join(KINDS)}"))
    if entry.get("status") and entry["status"] not in STATUSES:
        errors.append(("status", "phải là published hoặc needs_review"))
    if entry.get("verified_on") not in (None, ""):
        day = as_date(entry["verified_on"])
        if day is None:
            errors.append(("verified_on", "phải là ngày dạng YYYY-MM-DD"))
        elif day > today():
            errors.append(("verified_on", "không được là ngày trong tương lai"))
    if entry.get("status") == "needs_review":
        _text(entry, "review_note", errors)
    for field in ("title", "source"):
        if entry.get(field) not in (None, "") and not isinstance(entry[field], str):
            errors.append((field, "phải là một đoạn chữ"))
    if isinstance(entry.get("source"), str) and entry["source"].strip():
        _source_text(entry["source"], "source", errors, must_be_official=entry.get("status") == "published")
    _check_kind(entry, errors)
    return errors


REFERENCE_KINDS = {"service": "dịch vụ", "contact": "liên hệ", "reduction": "mục giảm phí"}


def references(entry: dict) -> list[tuple[str, str, str]]:
    """The other entries ``entry`` points at, as ``(field, id, kind)``: a fee's service, a reduction's services,
    a FAQ's service and contacts. The one reference rule, checked by :func:`check_entries` on content files and by the
    store on every save."""
    kind = entry.get("kind")
    if kind == "fee":
        return [("service", entry["service"], "service")] if entry.get("service") else []
    if kind == "reduction":
        return [("services", sid, "service") for sid in entry.get("services") or []]
    if kind == "faq":
        service = [("service", entry["service"], "service")] if isinstance(entry.get("service"), str) else []
        return service + [("contacts", cid, "contact") for cid in entry.get("contacts") or []]
    if kind == "service" and isinstance(entry.get("cases"), list):
        return [
            (f"cases[{i}].service", case["service"], "service")
            for i, case in enumerate(entry["cases"], 1)
            if isinstance(case, dict) and case.get("service")
        ]
    if kind == "province_check" and isinstance(entry.get("reductions"), list):
        return [("reductions", rid, "reduction") for rid in entry["reductions"]]
    return []


def reference_problem(field: str, ref: str, kind: str) -> tuple[str, str]:
    """``(field, message)`` for a reference to a missing entry."""
    return field, f"không có {REFERENCE_KINDS.get(kind, kind)} '{ref}'"


def check_entries(entries: list[dict]) -> list[tuple[str, str, str]]:
    """Check many entries and their cross references (unique ids, fees pointing at known services)."""
    problems: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    kinds = {e.get("id"): e.get("kind") for e in entries if isinstance(e, dict)}
    for entry in entries:
        eid = str(entry.get("id", "?")) if isinstance(entry, dict) else "?"
        problems += [(eid, field, msg) for field, msg in check_entry(entry)]
        if eid in seen:
            problems.append((eid, "id", "trùng với một mục khác"))
        seen.add(eid)
        if not isinstance(entry, dict):
            continue
        for field, ref, kind in references(entry):
            if kinds.get(ref) != kind:
                problems.append((eid, *reference_problem(field, ref, kind)))
    provinces = [e.get("province") for e in entries if isinstance(e, dict) and e.get("kind") == "province_check"]
    for name in {p for p in provinces if provinces.count(p) > 1}:
        problems.append((str(name), "province", "có nhiều hơn một dòng kiểm tra cho tỉnh này"))
    return problems


def normalize_entry(entry: dict) -> dict:
    """Return a JSON-ready copy: dates as ISO strings, nothing else changed."""
    out = {}
    for key, value in entry.items():
        if isinstance(value, (dt.date, dt.datetime)):
            value = as_date(value).isoformat()
        out[key] = value
    return out
