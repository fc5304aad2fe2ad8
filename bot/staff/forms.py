"""One form per kind of entry: which fields, how each is shown, and how the posted form becomes an entry.

Field kinds: ``text``, ``area`` (long text), ``int`` (amount, percent), ``date``, ``select``, ``bool``, ``lines``
(a list, one item a line), ``steps`` (one step a line, ``bước | cần mang`` optional) and ``yaml`` (the few nested
parts: a service's aspects, cases and question-level facts). Fields of the stored entry that the form does not
show are kept as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import yaml

from knowledge.schema import ASPECTS, STATUSES, as_date


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    help: str = ""


COMMON_TOP = (
    Field("title", "Tiêu đề"),
    Field("topic", "Chủ đề (tệp nội dung)"),
)
COMMON_BOTTOM = (
    Field("source", "Nguồn chính thức (số văn bản + điều, trang có mã thủ tục, cổng .gov.vn)", "area"),
    Field("verified_on", "Ngày kiểm tra nguồn", "date"),
    Field("status", "Trạng thái", "select", STATUSES, "published: đã kiểm chứng; needs_review: cần kiểm tra"),
    Field("review_note", "Điều chưa chắc chắn (bắt buộc khi cần kiểm tra)", "area"),
)
KIND_FIELDS: dict[str, tuple[Field, ...]] = {
    "fee": (
        Field("service", "Dịch vụ (id)", "text"),
        Field("jurisdiction", "Phạm vi áp dụng", "text", help="national (toàn quốc) hoặc tên tỉnh, thành phố"),
        Field("in_person", "Lệ phí nộp trực tiếp (đồng)", "int"),
        Field("online", "Lệ phí nộp trực tuyến (đồng)", "int"),
        Field("unit", "Đơn vị tính"),
        Field("valid_from", "Áp dụng từ ngày", "date"),
        Field("valid_to", "Áp dụng đến ngày (để trống nếu còn hiệu lực)", "date"),
        Field("legal_basis", "Căn cứ pháp lý", "area"),
        Field("note", "Ghi chú", "area"),
    ),
    "faq": (
        Field("answer", "Câu trả lời", "area"),
        Field("questions", "Câu hỏi mẫu (mỗi dòng một câu)", "lines"),
        Field("steps", "Các bước (mỗi dòng một bước; 'bước | cần mang')", "steps"),
        Field("tips", "Lưu ý (mỗi dòng một ý)", "lines"),
        Field("contacts", "Liên hệ (id, mỗi dòng một mục)", "lines"),
        Field("intent", "Intent của mô hình (nếu có)"),
        Field("service", "Thủ tục mà câu hỏi này nói về (id, nếu có)", "text"),
        Field("aspect", "Khía cạnh của thủ tục mà mục này trả lời (fee, documents, where…; nếu có)", "text"),
    ),
    "service": (
        Field("aliases", "Tên gọi khác (mỗi dòng một tên)", "lines"),
        Field("agency", "Cơ quan giải quyết"),
        Field("channels", "Cách nộp (mỗi dòng một cách)", "lines"),
        Field("documents", "Giấy tờ cần chuẩn bị (mỗi dòng một giấy tờ)", "lines"),
        Field("steps", "Các bước (mỗi dòng một bước; 'bước | cần mang')", "steps"),
        Field("processing_time", "Thời gian giải quyết"),
        Field("legal_basis", "Căn cứ pháp lý", "area"),
        Field("essential", "Thủ tục thiết yếu", "bool"),
        Field("fully_online", "Làm được hoàn toàn trực tuyến", "bool"),
        *(Field(name, f"Khía cạnh '{name}' (answer, details, source…)", "yaml") for name in ASPECTS),
        Field("cases", "Các trường hợp (when, service)", "yaml"),
        Field("faq", "Câu hỏi riêng của thủ tục (questions, answer, source)", "yaml"),
    ),
    "reduction": (
        Field("jurisdiction", "Phạm vi áp dụng", "text", help="national hoặc tên tỉnh, thành phố"),
        Field("percent", "Mức giảm (%)", "int"),
        Field("channel", "Áp dụng khi nộp", "select", ("online", "any")),
        Field("services", "Dịch vụ được giảm (id, mỗi dòng một mục)", "lines"),
        Field("scope", "Phạm vi", "area"),
        Field("legal_basis", "Căn cứ pháp lý", "area"),
        Field("valid_from", "Áp dụng từ ngày", "date"),
        Field("valid_to", "Áp dụng đến ngày", "date"),
        Field("territory", "Địa bàn", "select", ("", "pre_merger")),
        Field("conflicts", "Thông tin mâu thuẫn (claim, source)", "yaml"),
        Field("note", "Ghi chú", "area"),
    ),
    "contact": (
        Field("description", "Mô tả", "area"),
        Field("phone", "Số điện thoại"),
        Field("url", "Trang web"),
    ),
    "province_check": (
        Field("province", "Tỉnh, thành phố"),
        Field("result", "Kết quả tra cứu", "select", ("found", "none_found", "not_checked")),
        Field("checked_on", "Ngày tra cứu", "date"),
        Field("reductions", "Mục giảm phí tìm thấy (id, mỗi dòng một mục)", "lines"),
        Field("note", "Ghi chú", "area"),
    ),
}


def fields(kind: str) -> tuple[Field, ...]:
    """The fields of the form for ``kind``, in the order shown."""
    return COMMON_TOP + KIND_FIELDS.get(kind, ()) + COMMON_BOTTOM


def show(field: Field, value) -> str:
    """The text a form control holds for a stored value."""
    if value is None:
        return ""
    if field.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if field.kind == "steps" and isinstance(value, list):
        return "\n".join(
            f"{s.get('text', '')} | {s['need']}" if isinstance(s, dict) and s.get("need") else str(s.get("text", s))
            for s in value
        )
    if field.kind == "yaml":
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).strip()
    if field.kind == "bool":
        return "true" if value else ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def read(kind: str, form, base: dict) -> tuple[dict, dict[str, str]]:
    """The entry a posted form describes (on top of ``base``) and the fields that could not be read.

    :param form: a mapping of field name to posted text
    """
    entry = {k: v for k, v in base.items() if not k.startswith("_")}
    errors: dict[str, str] = {}
    for field in fields(kind):
        raw = str(form.get(field.name, "") or "")
        if field.kind == "bool":
            if raw:
                entry[field.name] = True
            elif base.get(field.name) is not None:  # unticked: false, unless it was never set
                entry[field.name] = False
            continue
        if field.name not in form:
            continue
        raw = raw.strip()
        value: object
        if not raw:  # cleared: absent (the schema then names a required field), or null if it was null
            entry.pop(field.name, None)
            if field.name in base and base[field.name] is None:
                entry[field.name] = None
            continue
        if field.kind == "int":
            digits = raw.replace(".", "").replace(",", "").replace(" ", "")
            if not digits.isdigit():
                errors[field.name] = "phải là một số nguyên (ví dụ 20000 hoặc 20.000)"
                continue
            value = int(digits)
        elif field.kind == "date":
            if as_date(raw) is None:
                errors[field.name] = "phải là ngày dạng YYYY-MM-DD"
                continue
            value = raw
        elif field.kind == "lines":
            value = _lines(raw)
        elif field.kind == "steps":
            steps: list[dict] = []
            for line in _lines(raw):
                text, _, need = line.partition("|")
                steps.append({"text": text.strip(), **({"need": need.strip()} if need.strip() else {})})
            value = steps
        elif field.kind == "yaml":
            try:
                value = yaml.safe_load(raw)
            except yaml.YAMLError as exc:
                errors[field.name] = f"không đọc được: {str(exc).splitlines()[0]}"
                continue
        else:
            value = raw
        entry[field.name] = value
    return entry, errors


def field_of(problem_field: str) -> str:
    """The form field a schema problem belongs to (``faq[2].answer`` → ``faq``, ``who.source`` → ``who``)."""
    return problem_field.split("[")[0].split(".")[0]
