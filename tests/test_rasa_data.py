"""Rasa's own checks on the training data and the conversation test stories."""

import subprocess
import sys

import pytest

from bot.runtime import paths


def rasa(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=paths.ROOT,
        env=paths.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.stack
def test_rasa_data_validate():
    result = rasa("data", "validate", "--data", "nlu_data", "--domain", "domain.yml", "--config", "config.yml")
    assert 0 == result.returncode, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.stack
def test_conversation_stories(tmp_path):
    result = rasa(
        "test",
        "core",
        "--stories",
        "tests/stories",
        "--model",
        str(paths.MODEL),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    assert 0 == result.returncode, result.stdout[-3000:] + result.stderr[-3000:]
