"""Shared fixtures: a fresh knowledge base, and a real Rasa + action server stack for the session.

The whole session runs on its own data directory (knowledge base, logs) so tests never touch ``var/``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="dvcbot-test-"))
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ["DVCBOT_VAR_DIR"] = str(_SESSION_DIR)
os.environ["DVCBOT_KB_PATH"] = str(_SESSION_DIR / "knowledge.db")
os.environ.pop("DVCBOT_RASA_URL", None)
sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

from bot.runtime import paths  # noqa: E402
from knowledge.store import KnowledgeBase  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def content_kb_file() -> Path:
    """A knowledge database built once from the shipped content files (read-only template)."""
    path = _SESSION_DIR / "template.db"
    kb = KnowledgeBase(path)
    kb.sync_content()
    kb.close()
    return path


@pytest.fixture
def kb(content_kb_file, tmp_path) -> KnowledgeBase:
    """A fresh copy of the shipped knowledge base, private to one test."""
    path = tmp_path / "kb.db"
    shutil.copy(content_kb_file, path)
    store = KnowledgeBase(path)
    yield store
    store.close()


@pytest.fixture
def fresh_db(tmp_path) -> KnowledgeBase:
    """An empty knowledge base."""
    store = KnowledgeBase(tmp_path / "empty.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def stack():
    """The real stack (trained model, action server, knowledge base from the content files)."""
    from bot.runtime.stack import Stack

    if not paths.MODEL.exists():
        pytest.fail(f"no trained model at {paths.MODEL}: run `make test` (it trains when needed)")
    live = KnowledgeBase(os.environ["DVCBOT_KB_PATH"])
    live.sync_content()
    live.close()
    running = Stack().start(timeout=240)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def rasa_url(stack) -> str:
    """Base URL of the running Rasa server."""
    return stack.rasa_url


@pytest.fixture(scope="session")
def emulator():
    """The telegram-test-api Bot API emulator on loopback (tests/emulator/server.js)."""
    from telegram_emulator import Emulator

    with Emulator() as running:
        yield running


@pytest.fixture
async def rasa_stub():
    """A stand-in for Rasa's REST webhook, for front-end tests that need no real answers."""
    from telegram_emulator import RasaStub

    async with RasaStub().serve() as stub:
        yield stub


def pytest_configure(config):
    config.addinivalue_line("markers", "stack: needs the trained model and starts the real Rasa stack")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
