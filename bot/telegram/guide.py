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

from actions.render import render_screen
from bot.telegram.callbacks import GUIDE_PREFIX
from bot.telegram.context import deps, kb_call
from bot.telegram.send import split_text
from bot.telegram.texts import (
    BACK,
    CHECKLIST_CHOOSE,
    CHECKLIST_UNKNOWN,
    DONE,
    GUIDE_CHOOSE,
    GUIDE_DONE,
    GUIDE_GONE,
    NEXT,
    PAGE_BACK,
    PAGE_NEXT,
)
from knowledge.catalog import find_service
from knowledge.store import KnowledgeBase

PAGE_SIZE = 8


def _list_markup(kb, mode: str, page: int) -> tuple[InlineKeyboardMarkup, int, int]:
    services = kb.entries("service")
    pages = max(1, -(-len(services) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    action = "s" if mode == "s" else "c"
    rows = [
        [InlineKeyboardButton(s["title"], callback_data=f"{GUIDE_PREFIX}{action}|{s['id']}|0")]
        for s in services[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(PAGE_BACK, callback_data=f"{GUIDE_PREFIX}l|{mode}|{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(PAGE_NEXT, callback_data=f"{GUIDE_PREFIX}l|{mode}|{page + 1}"))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows), page + 1, pages


def guide_screen(service: dict, step: int) -> tuple[str, InlineKeyboardMarkup]:
    """Text (HTML, from the chat's templates) and buttons of screen ``step`` of a service: 0 is the overview,
    1…n the steps."""
    steps = service.get("steps") or []
    sid = service["id"]
    if step <= 0 or not steps:
        buttons = [InlineKeyboardButton(NEXT, callback_data=f"{GUIDE_PREFIX}s|{sid}|1")] if steps else []
        buttons.append(InlineKeyboardButton(DONE, callback_data=f"{GUIDE_PREFIX}x|{sid}"))
        return render_screen("guide_overview.html.j2", service=service), InlineKeyboardMarkup([buttons])
    step = min(step, len(steps))
    buttons = [InlineKeyboardButton(BACK, callback_data=f"{GUIDE_PREFIX}s|{sid}|{step - 1}")]
    if step < len(steps):
        buttons.append(InlineKeyboardButton(NEXT, callback_data=f"{GUIDE_PREFIX}s|{sid}|{step + 1}"))
    buttons.append(InlineKeyboardButton(DONE, callback_data=f"{GUIDE_PREFIX}x|{sid}"))
    return render_screen("guide_step.html.j2", service=service, step=step), InlineKeyboardMarkup([buttons])


def checklist_text(service: dict) -> str:
    """A short printable checklist (plain text) of the documents and steps of a service."""
    return render_screen("checklist.j2", service=service)


async def guide_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start guide mode (/huongdan [thủ tục]): the service's overview, or the list of services."""
    service = (
        await kb_call(context, find_service, " ".join(context.args), deps(context).retriever) if context.args else None
    )
    if service is not None:
        text, markup = guide_screen(service, 0)
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    markup, page, pages = await kb_call(context, _list_markup, "s", 0)
    await update.effective_message.reply_text(GUIDE_CHOOSE.format(page=page, pages=pages), reply_markup=markup)


async def guide_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of the service list."""
    query = update.callback_query
    await query.answer()
    _, _, mode, page = query.data.split("|")
    markup, page, pages = await kb_call(context, _list_markup, mode, int(page))
    template = GUIDE_CHOOSE if mode == "s" else CHECKLIST_CHOOSE
    await query.edit_message_text(template.format(page=page, pages=pages), reply_markup=markup)


async def _pressed_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    """Answer the button press and return the service named in its data (``…|…|service_id[|…]``), or None
    after saying the service is gone."""
    query = update.callback_query
    await query.answer()
    service = await kb_call(context, KnowledgeBase.get, query.data.split("|")[2])
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
    await query.edit_message_text(
        GUIDE_DONE.format(title=html.escape(service["title"]), name=html.escape(name)), parse_mode=ParseMode.HTML
    )


async def checklist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the printable checklist of the service named after /checklist, or the list to choose from."""
    if not context.args:
        markup, page, pages = await kb_call(context, _list_markup, "c", 0)
        await update.effective_message.reply_text(CHECKLIST_CHOOSE.format(page=page, pages=pages), reply_markup=markup)
        return
    service = await kb_call(context, find_service, " ".join(context.args), deps(context).retriever)
    if service is None:  # never repeat what was typed (it may hold personal data)
        await update.effective_message.reply_text(CHECKLIST_UNKNOWN)
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
