"""The aiohttp application shell of the staff page: templates, sessions from the cookie, CSRF on every POST,
security headers, and the login/logout routes. Pages are added by :mod:`bot.staff.pages`."""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import secrets
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.staff.accounts import Accounts, LockedOut, Session
from knowledge.clock import vn_time

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
COOKIE = "staff_session"
PRE_COOKIE = "staff_login"  # the login form's CSRF token, before there is a session
OPEN_PATHS = ("/login", "/static/")
ACCOUNTS: web.AppKey[Accounts] = web.AppKey("accounts", Accounts)
SECURE: web.AppKey[bool] = web.AppKey("secure", bool)
JINJA: web.AppKey[Environment] = web.AppKey("jinja", Environment)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A page from ``bot/staff/templates`` with the session (account name, CSRF token) available."""
    session: Session | None = request.get("session")
    html = (
        request.app[JINJA]
        .get_template(template)
        .render(session=session, csrf=session.csrf if session else "", path=request.path, **context)
    )
    return web.Response(text=html, content_type="text/html", status=status)


def _datetime(value: str) -> str:
    """A stored ISO timestamp as ``14:05 ngày 3/12/2026`` (Vietnam time); anything else as it is."""
    try:
        return vn_time(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


@web.middleware
async def guard(request: web.Request, handler):
    """Only the login page without a session; a POST needs the session's CSRF token; headers on every answer."""
    session = request.app[ACCOUNTS].session(request.cookies.get(COOKIE))
    request["session"] = session
    open_path = any(request.path == p or (p.endswith("/") and request.path.startswith(p)) for p in OPEN_PATHS)
    if session is None and not open_path:
        if request.method == "GET":
            response: web.StreamResponse = web.HTTPSeeOther("/login")
        else:
            response = web.Response(text="Cần đăng nhập.", status=403)
    elif request.method == "POST" and not open_path:
        form = await request.post()
        assert session is not None
        if not hmac.compare_digest(str(form.get("csrf", "")), session.csrf):
            response = web.Response(text="Yêu cầu không hợp lệ (thiếu mã CSRF). Tải lại trang rồi thử lại.", status=403)
        else:
            response = await _call(handler, request)
    else:
        response = await _call(handler, request)
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response


async def _call(handler, request):
    try:
        return await handler(request)
    except web.HTTPException as exc:
        return exc


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="Strict", secure=request.app[SECURE], path="/", max_age=12 * 3600
    )


async def login_page(request: web.Request) -> web.Response:
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", login_csrf=token, error=request.get("login_error"))
    response.set_cookie(PRE_COOKIE, token, httponly=True, samesite="Strict", secure=request.app[SECURE], path="/login")
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not hmac.compare_digest(str(form.get("csrf", "")), expected):
        return web.Response(text="Yêu cầu không hợp lệ (thiếu mã CSRF). Tải lại trang đăng nhập.", status=403)
    try:
        session = request.app[ACCOUNTS].login(str(form.get("name", "")), str(form.get("password", "")))
    except LockedOut as exc:
        request["login_error"] = (
            f"Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau {_datetime(exc.until.isoformat())}."
        )
        return await _status(login_page, request, 429)
    if session is None:
        request["login_error"] = "Sai tên tài khoản hoặc mật khẩu."
        return await _status(login_page, request, 401)
    response = web.HTTPSeeOther("/entries")
    set_session_cookie(request, response, session.token)
    response.del_cookie(PRE_COOKIE, path="/login")
    return response


async def _status(page, request, status: int) -> web.Response:
    response = await page(request)
    response.set_status(status)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    request.app[ACCOUNTS].logout(request.cookies.get(COOKIE, ""))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    return response


def make_app(accounts: Accounts, secure: bool) -> web.Application:
    """The application with login, logout and static files; :func:`bot.staff.pages.add_routes` adds the rest."""
    app = web.Application(middlewares=[guard], client_max_size=1024 * 1024)
    app[ACCOUNTS] = accounts
    app[SECURE] = secure
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["when"] = _datetime
    app[JINJA] = env
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_static("/static/", STATIC)
    return app
