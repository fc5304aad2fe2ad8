"""The staff page in a real headless Chromium against the real stack: log in, correct a fee, see the preview and
the answers that change, publish, and the running bot answers with the new figure; a second session editing the
same entry is refused; a form without a source shows the error next to the field and writes nothing; requests
without a session or without the CSRF token are refused.

Set ``STAFF_SCREENSHOTS=docs`` to save screenshots of the pages on the way (the README's pictures).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from browser import CHROMIUM, Browser

from bot.rasa_client import RasaClient
from bot.runtime import paths
from knowledge.store import KnowledgeBase

FEE = "fee_thuong_tru_tt75"
QUESTION = "Lệ phí đăng ký thường trú là bao nhiêu?"
NAME, PASSWORD = "Trần Thị Lan", "mat-khau-thu-nghiem"
OTHER = "Lê Văn Hùng"
SHOTS = os.environ.get("STAFF_SCREENSHOTS")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser)")


@pytest.fixture(scope="module")
def staff_url(stack, run_dvcbot, tmp_path_factory):
    """``dvcbot staff serve`` as a subprocess on a free port, pointed at the running stack, with two accounts."""
    from bot.runtime.stack import free_port

    for name in (NAME, OTHER):
        done = run_dvcbot(["staff", "add-user", name, "--password-stdin"], stdin=PASSWORD + "\n")
        assert 0 == done.returncode, done.stderr
    port = free_port()
    log = tmp_path_factory.mktemp("staff") / "staff.log"
    env = {**paths.env(), "DVCBOT_RASA_URL": stack.rasa_url}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "staff", "serve", "--port", str(port)],
            cwd=paths.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("staff server did not start:\n" + log.read_text("utf-8", "replace")[-3000:])
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def restore_fee(live_kb_path):
    """Put the fee back as shipped after the test (the session's knowledge base is shared)."""
    kb = KnowledgeBase(live_kb_path)
    original = kb.get(FEE)
    yield original
    current = kb.get(FEE)
    if current["_revision"] != original["_revision"]:
        kb.revert(FEE, original["_revision"], "test", "dọn dẹp sau kiểm thử")
    kb.close()


async def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(Path(SHOTS) / f"staff-{name}.png")


async def _login(page, url: str, name: str = NAME) -> None:
    await page.goto(f"{url}/entries")
    assert "/login" == await page.path()  # nobody without an account sees anything else
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("#login")
    assert "/entries" == await page.path()


async def _bot_says(rasa_url: str, question: str) -> str:
    client = RasaClient(rasa_url, timeout=60)
    try:
        replies = await client.send(f"staff-browser-{time.monotonic_ns()}", question)
    finally:
        await client.close()
    return "\n".join(r.get("text", "") for r in replies)


async def test_staff_corrects_a_fee_and_the_bot_answers_with_it(staff_url, rasa_url, restore_fee, live_kb_path):
    assert "20.000 đồng" in await _bot_says(rasa_url, QUESTION)
    async with Browser() as browser:
        page = await browser.page()
        await page.goto(f"{staff_url}/login")
        await _shot(page, "login")
        await _login(page, staff_url)
        await page.goto(f"{staff_url}/entries?q=le+phi+thuong+tru")  # without diacritics
        assert FEE in await page.eval("document.body.innerHTML")
        await _shot(page, "entries")

        await page.goto(f"{staff_url}/entries/{FEE}")
        revision = int(await page.text("#revision"))
        assert "20.000 đồng" in await page.text(".preview")
        other = await browser.page()  # a second staff member opens the same entry
        await _login(other, staff_url, OTHER)
        await other.goto(f"{staff_url}/entries/{FEE}")

        await page.fill("#f-in_person", "25000")
        await page.fill("#f-reason", "Mức thu mới theo văn bản sửa đổi (thử nghiệm)")
        await page.click("#check")
        assert "/entries/" + FEE == await page.path()
        preview = await page.text("#preview")
        assert "25.000 đồng" in preview and "20.000 đồng" in preview
        assert int(await page.text("#changed-count")) > 0
        assert int(await page.text("#fee-count")) > 0
        assert QUESTION in await page.text("#report")
        await _shot(page, "check")
        assert revision == KnowledgeBase(live_kb_path).get(FEE)["_revision"]  # nothing written by the check

        await other.fill("#f-in_person", "30000")
        await other.fill("#f-reason", "Sửa song song")
        await other.click("#check")

        await page.click("#publish")
        assert "saved=" in await page.eval("location.search")
        assert str(revision + 1) == await page.text("#revision")
        assert NAME == await page.text("#last-author")

        await other.click("#publish")  # checked against the old revision: refused
        assert "người khác" in await other.text("#message")
        assert 25000 == KnowledgeBase(live_kb_path).get(FEE)["in_person"]
    assert "25.000 đồng" in await _bot_says(rasa_url, QUESTION)


async def test_a_form_without_source_shows_the_error_and_writes_nothing(staff_url, live_kb_path):
    before = KnowledgeBase(live_kb_path).get(FEE)
    async with Browser() as browser:
        page = await browser.page()
        await _login(page, staff_url)
        await page.goto(f"{staff_url}/entries/{FEE}")
        await page.fill("#f-source", "")
        await page.fill("#f-reason", "bỏ nguồn")
        await page.click("#check")
        assert "thiếu trường bắt buộc" in await page.text("#field-source .field-error")
        assert not await page.eval("!!document.querySelector('#publish')")
        await _shot(page, "error")
    assert before == KnowledgeBase(live_kb_path).get(FEE)


async def test_requests_without_session_or_csrf_are_refused(staff_url):
    async with httpx.AsyncClient(base_url=staff_url, follow_redirects=False) as http:
        for path in ("/entries", f"/entries/{FEE}", "/stats", "/unanswered", "/model"):
            response = await http.get(path)
            assert 303 == response.status_code and "/login" == response.headers["location"], path
        assert 403 == (await http.post(f"/entries/{FEE}", data={"in_person": "1", "reason": "x"})).status_code
        login = await http.get("/login")
        token = login.text.split('name="csrf" value="')[1].split('"')[0]
        assert 403 == (await http.post("/login", data={"name": NAME, "password": PASSWORD})).status_code
        done = await http.post("/login", data={"csrf": token, "name": NAME, "password": PASSWORD})
        assert 303 == done.status_code
        cookie = done.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = await http.get(f"/entries/{FEE}")
        assert 200 == page.status_code and "frame-ancestors 'none'" in page.headers["content-security-policy"]
        refused = await http.post(f"/entries/{FEE}", data={"in_person": "1", "reason": "x", "csrf": "forged"})
        assert 403 == refused.status_code
        assert 403 == (await http.post("/publish", data={"draft": "x"})).status_code
