"""The knowledge pages: list and search, one entry as a form, the check before publish, publish, history, diff
and revert. Every write goes through :mod:`knowledge.edits` with the account name as author."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass

from aiohttp import web

from bot.staff import forms
from bot.staff.check import Checker, Report, draft_of
from bot.staff.diff import diff
from bot.staff.nlu import NluUnavailable
from bot.staff.web import render
from knowledge import edits
from knowledge.clock import today
from knowledge.schema import KINDS, InvalidEntry
from knowledge.search import search
from knowledge.store import Conflict, KnowledgeBase, NotFound

KB: web.AppKey[KnowledgeBase] = web.AppKey("kb", KnowledgeBase)
CHECKER: web.AppKey[Checker] = web.AppKey("checker", Checker)
DRAFTS: web.AppKey[dict] = web.AppKey("drafts", dict)
DRAFT_TTL = 3600.0
PREVIEW_QUESTIONS = 3


@dataclass
class Draft:
    """A checked change waiting for publish (kept server-side, bound to the session that checked it)."""

    owner: str
    entry: dict
    base_revision: int
    reason: str
    new: bool
    lost: int
    created: float


def _kb(request: web.Request) -> KnowledgeBase:
    return request.app[KB]


def _entry_or_404(request: web.Request) -> dict:
    entry = _kb(request).get(request.match_info["id"], include_retired=True)
    if entry is None:
        raise web.HTTPNotFound(text="Không có mục này.")
    return entry


async def index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/entries")


async def entries(request: web.Request) -> web.Response:
    """The list, with search (diacritics optional) and filters."""
    kb = _kb(request)
    q = request.query.get("q", "").strip()
    topic, kind = request.query.get("topic", ""), request.query.get("kind", "")
    review = request.query.get("review") == "1"
    stale = request.query.get("stale", "").strip()
    everything = kb.entries()
    rows = everything
    if q:
        order = [hit["id"] for hit in search(kb.db, q, limit=50)]
        by_id = {e["id"]: e for e in everything}
        rows = [by_id[i] for i in order if i in by_id]
    if topic:
        rows = [e for e in rows if e.get("topic") == topic]
    if kind:
        rows = [e for e in rows if e["kind"] == kind]
    if review:
        rows = [e for e in rows if e.get("status") == "needs_review"]
    if stale.isdigit():
        cutoff = today() - dt.timedelta(days=int(stale))
        rows = [e for e in rows if str(e.get("verified_on", "")) < cutoff.isoformat()]
    meta = {r["id"]: r for r in kb.db.query("select id, updated_at, updated_by from entries")}
    return render(
        request,
        "entries.html",
        rows=rows,
        meta=meta,
        q=q,
        topic=topic,
        kind=kind,
        review=review,
        stale=stale,
        topics=sorted({e.get("topic", "") for e in everything}),
        kinds=KINDS,
        total=len(everything),
    )


def preview_questions(kb: KnowledgeBase, entry: dict) -> list[str]:
    """Questions whose answer shows ``entry`` to a citizen."""
    kind = entry.get("kind")
    if kind == "faq":
        return list(entry.get("questions") or [entry.get("title", "")])[:PREVIEW_QUESTIONS]
    if kind == "fee":
        service = kb.get(str(entry.get("service", ""))) or {}
        title = str(service.get("title") or entry.get("title", ""))
        title = title[:1].lower() + title[1:]
        place = entry.get("jurisdiction") if entry.get("jurisdiction") != "national" else "Hà Nội"
        return [f"Lệ phí {title} là bao nhiêu?", f"Lệ phí {title} ở {place} bao nhiêu tiền?"]
    if kind == "service":
        title = str(entry.get("title", ""))
        return [title, f"Lệ phí {title[:1].lower() + title[1:]} là bao nhiêu?"]
    return [str(entry.get("title", ""))]


def _form_page(request, entry: dict, kind: str, values: dict | None = None, errors=None, status=200, **extra):
    kb = _kb(request)
    history = kb.history(entry["id"]) if entry.get("_revision") else []
    last = history[-1] if history else None
    shown = {f.name: forms.show(f, entry.get(f.name)) for f in forms.fields(kind)}
    shown.update(values or {})
    return render(
        request,
        "entry.html",
        status=status,
        entry=entry,
        kind=kind,
        fields=forms.fields(kind),
        values=shown,
        errors=errors or {},
        last=last,
        new=not entry.get("_revision"),
        **extra,
    )


async def entry_page(request: web.Request) -> web.Response:
    """One entry as a form, with the answer a citizen reads now."""
    entry = _entry_or_404(request)
    values = {}
    question = request.query.get("add_question", "").strip()
    if question and entry["kind"] == "faq":
        values["questions"] = forms.show(forms.Field("questions", "", "lines"), [*entry.get("questions", []), question])
    preview = None
    try:
        preview = await request.app[CHECKER].preview(_kb(request), preview_questions(_kb(request), entry))
    except NluUnavailable as exc:
        return _form_page(request, entry, entry["kind"], values, nlu_error=str(exc))
    return _form_page(request, entry, entry["kind"], values, preview=preview, saved=request.query.get("saved"))


async def new_page(request: web.Request) -> web.Response:
    """A form for a new entry (from an unanswered question: its text as the first example question)."""
    kind = request.query.get("kind", "faq")
    if kind not in KINDS:
        kind = "faq"
    question = request.query.get("question", "").strip()
    entry: dict = {"id": "", "kind": kind, "status": "needs_review", "verified_on": today().isoformat()}
    if question:
        entry["questions"] = [question]
        entry["title"] = question
    return _form_page(request, entry, kind)


def _schema_errors(exc: InvalidEntry) -> dict[str, str]:
    out: dict[str, str] = {}
    for _, field, message in exc.errors:
        key = forms.field_of(field)
        out[key] = (out[key] + "; " if key in out else "") + (f"{field}: {message}" if field != key else message)
    return out


async def check(request: web.Request) -> web.Response:
    """Read the form, validate it, run the check before publish against a draft; nothing is written."""
    kb = _kb(request)
    form = await request.post()
    new = request.match_info.get("id") is None
    if new:
        kind = str(form.get("kind", "faq"))
        base: dict = {"id": str(form.get("id", "")).strip(), "kind": kind}
        base_revision = 0
    else:
        base = _entry_or_404(request)
        kind = base["kind"]
        base_revision = int(str(form.get("base_revision", "0")) or 0)
    entry, errors = forms.read(kind, form, base)
    if new:
        entry["id"] = base["id"]
    reason = str(form.get("reason", "")).strip()
    values = {f.name: str(form.get(f.name, "")) for f in forms.fields(kind) if f.name in form}
    if not reason:
        errors["reason"] = "cần ghi lý do sửa (ai đọc lịch sử sẽ thấy)"
    show_entry = {**base, "_revision": base.get("_revision", 0)}
    if errors:
        return _form_page(request, show_entry, kind, values, errors, 422, reason=reason, base_revision=base_revision)

    def apply(draft: KnowledgeBase) -> None:
        if new:
            draft.add(entry, request["session"].name, reason)
        else:
            draft.edit(entry, request["session"].name, reason, base_revision=base_revision)

    try:
        draft = draft_of(kb, apply)
    except InvalidEntry as exc:
        return _form_page(
            request, show_entry, kind, values, _schema_errors(exc), 422, reason=reason, base_revision=base_revision
        )
    except (Conflict, NotFound) as exc:
        return _form_page(
            request, show_entry, kind, values, {"_form": str(exc)}, 409, reason=reason, base_revision=base_revision
        )
    try:
        preview = await request.app[CHECKER].preview(draft, preview_questions(draft, entry))
        live_preview = await request.app[CHECKER].preview(kb, preview_questions(kb, entry))
    except NluUnavailable as exc:
        draft.close()
        return _form_page(request, show_entry, kind, values, {"_form": str(exc)}, 503, reason=reason)
    draft.close()
    try:
        report: Report = await request.app[CHECKER].check(kb, apply)
    except NluUnavailable as exc:
        return _form_page(request, show_entry, kind, values, {"_form": str(exc)}, 503, reason=reason)
    unchanged = not new and not diff(base, entry)
    draft_id = secrets.token_urlsafe(16)
    _prune(request.app[DRAFTS])
    request.app[DRAFTS][draft_id] = Draft(
        request["session"].name, entry, base_revision, reason, new, len(report.lost), time.monotonic()
    )
    return render(
        request,
        "check.html",
        entry=entry,
        kind=kind,
        new=new,
        report=report,
        preview=list(zip(live_preview, preview)),
        changes=diff({} if new else base, entry),
        labels=_labels(kind),
        warnings=[] if new else edits.warnings(kb, entry, base),
        draft_id=draft_id,
        unchanged=unchanged,
        reason=reason,
    )


def _prune(drafts: dict) -> None:
    cutoff = time.monotonic() - DRAFT_TTL
    for key in [k for k, d in drafts.items() if d.created < cutoff]:
        drafts.pop(key, None)


async def publish(request: web.Request) -> web.StreamResponse:
    """Write a checked draft; refused when it makes questions lose their answer without confirmation, or when the
    entry changed since the form was opened (optimistic lock on the revision)."""
    kb = _kb(request)
    form = await request.post()
    draft: Draft | None = request.app[DRAFTS].get(str(form.get("draft", "")))
    if draft is None or draft.owner != request["session"].name:
        return render(
            request, "message.html", status=410, title="Bản nháp đã hết hạn", text="Hãy mở lại mục và kiểm tra lại."
        )
    if draft.lost and form.get("confirm_lost") != "yes":
        return render(
            request,
            "message.html",
            status=409,
            title="Chưa xuất bản",
            text=f"Thay đổi này làm {draft.lost} câu hỏi mất câu trả lời: cần đánh dấu ô xác nhận trước khi xuất bản.",
            back=f"/entries/{draft.entry['id']}",
        )
    try:
        if draft.new:
            revision = kb.add(draft.entry, edits.staff_name(request["session"].name), draft.reason)
        else:
            revision = edits.save(kb, draft.entry, request["session"].name, draft.reason, draft.base_revision).revision
    except Conflict as exc:
        return render(
            request,
            "message.html",
            status=409,
            title="Không lưu được",
            text=str(exc),
            back=f"/entries/{draft.entry['id']}",
        )
    except InvalidEntry as exc:
        return render(request, "message.html", status=422, title="Không lưu được", text=str(exc))
    request.app[DRAFTS].pop(str(form.get("draft", "")), None)
    raise web.HTTPSeeOther(f"/entries/{draft.entry['id']}?saved={revision}")


async def history(request: web.Request) -> web.Response:
    """Every revision of an entry, with a diff between any two and revert with a reason."""
    entry = _entry_or_404(request)
    kb = _kb(request)
    revisions = kb.history(entry["id"])
    newest = revisions[-1]["revision"]
    try:
        a = int(request.query.get("a", max(1, newest - 1)))
        b = int(request.query.get("b", newest))
        changes = diff(kb.revision(entry["id"], a), kb.revision(entry["id"], b))
    except (ValueError, NotFound):
        raise web.HTTPBadRequest(text="Phiên bản không hợp lệ.") from None
    return render(
        request,
        "history.html",
        entry=entry,
        revisions=revisions,
        a=a,
        b=b,
        changes=changes,
        labels=_labels(entry["kind"]),
        error=request.get("error"),
    )


def _labels(kind: str) -> dict[str, str]:
    return {f.name: f.label for f in forms.fields(kind)}


async def revert(request: web.Request) -> web.StreamResponse:
    """Make an old revision current again (a reason is required; nothing is rewritten)."""
    entry = _entry_or_404(request)
    form = await request.post()
    try:
        revision = int(str(form.get("revision", "")))
        edits.revert(_kb(request), entry["id"], revision, request["session"].name, str(form.get("why", "")))
    except (ValueError, NotFound, Conflict, InvalidEntry) as exc:
        request["error"] = str(exc) if not isinstance(exc, NotFound) else "Không có phiên bản này."
        response = await history(request)
        response.set_status(422)
        return response
    raise web.HTTPSeeOther(f"/entries/{entry['id']}/history")


def add_routes(app: web.Application, kb: KnowledgeBase, checker: Checker) -> None:
    """The knowledge pages over the live store ``kb``."""
    app[KB] = kb
    app[CHECKER] = checker
    app[DRAFTS] = {}
    app.router.add_get("/", index)
    app.router.add_get("/entries", entries)
    app.router.add_get("/new", new_page)
    app.router.add_post("/new", check)
    app.router.add_post("/publish", publish)
    app.router.add_get("/entries/{id}", entry_page, name="entry")
    app.router.add_post("/entries/{id}", check)
    app.router.add_get("/entries/{id}/history", history)
    app.router.add_post("/entries/{id}/revert", revert)
