"""The staff pages in-process (aiohttp test client, canned NLU): login and lock-out over HTTP, a check that loses
answers needs explicit confirmation, publish records the account name, revert needs a reason, an unanswered
question becomes an example question of an entry. The browser test drives the same pages with the real Rasa."""

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from test_bot_staff_check import CannedParser

from bot.staff import server
from bot.staff.accounts import Accounts
from bot.staff.check import Checker
from bot.staff.insight import STATS
from bot.telegram.stats import Stats

PASSWORD = "mat-khau-thu-nghiem"
FEE = "fee_thuong_tru_tt75"
QUESTION = "Lệ phí đăng ký thường trú là bao nhiêu?"
BANK = f"""
- id: fee_residence
  topic: cu_tru
  turns:
    - user: "{QUESTION}"
"""


@pytest.fixture
async def client(kb, tmp_path):
    accounts = Accounts(tmp_path / "staff.db")
    accounts.add_user("Lan", PASSWORD)
    (tmp_path / "bank" / "dev").mkdir(parents=True)
    (tmp_path / "bank" / "heldout").mkdir()
    (tmp_path / "bank" / "dev" / "b.yml").write_text(BANK, "utf-8")
    checker = Checker(CannedParser(), bank=tmp_path / "bank", examples=False)
    app = server.build(kb=kb, accounts=accounts, parser=CannedParser(), checker=checker)
    stats = Stats(tmp_path / "stats.db")
    app[STATS] = stats
    async with TestClient(TestServer(app)) as http:
        http.stats = stats
        yield http
    stats.close()
    accounts.close()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def _login(http, password=PASSWORD):
    page = await http.get("/login")
    return await http.post(
        "/login", data={"csrf": _csrf(await page.text()), "name": "Lan", "password": password}, allow_redirects=False
    )


async def _form(http, entry_id):
    page = await http.get(f"/entries/{entry_id}")
    html = await page.text()
    fields = dict(re.findall(r'<input id="f-([a-z_]+)" name="[a-z_]+" value="([^"]*)"', html))
    fields.update(
        {k: v for k, v in re.findall(r'<textarea id="f-([a-z_]+)" name="[a-z_]+"[^>]*>([^<]*)</textarea>', html)}
    )
    for name, value in re.findall(r'<select id="f-([a-z_]+)" name="[a-z_]+">.*?value="([^"]*)" selected', html):
        fields[name] = value
    base = re.search(r'name="base_revision" value="(\d+)"', html).group(1)
    return {**fields, "csrf": _csrf(html), "base_revision": base}


async def test_lock_out_after_five_wrong_passwords(client):
    for _ in range(4):
        assert 401 == (await _login(client, "sai-mat-khau")).status
    assert 429 == (await _login(client, "sai-mat-khau")).status
    assert 429 == (await _login(client)).status  # the right password is refused while locked


async def test_losing_a_fee_answer_needs_confirmation_then_publish_names_the_account(client, kb):
    assert 303 == (await _login(client)).status
    form = await _form(client, FEE)
    form.update(jurisdiction="Lâm Đồng", reason="thử chuyển phạm vi")
    check = await client.post(f"/entries/{FEE}", data=form)
    html = await check.text()
    assert 200 == check.status, html
    assert "toàn quốc" in html  # the harmful-edit warning
    assert 'id="confirm-lost"' in html and "mất số tiền" in html
    draft = re.search(r'name="draft" value="([^"]+)"', html).group(1)
    refused = await client.post("/publish", data={"csrf": _csrf(html), "draft": draft})
    assert 409 == refused.status and "national" == kb.get(FEE)["jurisdiction"]
    done = await client.post(
        "/publish", data={"csrf": _csrf(html), "draft": draft, "confirm_lost": "yes"}, allow_redirects=False
    )
    assert 303 == done.status and "Lâm Đồng" == kb.get(FEE)["jurisdiction"]
    assert ("Lan", "thử chuyển phạm vi") == (kb.history(FEE)[-1]["author"], kb.history(FEE)[-1]["reason"])


async def test_history_diff_and_revert_with_reason(client, kb):
    await _login(client)
    fee = kb.get(FEE)
    kb.edit({**fee, "in_person": 25000}, "Hoa", "mức mới", base_revision=fee["_revision"])
    page = await client.get(f"/entries/{FEE}/history")
    html = await page.text()
    assert "- 20000" in html and "+ 25000" in html
    no_reason = await client.post(f"/entries/{FEE}/revert", data={"csrf": _csrf(html), "revision": "1", "why": " "})
    assert 422 == no_reason.status and 25000 == kb.get(FEE)["in_person"]
    ok = await client.post(
        f"/entries/{FEE}/revert", data={"csrf": _csrf(html), "revision": "1", "why": "nhầm"}, allow_redirects=False
    )
    assert 303 == ok.status and 20000 == kb.get(FEE)["in_person"]
    assert "Lan" == kb.history(FEE)[-1]["author"]


async def test_an_unanswered_question_becomes_an_example_question(client, kb):
    await _login(client)
    for _ in range(2):
        client.stats.record_message(5, "nhận bằng lái qua bưu điện có mất phí không", "nlu_fallback")
    page = await client.get("/unanswered")
    html = await page.text()
    assert "2 lần" in html
    faq = kb.entries("faq")[0]
    opened = await client.post(
        "/unanswered/example",
        data={"csrf": _csrf(html), "entry": faq["id"], "text": "nhận bằng lái qua bưu điện có mất phí không"},
    )
    form_html = await opened.text()
    assert "nhận bằng lái qua bưu điện có mất phí không</textarea>" in form_html
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    await client.post("/unanswered/done", data={"csrf": _csrf(html), "key": key})
    assert "2 lần" not in await (await client.get("/unanswered")).text()


async def test_stats_and_model_pages_render_for_a_logged_in_account(client):
    await _login(client)
    client.stats.record_message(5, "lệ phí thường trú", "ask_fee")
    stats = await (await client.get("/stats?days=30")).text()
    assert "<svg" in stats and 'id="messages">1<' in stats
    model = await client.get("/model")
    assert 200 == model.status and "Huấn luyện lại ngay" in await model.text()


def test_the_staff_page_imports_no_rasa_and_no_tensorflow(run_dvcbot):
    """It runs in the front-end environment, which has no Rasa: the whole server and its commands load without."""
    import subprocess
    import sys

    from bot.runtime import paths

    code = (
        "import sys, bot.staff.server, bot.cli.staff, bot.bench.publish_check; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk', 'tensorflow') "
        "or m.startswith('bot.nlu')); print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, env=paths.env(), capture_output=True, text=True)
    assert 0 == done.returncode, done.stdout + done.stderr
