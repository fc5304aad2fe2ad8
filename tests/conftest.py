"""Shared fixtures: a fresh knowledge base, and a real Rasa + action server stack for the session.

The whole session runs on its own data directory (knowledge base, logs) so tests never touch ``var/``.

Two environments, two pytest runs (``make test``): the test files of :data:`FRONT_TESTS` import or start the
internet-facing front end (python-telegram-bot, aiohttp) and run on the front environment
(``.venv-front/bin/python -m pytest``, the Python the bot runs on); every other file runs on the Rasa environment
(``.venv/bin/python -m pytest``). Each run collects only its own files; naming a file of the other one is an error.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
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
from hypothesis import settings  # noqa: E402

# in CI the property tests draw the same examples every run (a red CI then always means a real regression);
# locally they keep exploring new ones
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from bot.runtime import paths  # noqa: E402
from knowledge.store import KnowledgeBase  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# test files that import or start the Telegram front end, its webhook or the staff page: front environment
FRONT_TESTS = (
    "test_telegram_*.py",
    "test_security_telegram.py",
    "test_privacy_e2e.py",
    "test_staff_*.py",
    "test_bot_staff_*.py",
)


def is_front_test(path: Path) -> bool:
    return any(fnmatch.fnmatch(path.name, glob) for glob in FRONT_TESTS)


def pytest_ignore_collect(collection_path: Path, config):
    """Collect only this environment's test files (see the module docstring)."""
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return is_front_test(collection_path) != paths.in_front_env()
    return None


def _run_dvcbot(args, stdin="", env_extra=None, timeout=300) -> subprocess.CompletedProcess:
    env = {**paths.env(), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],  # the Python of this test run (Rasa's or the front's)
        input=stdin,
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def run_dvcbot():
    """Run ``dvcbot ARGS…`` as a user would (a subprocess in the repository); returns the completed process.

    Call it as ``run_dvcbot(args, stdin="", env_extra=None, timeout=300)``.
    """
    return _run_dvcbot


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
def live_kb_path() -> Path:
    """The session's knowledge base (``$DVCBOT_KB_PATH``, what the stack and the CLI read), built from the content."""
    live = KnowledgeBase(os.environ["DVCBOT_KB_PATH"])
    live.sync_content()
    live.close()
    return Path(os.environ["DVCBOT_KB_PATH"])


@pytest.fixture(scope="session")
def stack(live_kb_path):
    """The real stack (trained model, action server, knowledge base from the content files)."""
    from bot.runtime.stack import Stack

    if not paths.MODEL.exists():
        pytest.fail(f"no trained model at {paths.MODEL}: run `make test` (it trains when needed)")
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


# fixtures that need the trained model and the stack, or Node and the Bot API emulator
STACK_FIXTURES = {"stack", "rasa_url", "own_stack"}
EMULATOR_FIXTURES = {"emulator"}


def pytest_collection_modifyitems(config, items):
    """Mark every test by what it needs, from the fixtures it uses (directly or through other fixtures):
    ``stack`` and ``emulator`` (``pytest -m "not stack and not emulator"`` is the fast loop of ``make check``).
    Tests that start a stack of their own carry ``@pytest.mark.stack`` themselves."""
    wrong = sorted({str(item.path.name) for item in items if is_front_test(item.path) != paths.in_front_env()})
    if wrong:
        python = ".venv-front" if not paths.in_front_env() else ".venv"
        raise pytest.UsageError(f"{', '.join(wrong)}: chạy bằng {python}/bin/python -m pytest (xem tests/conftest.py)")
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & STACK_FIXTURES:
            item.add_marker(pytest.mark.stack)
        if names & EMULATOR_FIXTURES:
            item.add_marker(pytest.mark.emulator)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
