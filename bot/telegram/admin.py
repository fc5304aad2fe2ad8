"""Handlers for staff (user ids in ADMIN_TELEGRAM_IDS, private chat only): Rasa status, usage statistics and
knowledge edits (show, edit an answer, add, retire), each change confirmed before it is saved.

Edits go through :class:`knowledge.store.KnowledgeBase` with author ``telegram:<user id>``, a reason and the
revision the editor started from, so a concurrent edit is refused instead of overwritten. The action server
reads the same SQLite file: the next answer already uses the change.
"""

from __future__ import annotations

import datetime as dt
import html
import logging

import yaml
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.telegram.callbacks import ADMIN_PREFIX, pattern
from bot.telegram.context import KnowledgeBusy, deps, kb_call
from bot.telegram.send import end_conversation, split_text
from bot.telegram.stats import format_summary
from bot.telegram.texts import (
    ADMIN_ONLY,
    ASK_ANSWER,
    ASK_ENTRY,
    ASK_REASON,
    BAD_YAML,
    BAD_YAML_WHERE,
    CANCEL_BUTTON,
    CANCELLED,
    CONFIRM,
    CONFIRM_ADD,
    CONFIRM_EDIT,
    CONFIRM_RETIRE,
    EDIT_WARNING,
    ENTRY_HEADER,
    ENTRY_RETIRED,
    EXISTS,
    FOUND_ENTRIES,
    FOUND_ENTRY,
    INVALID,
    KB_BUSY_SAVE,
    NO_ANSWER_FIELD,
    NO_STATS,
    NOT_FOUND,
    NOTHING_TO_CANCEL,
    PROBLEM,
    RASA_DOWN,
    RASA_UP,
    REFUSED,
    REFUSED_GONE,
    REFUSED_INVALID,
    SAVE_BUTTON,
    SAVED,
    UNCHANGED,
    USAGE,
)
from knowledge import edits, search
from knowledge.clock import vn_time
from knowledge.content_files import ContentError, parse_yaml
from knowledge.schema import InvalidEntry, check_entry, normalize_entry
from knowledge.store import Conflict, KnowledgeBase, NotFound

log = logging.getLogger("bot.telegram")

ADMIN_COMMANDS = ("status", "thongke", "xemmuc", "suamuc", "themmuc", "anmuc")
TYPING_ANSWER, TYPING_ENTRY, TYPING_REASON, CONFIRMING = range(10, 14)
# the field that holds "the answer" of each kind of entry
ANSWER_FIELDS = {"faq": "answer", "contact": "description", "reduction": "scope"}
CHANGE = "kb_change"
YAML_CHUNK = 3800  # UTF-16 units of YAML per message, leaving room for the header and <pre>
SHOWN_VALUE_CHARS = 3000  # characters of a field shown before it is edited


def _author(update: Update) -> str:
    return f"telegram:{update.effective_user.id}"


def _problems(errors) -> str:
    return "\n".join(PROBLEM.format(field=field, message=message) for _, field, message in errors)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse an admin command to someone who is not staff (or outside a private chat)."""
    await update.effective_message.reply_text(ADMIN_ONLY)


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell an admin whether Rasa answers."""
    healthy = await deps(context).rasa.healthy()
    await update.effective_message.reply_text(RASA_UP if healthy else RASA_DOWN)


async def statistics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the usage statistics of the last 7 days (/thongke)."""
    stats = deps(context).stats
    if stats is None:
        await update.effective_message.reply_text(NO_STATS)
        return
    for chunk in split_text(format_summary(stats.summary(days=7))):
        await update.effective_message.reply_text(chunk)


def _look_up(kb, args: list[str]) -> tuple[dict | None, list[tuple[str, dict | None]], dict | None]:
    """The entry named ``args[0]`` and its last revision, or else the entries the words of ``args`` find."""
    entry = kb.get(args[0], include_retired=True)
    if entry is not None:
        return entry, [], kb.history(entry["id"])[-1]
    return None, [(h["id"], kb.get(h["id"])) for h in search.search(kb.db, " ".join(args), limit=8)], None


async def show_entry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show one knowledge entry as YAML, or the entries a keyword finds (/xemmuc)."""
    if not context.args:
        await update.effective_message.reply_text(USAGE["xemmuc"], parse_mode=ParseMode.HTML)
        return
    entry, found, last = await kb_call(context, _look_up, context.args)
    if entry is None:
        lines = [FOUND_ENTRY.format(id=html.escape(i), title=html.escape(e["title"])) for i, e in found if e]
        text = (
            FOUND_ENTRIES.format(lines="\n".join(lines)) if lines else NOT_FOUND.format(id=html.escape(context.args[0]))
        )
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    header = ENTRY_HEADER.format(
        id=html.escape(entry["id"]),
        revision=entry["_revision"],
        retired=ENTRY_RETIRED if entry["_retired"] else "",
        author=html.escape(last["author"]),
        time=vn_time(dt.datetime.fromisoformat(last["created_at"])),
    )
    body = yaml.safe_dump(
        {k: v for k, v in entry.items() if not k.startswith("_")}, allow_unicode=True, sort_keys=False, width=100
    )
    for index, chunk in enumerate(split_text(body, limit=YAML_CHUNK)):
        text = f"<pre>{html.escape(chunk)}</pre>"
        await update.effective_message.reply_text(
            f"{header}\n{text}" if index == 0 else text, parse_mode=ParseMode.HTML
        )


async def _entry_named(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> dict | None:
    """The entry whose id follows the command, or None after telling the user how to use it."""
    if not context.args:
        await update.effective_message.reply_text(USAGE[command], parse_mode=ParseMode.HTML)
        return None
    entry = await kb_call(context, KnowledgeBase.get, context.args[0])
    if entry is None:
        await update.effective_message.reply_text(
            NOT_FOUND.format(id=html.escape(context.args[0])), parse_mode=ParseMode.HTML
        )
    return entry


async def edit_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Show the current answer of an entry and ask for the new one (/suamuc)."""
    entry = await _entry_named(update, context, "suamuc")
    if entry is None:
        return ConversationHandler.END
    field = ANSWER_FIELDS.get(entry["kind"])
    if field is None:
        await update.effective_message.reply_text(
            NO_ANSWER_FIELD.format(id=html.escape(entry["id"]), kind=entry["kind"]), parse_mode=ParseMode.HTML
        )
        return ConversationHandler.END
    context.user_data[CHANGE] = {
        "action": "edit",
        "id": entry["id"],
        "field": field,
        "base_revision": entry["_revision"],
    }
    await update.effective_message.reply_text(
        ASK_ANSWER.format(
            id=html.escape(entry["id"]),
            revision=entry["_revision"],
            field=field,
            value=html.escape(str(entry.get(field, ""))[:SHOWN_VALUE_CHARS]),
        ),
        parse_mode=ParseMode.HTML,
    )
    return TYPING_ANSWER


async def edit_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Take the new answer and ask why."""
    context.user_data[CHANGE]["value"] = update.effective_message.text.strip()
    await update.effective_message.reply_text(ASK_REASON)
    return TYPING_REASON


async def add_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask for the new entry as YAML (/themmuc)."""
    await update.effective_message.reply_text(ASK_ENTRY)
    return TYPING_ENTRY


async def add_entry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Check the new entry; ask why when it is valid, else say what is wrong."""
    message = update.effective_message
    try:
        # the loader of content files: size limit, no anchors or aliases (a 589-byte alias bomb once became a
        # 69 MB entry and 1.1 GB of memory)
        entry = parse_yaml(message.text, "tin nhắn")
    except ContentError as exc:
        cause = exc.__cause__
        mark = getattr(cause, "problem_mark", None)
        where = BAD_YAML_WHERE.format(line=mark.line + 1, column=mark.column + 1) if mark else ""
        error = getattr(cause, "problem", None) if isinstance(cause, yaml.YAMLError) else None
        await message.reply_text(BAD_YAML.format(error=f"{error or exc}{where}"))
        return TYPING_ENTRY
    if isinstance(entry, dict) and isinstance(entry.get("entries"), list) and len(entry["entries"]) == 1:
        entry = entry["entries"][0]
    problems = check_entry(normalize_entry(entry) if isinstance(entry, dict) else entry)
    if problems:
        await message.reply_text(INVALID.format(problems=_problems([("", f, m) for f, m in problems])))
        return TYPING_ENTRY
    if await kb_call(context, lambda kb: kb.get(str(entry["id"]), include_retired=True)) is not None:
        await message.reply_text(EXISTS.format(id=entry["id"]))
        return TYPING_ENTRY
    context.user_data[CHANGE] = {"action": "add", "id": str(entry["id"]), "entry": normalize_entry(entry)}
    await message.reply_text(ASK_REASON)
    return TYPING_REASON


async def retire_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Pick the entry to retire (/anmuc id [reason]); ask why unless the reason came with the command."""
    entry = await _entry_named(update, context, "anmuc")
    if entry is None:
        return ConversationHandler.END
    context.user_data[CHANGE] = {
        "action": "retire",
        "id": entry["id"],
        "title": entry["title"],
        "base_revision": entry["_revision"],
    }
    if len(context.args) > 1:
        return await _confirm(update, context, " ".join(context.args[1:]))
    await update.effective_message.reply_text(ASK_REASON)
    return TYPING_REASON


async def reason(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Take the reason and ask for confirmation."""
    return await _confirm(update, context, update.effective_message.text.strip())


async def _confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, why: str) -> int:
    change = context.user_data[CHANGE]
    change["reason"] = why
    if change["action"] == "edit":
        summary = CONFIRM_EDIT.format(
            id=html.escape(change["id"]),
            revision=change["base_revision"],
            field=change["field"],
            value=html.escape(change["value"][:SHOWN_VALUE_CHARS]),
        )
        current = deps(context).kb.get(change["id"], include_retired=True)
        if current is not None:
            draft = {**current, change["field"]: change["value"]}
            summary += "".join(
                EDIT_WARNING.format(warning=html.escape(w)) for w in edits.warnings(deps(context).kb, draft, current)
            )
    elif change["action"] == "add":
        summary = CONFIRM_ADD.format(
            id=html.escape(change["id"]),
            kind=html.escape(change["entry"]["kind"]),
            title=html.escape(str(change["entry"].get("title", ""))),
        )
    else:
        summary = CONFIRM_RETIRE.format(id=html.escape(change["id"]), title=html.escape(change["title"]))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(SAVE_BUTTON, callback_data=f"{ADMIN_PREFIX}ok"),
                InlineKeyboardButton(CANCEL_BUTTON, callback_data=f"{ADMIN_PREFIX}no"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        CONFIRM.format(summary=summary, reason=html.escape(why)), parse_mode=ParseMode.HTML, reply_markup=markup
    )
    return CONFIRMING


def _save(kb, change: dict, author: str) -> tuple[int, bool]:
    """Save a confirmed change through the one write path of staff changes; the revision and whether
    anything changed (an edit that changes nothing adds no revision)."""
    if change["action"] == "edit":
        entry = kb.get(change["id"], include_retired=True)
        if entry is None:
            raise NotFound(change["id"])
        entry[change["field"]] = change["value"]
        saved = edits.save(kb, entry, author, change["reason"], base_revision=change["base_revision"])
        return saved.revision, saved.changed
    if change["action"] == "add":
        return kb.add(change["entry"], author, change["reason"]), True
    return kb.retire(change["id"], author, change["reason"], base_revision=change["base_revision"]), True


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Save the confirmed change; say clearly why when the knowledge base refuses it."""
    query = update.callback_query
    await query.answer()
    change = context.user_data.pop(CHANGE, None)
    if change is None:
        await query.edit_message_text(NOTHING_TO_CANCEL)
        return ConversationHandler.END
    try:
        revision, changed = await kb_call(context, _save, change, _author(update), write=True)
        if not changed:
            await query.edit_message_text(
                UNCHANGED.format(id=html.escape(change["id"]), revision=revision), parse_mode=ParseMode.HTML
            )
            return ConversationHandler.END
    except KnowledgeBusy:
        # nothing was saved: the change and its buttons stay, so pressing "Lưu" again retries it
        context.user_data[CHANGE] = change
        await query.message.reply_text(KB_BUSY_SAVE)
        return CONFIRMING
    except InvalidEntry as exc:
        await query.edit_message_text(REFUSED.format(reason=REFUSED_INVALID.format(problems=_problems(exc.errors))))
    except Conflict as exc:
        await query.edit_message_text(REFUSED.format(reason=str(exc)))
    except NotFound:
        await query.edit_message_text(REFUSED.format(reason=REFUSED_GONE.format(id=change["id"])))
    except ValueError as exc:
        await query.edit_message_text(REFUSED.format(reason=str(exc)))
    else:
        log.info(
            "knowledge entry %s: %s by %s (revision %s)", change["id"], change["action"], _author(update), revision
        )
        await query.edit_message_text(
            SAVED.format(id=html.escape(change["id"]), revision=revision), parse_mode=ParseMode.HTML
        )
    return ConversationHandler.END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Drop the pending change (/huy or ✖️)."""
    context.user_data.pop(CHANGE, None)
    return await end_conversation(update, CANCELLED)


async def nothing_to_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/huy outside any walk-through."""
    await update.effective_message.reply_text(NOTHING_TO_CANCEL)


def conversation(staff: filters.BaseFilter, build=ConversationHandler) -> ConversationHandler:
    """The knowledge-edit conversation of staff (/suamuc, /themmuc, /anmuc).

    :param staff: the filter of staff messages
    :param build: how to make the ``ConversationHandler`` (the app passes one that silences a PTB warning)
    """
    typed = staff & filters.TEXT & ~filters.COMMAND
    return build(
        entry_points=[
            CommandHandler("suamuc", edit_start, staff),
            CommandHandler("themmuc", add_start, staff),
            CommandHandler("anmuc", retire_start, staff),
        ],
        states={
            TYPING_ANSWER: [MessageHandler(typed, edit_answer)],
            TYPING_ENTRY: [MessageHandler(typed, add_entry)],
            TYPING_REASON: [MessageHandler(typed, reason)],
            CONFIRMING: [
                CallbackQueryHandler(confirm, pattern=pattern(ADMIN_PREFIX, "ok$")),
                CallbackQueryHandler(cancel, pattern=pattern(ADMIN_PREFIX, "no$")),
            ],
        },
        fallbacks=[CommandHandler("huy", cancel)],
        allow_reentry=True,
        name="knowledge_edit",
    )
