"""The front environment (``.venv-front``) the Telegram bot, its webhook and the staff page run on: a Python that
still gets security fixes, current aiohttp and httpx, no Rasa or TensorFlow, and every module the bot needs
importable (run by ``.venv-front/bin/python -m pytest``, see tests/conftest.py)."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

import aiohttp
import httpcore._synchronization as httpcore_sync
import httpx
import pytest
import telegram
from packaging.version import Version

import bot.telegram
import knowledge
from bot.runtime import paths

FRONT_MODULES = ["bot.cli", "bot.rasa_client", "bot.messages", "bot.privacy", "bot.runtime.front", "bot.runtime.stack"]


def test_a_python_that_gets_security_fixes_and_no_rasa():
    assert sys.version_info[:2] >= (3, 12)
    assert importlib.util.find_spec("rasa") is None and importlib.util.find_spec("tensorflow") is None
    assert paths.in_front_env() and sys.executable == paths.front_python()
    assert Path(paths.rasa_python()).name.startswith("python") and paths.rasa_python() != sys.executable


def test_current_versions_of_the_internet_facing_libraries():
    assert Version(aiohttp.__version__) >= Version("3.13.4")  # the last aiohttp advisory of security/advisories.json
    assert Version(telegram.__version__) >= Version("22.0") and Version(httpx.__version__) >= Version("0.28")


@pytest.mark.parametrize(
    "module",
    FRONT_MODULES
    + [m.name for m in pkgutil.walk_packages(bot.telegram.__path__, "bot.telegram.")]
    + [m.name for m in pkgutil.walk_packages(knowledge.__path__, "knowledge.")],
)
def test_every_module_of_the_front_end_imports_here(module):
    importlib.import_module(module)


def test_httpcore_finds_sniffio_once_instead_of_searching_for_it_on_every_request():
    """httpcore imports sniffio inside each lock and event it sets up; when it is missing, every request pays a
    failed search of the import path (about a tenth of the front end's CPU under load)."""
    assert importlib.util.find_spec("sniffio") is not None
    assert "asyncio" == asyncio.run(_library())


async def _library() -> str:
    return httpcore_sync.current_async_library()
