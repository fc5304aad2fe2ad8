"""Where dvcbot keeps its files (the repository root, the model, runtime data and logs) and which Python runs
which process: Rasa and the action server on the Rasa environment (``.venv``, Python 3.10, loopback only), the
internet-facing front ends on the front environment (``.venv-front``, a Python that still gets security fixes)."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from pathlib import Path

from knowledge.store import default_path

ROOT = Path(__file__).resolve().parents[2]
VAR = Path(os.environ.get("DVCBOT_VAR_DIR", ROOT / "var"))
MODEL = Path(os.environ.get("DVCBOT_MODEL", ROOT / "models" / "dvcbot.tar.gz"))
NLU_DATA = ROOT / "nlu_data"
CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "domain.yml"
CREDENTIALS = ROOT / "credentials.yml"
NLU_COMPONENTS = ROOT / "bot" / "nlu"
LOGS = VAR / "logs"
FRONT_VENV = ROOT / ".venv-front"
RASA_VENV = ROOT / ".venv"


def front_python() -> str:
    """The Python of the internet-facing processes (Telegram front end, webhook, staff page): this one when it
    is the front environment, else ``$DVCBOT_FRONT_PYTHON``, else ``.venv-front/bin/python`` (``make setup``)."""
    if in_front_env():
        return sys.executable
    return os.environ.get("DVCBOT_FRONT_PYTHON") or str(FRONT_VENV / "bin" / "python")


@functools.cache
def in_front_env() -> bool:
    """True when this process cannot run Rasa (the front environment holds no Rasa, ``make setup`` checks)."""
    return importlib.util.find_spec("rasa") is None


def rasa_python() -> str:
    """The Python of Rasa, the action server and training: this one, unless this is the front environment;
    then ``$DVCBOT_RASA_PYTHON``, else ``.venv/bin/python``."""
    if not in_front_env():
        return sys.executable
    return os.environ.get("DVCBOT_RASA_PYTHON") or str(RASA_VENV / "bin" / "python")


def env() -> dict[str, str]:
    """Environment for child processes: no telemetry, the same knowledge base, the repo importable."""
    out = dict(os.environ)
    out["RASA_TELEMETRY_ENABLED"] = "false"
    out.setdefault("DVCBOT_KB_PATH", str(default_path()))
    out["PYTHONPATH"] = str(ROOT) + (os.pathsep + out["PYTHONPATH"] if out.get("PYTHONPATH") else "")
    out.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    out.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return out
