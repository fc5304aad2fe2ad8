"""The knowledge base path is decided in one place (knowledge.store.default_path), for every process."""

import os
import subprocess
import sys

from bot.runtime import paths
from knowledge.store import ROOT, default_path


def test_kb_path_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("DVCBOT_KB_PATH", str(tmp_path / "kb.db"))
    monkeypatch.setenv("DVCBOT_VAR_DIR", str(tmp_path / "var"))
    assert tmp_path / "kb.db" == default_path()


def test_var_dir_alone_puts_the_kb_there(monkeypatch, tmp_path):
    monkeypatch.delenv("DVCBOT_KB_PATH", raising=False)
    monkeypatch.setenv("DVCBOT_VAR_DIR", str(tmp_path))
    assert tmp_path / "knowledge.db" == default_path()


def test_default_is_var_in_the_repository(monkeypatch):
    monkeypatch.delenv("DVCBOT_KB_PATH", raising=False)
    monkeypatch.delenv("DVCBOT_VAR_DIR", raising=False)
    assert ROOT / "var" / "knowledge.db" == default_path()


def test_every_process_agrees_with_only_var_dir_set(tmp_path):
    """The CLI's child processes (action server), the Telegram front end and the NLU all use one file."""
    env = {k: v for k, v in os.environ.items() if k != "DVCBOT_KB_PATH"}
    env["DVCBOT_VAR_DIR"] = str(tmp_path)
    code = (
        "from bot.runtime import paths; from knowledge.store import default_path, open_kb; "
        "print(paths.env()['DVCBOT_KB_PATH']); print(default_path()); print(open_kb().path)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=paths.ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert [str(tmp_path / "knowledge.db")] * 3 == out
