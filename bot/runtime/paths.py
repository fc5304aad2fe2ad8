"""Where dvcbot keeps its files: the repository root, the model, runtime data and logs."""

from __future__ import annotations

import os
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


def env() -> dict[str, str]:
    """Environment for child processes: no telemetry, the same knowledge base, the repo importable."""
    out = dict(os.environ)
    out["RASA_TELEMETRY_ENABLED"] = "false"
    out.setdefault("DVCBOT_KB_PATH", str(default_path()))
    out["PYTHONPATH"] = str(ROOT) + (os.pathsep + out["PYTHONPATH"] if out.get("PYTHONPATH") else "")
    out.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    out.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return out
