"""Build and run the staff web server (``dvcbot staff serve``)."""

from __future__ import annotations

import asyncio
import logging
import os

from aiohttp import web

from bot.staff import insight, model_page, pages
from bot.staff.accounts import Accounts
from bot.staff.check import Checker
from bot.staff.nlu import Parser
from bot.staff.web import is_loopback, make_app
from knowledge.store import KnowledgeBase

log = logging.getLogger(__name__)
WARM: web.AppKey[asyncio.Task] = web.AppKey("warm", asyncio.Task)
PORT_ENV = "STAFF_WEB_PORT"
DEFAULT_PORT = 8081
DEFAULT_HOST = "127.0.0.1"


def default_port() -> int:
    """``$STAFF_WEB_PORT``, else 8081."""
    return int(os.environ.get(PORT_ENV) or DEFAULT_PORT)


def build(
    host: str = DEFAULT_HOST,
    kb: KnowledgeBase | None = None,
    accounts: Accounts | None = None,
    parser: Parser | None = None,
    checker: Checker | None = None,
) -> web.Application:
    """The whole staff application; cookies are ``Secure`` unless it listens on loopback only."""
    app = make_app(accounts or Accounts(), secure=not is_loopback(host))
    parser = parser or Parser()
    if kb is None:
        kb = KnowledgeBase()
        kb.sync_content()  # as the stack does on start: new shipped entries in, staff edits kept
    checker = checker or Checker(parser)
    pages.add_routes(app, kb, checker)

    async def on_startup(started: web.Application) -> None:
        _warm(started, kb, checker)

    app.on_startup.append(on_startup)  # type: ignore[arg-type]  # aiohttp 3.9 types the signal oddly
    extras(app, parser)
    return app


def _warm(app: web.Application, kb: KnowledgeBase, checker: Checker) -> None:
    """Parse the question bank and answer it live in the background, so the first check costs what later ones do."""

    async def warm() -> None:
        try:
            await checker.live_answers(kb)
        except Exception:  # noqa: BLE001 - Rasa not up yet: the first check parses instead
            log.info("could not warm the check before publish", exc_info=True)

    app[WARM] = asyncio.create_task(warm())


def extras(app: web.Application, parser: Parser) -> None:
    """The pages beyond the knowledge entries: unanswered questions, statistics, model."""
    insight.add_routes(app)
    model_page.add_routes(app, parser)


def serve(host: str = DEFAULT_HOST, port: int | None = None) -> None:
    """Serve until interrupted."""
    port = port or default_port()
    print(f"Trang cán bộ: http://{host}:{port}/ (Ctrl-C để dừng)", flush=True)
    web.run_app(build(host), host=host, port=port, print=None, access_log=None)
