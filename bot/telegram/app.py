"""Build the Telegram application (python-telegram-bot 22) and run it by polling or behind a webhook."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import signal
import warnings
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.rasa_client import RasaClient
from bot.runtime import progress
from bot.telegram import admin, citizens, fee_walk, guide
from bot.telegram.callbacks import GUIDE_PREFIX, PAYLOAD_PATTERN, RATING_PATTERN, pattern
from bot.telegram.context import RETRY_ATTEMPTS, RETRY_INTERVAL, Deps, KnowledgeBusy, RetryQueue, deps, install
from bot.telegram.inbox import Inbox, bot_key
from bot.telegram.relay import RASA_PATIENCE, load_unanswered, mark_answered, recover_unanswered
from bot.telegram.routing import (
    ADDRESSED,
    NON_TEXT,
    PRIVATE_COMMAND,
    TYPED_TEXT,
    PerChatUpdateProcessor,
    staff_filter,
)
from bot.telegram.send import RATE_LIMIT_RETRIES, send_text
from bot.telegram.stats import Stats
from bot.telegram.texts import COMMANDS, ERROR_TEXT, KB_BUSY_TEXT
from knowledge.store import KnowledgeBase, open_kb

log = logging.getLogger("bot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user something went wrong, or that the knowledge base is busy (the update then
    counts as answered)."""
    busy = isinstance(context.error, KnowledgeBusy)
    if busy:
        log.warning("knowledge base busy: %s", context.error)
    else:
        log.error("Exception while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await send_text(context.bot, update.effective_chat.id, KB_BUSY_TEXT if busy else ERROR_TEXT)
        except TelegramError as exc:
            log.warning("Could not tell the user about the error: %s", exc)
        mark_answered(context, update.update_id)


async def _post_init(application: Application) -> None:
    """Publish the command menu (Bot API servers without setMyCommands, like the emulator, are fine), and have
    the questions a killed earlier run left unanswered answered once the application runs."""
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        log.debug("setMyCommands failed: %s", exc)
    progress.ready(f"bot Telegram @{application.bot.username} đang trả lời")
    if load_unanswered(application):
        deps(application).recovery = asyncio.create_task(recover_unanswered(application))


async def count_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count a command in the statistics (its name only: what follows it may hold personal data)."""
    stats, message = deps(context).stats, update.effective_message
    if stats is None or message is None or not message.text or update.effective_chat is None:
        return
    name = message.text.split()[0].split("@")[0][:32]
    try:
        stats.record_message(update.effective_chat.id, name, name, "command", redacted=True, answered=True)
    except Exception:  # statistics never stop an answer
        log.exception("could not record statistics")


async def skip_seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop an update the inbox already holds (Telegram delivering it again after a crash): answered once."""
    inbox = deps(context).inbox
    try:
        seen = inbox is not None and inbox.seen(update.update_id)
    except Exception:
        log.exception("could not read the inbox")
        return
    if seen:
        log.info("update %s was already received: not answered twice", update.update_id)
        raise ApplicationHandlerStop


def _file_url(base_url: str) -> str:
    """File URL beside a Bot API base URL: ``http://host/bot`` -> ``http://host/file/bot``."""
    root, _, last = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


def _conversation(**kwargs) -> ConversationHandler:
    with warnings.catch_warnings():  # buttons are tracked per chat and user, not per message: intended
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(**kwargs)


def build_application(
    token: str,
    rasa: RasaClient,
    base_url: str | None = None,
    admin_ids: set[int] | frozenset[int] = frozenset(),
    *,
    stats: Stats | None = None,
    kb: KnowledgeBase | None = None,
    retry_interval: float = RETRY_INTERVAL,
    retry_attempts: int = RETRY_ATTEMPTS,
    updater: bool = True,
    inbox: Inbox | None = None,
    api_timeout: float | None = None,
) -> Application:
    """Build the Telegram application that relays messages to ``rasa``.

    :param base_url: Bot API URL before the token (e.g. ``http://127.0.0.1:9000/bot``); Telegram's by default
    :param admin_ids: Telegram user ids allowed to use the staff commands
    :param stats: usage statistics (default ``$DVCBOT_VAR_DIR/stats.db``)
    :param kb: the knowledge base (default :func:`knowledge.store.open_kb`)
    :param retry_interval: seconds between tries of questions that came while Rasa was down
    :param updater: False for webhook mode (updates arrive through :func:`webhook_app`)
    :param inbox: the durable inbox (default ``$DVCBOT_VAR_DIR/telegram_inbox.db``, rows of this token)
    :param api_timeout: read/write timeout of Bot API calls in seconds (python-telegram-bot's 5 s by default)
    """
    builder = (
        Application.builder()
        .token(token)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
    )
    if base_url:
        builder = builder.base_url(base_url).base_file_url(_file_url(base_url))
    if api_timeout is not None:
        builder = builder.read_timeout(api_timeout).write_timeout(api_timeout)
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    install(
        application.bot_data,
        Deps(
            rasa=rasa,
            kb=kb if kb is not None else open_kb(),
            retries=RetryQueue(interval=retry_interval, attempts=retry_attempts),
            admin_ids=frozenset(admin_ids),
            stats=stats if stats is not None else Stats(),
            inbox=inbox if inbox is not None else Inbox(bot_key(token)),
        ),
    )
    staff = staff_filter(admin_ids)

    application.add_handler(TypeHandler(Update, skip_seen), group=-1)
    # after the handler that answered (group 0): every command is counted, whichever handler took it
    application.add_handler(MessageHandler(filters.COMMAND, count_command), group=1)
    # conversations first: while one runs, the user's typed text belongs to it
    application.add_handler(admin.conversation(staff, build=_conversation))
    application.add_handler(fee_walk.conversation(build=_conversation))
    application.add_handler(CommandHandler("start", citizens.start))
    application.add_handler(CommandHandler("help", citizens.help_command))
    application.add_handler(CommandHandler("lienhe", citizens.contact))
    application.add_handler(CommandHandler("huongdan", guide.guide_start))
    application.add_handler(CommandHandler("checklist", guide.checklist))
    application.add_handler(CommandHandler("status", admin.status, staff))
    application.add_handler(CommandHandler("thongke", admin.statistics, staff))
    application.add_handler(CommandHandler("xemmuc", admin.show_entry, staff))
    application.add_handler(CommandHandler(list(admin.ADMIN_COMMANDS), admin.refuse))
    application.add_handler(CommandHandler("huy", admin.nothing_to_cancel))
    application.add_handler(MessageHandler(PRIVATE_COMMAND, citizens.unknown_command))
    application.add_handler(CallbackQueryHandler(citizens.rate, pattern=RATING_PATTERN))
    # exact shapes: forged or malformed data ("g|s|thuong_tru|abc") falls through to expired_button
    service_id = r"[\w.-]{1,50}"
    application.add_handler(CallbackQueryHandler(guide.guide_list, pattern=pattern(GUIDE_PREFIX, r"l\|[sc]\|\d{1,4}$")))
    application.add_handler(
        CallbackQueryHandler(guide.guide_step, pattern=pattern(GUIDE_PREFIX, rf"s\|{service_id}\|\d{{1,3}}$"))
    )
    application.add_handler(CallbackQueryHandler(guide.guide_done, pattern=pattern(GUIDE_PREFIX, rf"x\|{service_id}$")))
    application.add_handler(
        CallbackQueryHandler(guide.checklist_button, pattern=pattern(GUIDE_PREFIX, rf"c\|{service_id}\|\d{{1,3}}$"))
    )
    application.add_handler(CallbackQueryHandler(citizens.button, pattern=PAYLOAD_PATTERN))
    application.add_handler(CallbackQueryHandler(citizens.expired_button))
    application.add_handler(MessageHandler(TYPED_TEXT, citizens.text_message))
    application.add_handler(MessageHandler(ADDRESSED & filters.CONTACT, citizens.shared_contact))
    application.add_handler(MessageHandler(ADDRESSED & NON_TEXT, citizens.non_text))
    application.add_error_handler(error_handler)
    return application


def _setup_logging() -> None:
    """Everything (INFO) to ``var/logs/telegram.log``; only warnings and errors to the terminal."""
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    to_file = logging.FileHandler(progress.log_file("telegram.log"), encoding="utf-8")
    to_file.setFormatter(fmt)
    to_terminal = logging.StreamHandler()
    to_terminal.setLevel(logging.WARNING)
    to_terminal.setFormatter(fmt)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(to_file)
    root.addHandler(to_terminal)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run_polling(
    token: str, rasa_url: str, base_url: str | None = None, admin_ids: set[int] | frozenset[int] = frozenset()
) -> None:
    """Relay Telegram chats to the Rasa server at ``rasa_url`` until stopped (Ctrl-C or SIGTERM).

    :param base_url: Bot API URL before the token, for a local Bot API server or the test emulator
    """
    _setup_logging()
    rasa = RasaClient(rasa_url, timeout=RASA_PATIENCE)
    application = build_application(token, rasa, base_url=base_url, admin_ids=admin_ids)

    async def close(app: Application) -> None:
        await rasa.close()
        deps(app).close()

    application.post_shutdown = close
    application.run_polling(allowed_updates=Update.ALL_TYPES)


def webhook_app(application: Application, secret_token: str, path: str = "/telegram") -> web.Application:
    """An aiohttp app that takes Telegram's webhook calls at ``path`` and queues them for ``application``.

    Calls without the right ``X-Telegram-Bot-Api-Secret-Token`` header are refused with 403.
    """

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret_token.encode()):
            log.warning("webhook call with a wrong secret token refused")
            return web.Response(status=403)
        try:
            data = await request.json()
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an Update object")
            update = Update.de_json(data, application.bot)
        except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            log.warning("webhook call with a malformed update: %s", exc)
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def serve_webhook(
    application: Application, webhook_url: str, secret_token: str, listen: str, port: int, stop: asyncio.Event
) -> None:
    """Register the webhook with Telegram, serve it until ``stop`` is set, then shut down."""
    path = urlparse(webhook_url).path or "/telegram"
    runner = web.AppRunner(webhook_app(application, secret_token, path))
    async with application:
        await _post_init(application)
        await runner.setup()
        await web.TCPSite(runner, listen, port).start()
        await application.bot.set_webhook(webhook_url, secret_token=secret_token, allowed_updates=Update.ALL_TYPES)
        await application.start()
        log.info("webhook %s listening on %s:%s%s", webhook_url, listen, port, path)
        try:
            await stop.wait()
        finally:
            await application.stop()
            await runner.cleanup()


def run_webhook(
    token: str,
    rasa_url: str,
    webhook_url: str,
    secret_token: str | None = None,
    base_url: str | None = None,
    admin_ids: set[int] | frozenset[int] = frozenset(),
    listen: str = "0.0.0.0",
    port: int = 8443,
) -> None:
    """Serve Telegram's webhook calls (instead of polling) until stopped (Ctrl-C or SIGTERM).

    :param webhook_url: public HTTPS URL Telegram calls; its path is served locally on ``listen:port``
    :param secret_token: checked on every call; a random one per run when not given
    """
    _setup_logging()
    rasa = RasaClient(rasa_url, timeout=RASA_PATIENCE)
    application = build_application(token, rasa, base_url=base_url, admin_ids=admin_ids, updater=False)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await serve_webhook(application, webhook_url, secret_token or secrets.token_urlsafe(32), listen, port, stop)
        finally:
            await rasa.close()
            deps(application).close()

    asyncio.run(main())
