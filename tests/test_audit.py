"""``make audit`` (security/audit.py): finds a pinned version with an advisory, passes a fixed one, and fails
when it checked nothing."""

import datetime as dt
import json
import subprocess
import sys

from bot.runtime import paths
from security.audit import allowance, audit

ADV = [
    {
        "package": "aiohttp",
        "id": "GHSA-6mq8-rvhq-8wgg",
        "aliases": ["CVE-2025-69223"],
        "fixed": "3.13.3",
        "summary": "zip bomb",
        "url": "u",
    },
    {"package": "python", "id": "EOL", "line": "3.10", "end_of_security": "2026-10-31", "summary": "eol", "url": "u"},
]
TODAY = dt.date(2026, 12, 1)


def test_the_pinned_aiohttp_of_rasa_is_reported():
    findings, checked = audit({"aiohttp": "3.9.5"}, ADV, "3.12.1", TODAY)
    assert 1 == checked and [("aiohttp", "3.9.5")] == [f[:2] for f in findings]


def test_a_fixed_version_and_a_supported_python_pass():
    assert ([], 2) == audit({"aiohttp": "3.13.3"}, ADV, "3.10.13", dt.date(2026, 10, 1))


def test_python_past_its_end_of_security_is_reported():
    findings, _ = audit({}, ADV, "3.10.13", TODAY)
    assert ["python"] == [f[0] for f in findings]


def test_checking_nothing_fails(tmp_path):
    empty = tmp_path / "adv.json"
    empty.write_text(
        json.dumps(
            {"advisories": [{"package": "khong-co-goi-nay", "id": "X", "fixed": "1", "summary": "s", "url": "u"}]}
        ),
        "utf-8",
    )
    result = subprocess.run(
        [sys.executable, "security/audit.py", "--advisories", str(empty)],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert 2 == result.returncode and "Không kiểm tra được gì" in result.stdout


def test_the_vendored_list_covers_the_issue_and_the_venv():
    data = json.loads((paths.ROOT / "security" / "advisories.json").read_text("utf-8"))
    ids = {a["id"] for a in data["advisories"]} | {x for a in data["advisories"] for x in a.get("aliases", [])}
    assert "CVE-2025-69223" in ids
    result = subprocess.run([sys.executable, "security/audit.py"], cwd=paths.ROOT, capture_output=True, text=True)
    assert result.returncode in (0, 1) and "Đã kiểm tra" in result.stdout


def test_an_allowed_finding_passes_only_in_its_environment():
    allowed = [{"env": "rasa", "package": "aiohttp", "ids": "*", "reason": "loopback-only, Rasa pins it"}]
    findings, _ = audit({"aiohttp": "3.9.5"}, ADV, "3.12.1", TODAY)
    assert allowed[0] == allowance(findings[0], allowed, "rasa")
    assert allowance(findings[0], allowed, "front") is None
    named = [{"env": "rasa", "package": "aiohttp", "ids": ["CVE-2025-69223"], "reason": "r"}]
    assert allowance(findings[0], named, "rasa") is not None  # an alias names the advisory too
    assert allowance(findings[0], [{**named[0], "ids": ["CVE-0000-0000"]}], "rasa") is None


def test_only_the_loopback_rasa_environment_may_have_allowed_advisories():
    entries = json.loads((paths.ROOT / "security" / "allowed.json").read_text("utf-8"))["allowed"]
    assert entries and {"rasa"} == {e["env"] for e in entries}
    assert all(e["reason"].startswith("loopback-only, Rasa pins it") for e in entries)


def test_the_front_environment_is_clean_and_the_rasa_one_passes_only_through_the_allow_list():
    front = subprocess.run(
        [paths.front_python(), "security/audit.py", "--env", "front"], cwd=paths.ROOT, capture_output=True, text=True
    )
    assert 0 == front.returncode, front.stdout
    assert "Python 3.12" in front.stdout and "0 vấn đề" in front.stdout and "được phép" not in front.stdout
    rasa = subprocess.run(
        [paths.rasa_python(), "security/audit.py", "--env", "rasa"], cwd=paths.ROOT, capture_output=True, text=True
    )
    assert 0 == rasa.returncode and "được phép" in rasa.stdout and "aiohttp 3.9.5" in rasa.stdout
    without = subprocess.run(  # no allow-list: Rasa's environment is reported as it is
        [paths.rasa_python(), "security/audit.py"], cwd=paths.ROOT, capture_output=True, text=True
    )
    assert 1 == without.returncode and "✗ aiohttp 3.9.5" in without.stdout
