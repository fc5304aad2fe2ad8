"""Start the Telegram front end on the front environment's Python (:func:`bot.runtime.paths.front_python`).

Rasa 3.6 needs Python 3.10 and pins aiohttp 3.9.5; neither may face the internet. So when ``dvcbot telegram`` (or
``dvcbot run`` with a bot token) runs on the Rasa environment, the stack starts here and the front end runs as a
child ``<front python> -m bot.cli telegram`` pointed at it with ``$DVCBOT_RASA_URL``. SIGINT and SIGTERM are
passed on to the child; its exit code is returned.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from bot.runtime import paths


class FrontEnvMissing(SystemExit):
    """The front environment is not installed."""


def front_command(verbose: bool = False) -> list[str]:
    """The command line of the front end on the front environment (raises :class:`FrontEnvMissing`)."""
    python = paths.front_python()
    if not Path(python).is_file():
        raise FrontEnvMissing(
            f"Chưa có môi trường cho bot Telegram ({python}). Chạy `make setup` (tạo .venv-front, Python 3.12) "
            "rồi chạy lại."
        )
    return [python, "-m", "bot.cli", *(["-v"] if verbose else []), "telegram"]


def run_front_end(rasa_url: str, verbose: bool = False) -> int:
    """Run the Telegram front end on the front environment against ``rasa_url`` until it stops."""
    child = subprocess.Popen(front_command(verbose), cwd=paths.ROOT, env={**paths.env(), "DVCBOT_RASA_URL": rasa_url})

    def forward(signum, _frame) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.terminate()
            child.wait(timeout=30)
