"""Do-nothing bots for the channel floor of ``dvcbot bench load``: the same path with no assistant behind it.

``python -m bot.bench.echo rest PORT`` answers Rasa's REST webhook (``/webhooks/rest/webhook``) with the message
itself; ``python -m bot.bench.echo telegram TOKEN BOT_API_URL`` is a python-telegram-bot application that
polls the Bot API (the emulator) like the real front end, with the same rate limiter, and sends each text back.
"""

from __future__ import annotations

import sys

from aiohttp import web


def rest(port: int) -> None:
    """Answer the REST webhook on 127.0.0.1:``port`` with an echo until killed."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"recipient_id": body.get("sender"), "text": str(body.get("message", ""))}])

    async def status(_request: web.Request) -> web.Response:
        return web.json_response({"model_file": "echo"})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/status", status)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def telegram(token: str, base_url: str) -> None:
    """Echo every text message of the bot ``token`` on the Bot API at ``base_url`` until killed."""
    # lazy: only this mode needs python-telegram-bot
    from telegram import Update  # noqa: PLC0415
    from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters  # noqa: PLC0415

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(AIORateLimiter())
        .concurrent_updates(256)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    if sys.argv[1:2] == ["rest"]:
        rest(int(sys.argv[2]))
    elif sys.argv[1:2] == ["telegram"]:
        telegram(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit("usage: python -m bot.bench.echo rest PORT | telegram TOKEN BOT_API_URL")
