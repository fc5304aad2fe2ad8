"""The model page's one-step restore against the running Rasa: the previous model file becomes the live one and
Rasa serves it (``PUT /model``) without a restart; restoring again goes back."""

import asyncio
import json
import shutil

import aiohttp

from bot.runtime import paths
from bot.staff.model_page import ModelManager, read_meta
from bot.staff.nlu import Parser
from knowledge.store import KnowledgeBase


async def _served(parser: Parser) -> str:
    async with aiohttp.ClientSession() as http:
        return str((await parser.status(http))["model_file"])


def test_restore_swaps_models_and_the_running_rasa_serves_the_restored_one(stack, live_kb_path, tmp_path):
    current, previous = tmp_path / "served-test.tar.gz", tmp_path / "dvcbot.previous.tar.gz"
    shutil.copy(paths.MODEL, current)
    shutil.copy(paths.MODEL, previous)
    (tmp_path / "dvcbot.previous.meta.json").write_text(json.dumps({"kb_version": 7}), "utf-8")
    parser = Parser(stack.rasa_url)
    kb = KnowledgeBase(live_kb_path)
    manager = ModelManager(kb, parser, model=current)
    try:
        asyncio.run(manager.restore())
        assert current.name == asyncio.run(_served(parser))  # Rasa names the file it serves
        assert 7 == read_meta(current)["kb_version"] and "kb_version" not in read_meta(previous)
        asyncio.run(manager.restore())
        assert "kb_version" not in read_meta(current) and 7 == read_meta(previous)["kb_version"]
    finally:
        asyncio.run(ModelManager(kb, parser, model=paths.MODEL).load_live())
        kb.close()
    assert paths.MODEL.name == asyncio.run(_served(parser))


def test_restore_without_a_previous_model_changes_nothing(live_kb_path, tmp_path):
    current = tmp_path / "dvcbot.tar.gz"
    current.write_bytes(b"model")
    kb = KnowledgeBase(live_kb_path)
    manager = ModelManager(kb, Parser("http://127.0.0.1:9"), model=current)
    try:
        asyncio.run(manager.restore())
    except RuntimeError as exc:
        assert "chưa có mô hình trước" in str(exc)
    else:
        raise AssertionError("restore without a previous model must fail")
    finally:
        kb.close()
    assert b"model" == current.read_bytes()
