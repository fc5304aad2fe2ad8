"""Handlers for volunteers: /huongdan walks a service one step per screen (editing the same message),
/checklist sends a printable list of documents and steps. Both read service entries from the knowledge base.

Button data carries the whole position (``g|s|<service>|<step>``), so the guide needs no conversation state
and old screens keep working after a restart.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.telegram.common import GUIDE_PREFIX, KB, split_text
from knowledge import search
from knowledge.text import search_key

PAGE_SIZE = 8
GUIDE_CHOOSE = "Chọn thủ tục cần hướng dẫn (trang {page}/{pages}):"
CHECKLIST_CHOOSE = "Chọn thủ tục để nhận danh sách chuẩn bị (trang {page}/{pages}):"
GUIDE_GONE = "Thủ tục này không còn trong cơ sở tri thức. Gõ /huongdan để chọn lại."
GUIDE_DONE = (
    "✅ Xong hướng dẫn <b>{title}</b>.\n"
    "Gõ /checklist {name} để có danh sách giấy tờ in cho người dân, hoặc /huongdan để chọn thủ tục khác."
)
CHECKLIST_UNKNOWN = "Mình chưa tìm thấy thủ tục «{given}». Gõ /checklist (không kèm tên) để chọn từ danh sách."
BACK, NEXT, DONE = "◀️ Quay lại", "Tiếp ▶️", "✅ Xong"


def find_service(kb, text: str) -> dict | None:
    """The service that ``text`` names: an exact title or alias first, then one containing it, then search."""
    key = search_key(text)
    if not key:
        return None
    services = kb.entries("service")
    names = [(service, search_key(name)) for service in services
             for name in [service["title"], *(service.get("aliases") or []), service["id"].replace("_", " ")]]
    for service, name in names:
        if name == key:
            return service
    best: tuple[float, dict] | None = None
    for service, name in names:
        if name and (key in name or name in key):
            score = min(len(key), len(name)) / max(len(key), len(name))
            if best is None or score > best[0]:
                best = (score, service)
    if best and best[0] >= 0.5:
        return best[1]
    # search ranks anything sharing one word; keep a hit only when its names hold more than half of the query's words
    terms = [t for t in search.query_terms(text) if "_" not in t]
    for hit in search.search(kb.db, text, limit=3, kinds=("service",)):
        service = kb.get(hit["id"])
        words = set(" ".join(name for s, name in names if service and s["id"] == service["id"]).split())
        if service and terms and sum(t in words for t in terms) / len(terms) > 0.5:
            return service
    return None


def _list_markup(kb, mode: str, page: int) -> tuple[InlineKeyboardMarkup, int, int]:
    services = kb.entries("service")
    pages = max(1, -(-len(services) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    action = "s" if mode == "s" else "c"
    rows = [[InlineKeyboardButton(s["title"], callback_data=f"{GUIDE_PREFIX}{action}|{s['id']}|0")]
            for s in services[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀️ Trang trước", callback_data=f"{GUIDE_PREFIX}l|{mode}|{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("Trang sau ▶️", callback_data=f"{GUIDE_PREFIX}l|{mode}|{page + 1}"))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows), page + 1, pages


def guide_screen(service: dict, step: int) -> tuple[str, InlineKeyboardMarkup]:
    """Text (HTML) and buttons of screen ``step`` of a service: 0 is the overview, 1…n the steps."""
    steps = service.get("steps") or []
    sid = service["id"]
    title = html.escape(service["title"])
    if step <= 0:
        lines = [f"📘 <b>{title}</b>"]
        if service.get("agency"):
            lines.append(f"Cơ quan giải quyết: {html.escape(service['agency'])}")
        if service.get("channels"):
            lines.append(f"Nộp qua: {html.escape(', '.join(service['channels']))}")
        if service.get("processing_time"):
            lines.append(f"Thời gian: {html.escape(service['processing_time'])}")
        if service.get("documents"):
            lines.append("\n<b>Người dân cần chuẩn bị:</b>")
            lines += [f"• {html.escape(d)}" for d in service["documents"]]
        lines.append(f"\nCó {len(steps)} bước. Bấm «Tiếp» để bắt đầu.")
        buttons = [InlineKeyboardButton(NEXT, callback_data=f"{GUIDE_PREFIX}s|{sid}|1")] if steps else []
        buttons.append(InlineKeyboardButton(DONE, callback_data=f"{GUIDE_PREFIX}x|{sid}"))
        return "\n".join(lines), InlineKeyboardMarkup([buttons])
    step = min(step, len(steps))
    current = steps[step - 1]
    lines = [f"📘 <b>{title}</b> — bước {step}/{len(steps)}", "", html.escape(current.get("text", ""))]
    if current.get("need"):
        lines += ["", f"🧾 <b>Người dân cần có sẵn:</b> {html.escape(current['need'])}"]
    buttons = [InlineKeyboardButton(BACK, callback_data=f"{GUIDE_PREFIX}s|{sid}|{step - 1}")]
    if step < len(steps):
        buttons.append(InlineKeyboardButton(NEXT, callback_data=f"{GUIDE_PREFIX}s|{sid}|{step + 1}"))
    buttons.append(InlineKeyboardButton(DONE, callback_data=f"{GUIDE_PREFIX}x|{sid}"))
    return "\n".join(lines), InlineKeyboardMarkup([buttons])


def checklist_text(service: dict) -> str:
    """A short printable checklist (plain text) of the documents and steps of a service."""
    lines = [f"DANH SÁCH CHUẨN BỊ: {service['title'].upper()}", ""]
    if service.get("documents"):
        lines.append("Giấy tờ:")
        lines += [f"☐ {d}" for d in service["documents"]]
        lines.append("")
    if service.get("steps"):
        lines.append("Các bước:")
        for number, step in enumerate(service["steps"], 1):
            need = f" (cần: {step['need']})" if step.get("need") else ""
            lines.append(f"☐ {number}. {step.get('text', '')}{need}")
        lines.append("")
    facts = [("Nộp qua", ", ".join(service.get("channels") or [])), ("Cơ quan", service.get("agency")),
             ("Thời gian", service.get("processing_time"))]
    lines += [f"{label}: {value}" for label, value in facts if value]
    lines.append(f"Nguồn: {service.get('source', '')} (kiểm tra ngày {service.get('verified_on', '')})")
    return "\n".join(lines)


async def guide_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start guide mode (/huongdan [thủ tục]): the service's overview, or the list of services."""
    kb = context.bot_data[KB]
    service = find_service(kb, " ".join(context.args)) if context.args else None
    if service is not None:
        text, markup = guide_screen(service, 0)
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    markup, page, pages = _list_markup(kb, "s", 0)
    await update.effective_message.reply_text(GUIDE_CHOOSE.format(page=page, pages=pages), reply_markup=markup)


async def guide_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of the service list."""
    query = update.callback_query
    await query.answer()
    _, _, mode, page = query.data.split("|")
    markup, page, pages = _list_markup(context.bot_data[KB], mode, int(page))
    template = GUIDE_CHOOSE if mode == "s" else CHECKLIST_CHOOSE
    await query.edit_message_text(template.format(page=page, pages=pages), reply_markup=markup)


async def _pressed_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    """Answer the button press and return the service named in its data (``…|…|service_id[|…]``), or None
    after saying the service is gone."""
    query = update.callback_query
    await query.answer()
    service = context.bot_data[KB].get(query.data.split("|")[2])
    if service is None:
        await query.edit_message_text(GUIDE_GONE)
    return service


async def guide_step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show one screen of the guide in place of the previous one (Tiếp / Quay lại)."""
    query = update.callback_query
    service = await _pressed_service(update, context)
    if service is None:
        return
    step = query.data.split("|")[3]
    text, markup = guide_screen(service, int(step))
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def guide_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Close the guide and point to the checklist."""
    query = update.callback_query
    service = await _pressed_service(update, context)
    if service is None:
        return
    name = (service.get("aliases") or [service["title"]])[0]
    await query.edit_message_text(GUIDE_DONE.format(title=html.escape(service["title"]), name=html.escape(name)),
                                  parse_mode=ParseMode.HTML)


async def checklist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the printable checklist of the service named after /checklist, or the list to choose from."""
    kb = context.bot_data[KB]
    if not context.args:
        markup, page, pages = _list_markup(kb, "c", 0)
        await update.effective_message.reply_text(CHECKLIST_CHOOSE.format(page=page, pages=pages),
                                                  reply_markup=markup)
        return
    given = " ".join(context.args)
    service = find_service(kb, given)
    if service is None:
        await update.effective_message.reply_text(CHECKLIST_UNKNOWN.format(given=given[:100]))
        return
    await _send_checklist(context, update.effective_chat.id, service)


async def checklist_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the checklist of the service picked from the list."""
    service = await _pressed_service(update, context)
    if service is None:
        return
    await _send_checklist(context, update.effective_chat.id, service)


async def _send_checklist(context: ContextTypes.DEFAULT_TYPE, chat_id: int, service: dict) -> None:
    for chunk in split_text(checklist_text(service)):
        await context.bot.send_message(chat_id, chunk)
