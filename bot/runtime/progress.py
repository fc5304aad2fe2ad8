"""What a user sees while the assistant sets itself up: one line per step, a progress bar while training, a
"sẵn sàng" line once the assistant can answer; third-party warnings go to ``var/logs/warnings.log`` instead.

Everything is written to stderr, so ``dvcbot ask --batch`` keeps a clean stdout.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from pathlib import Path

from bot.runtime import paths

BAR_WIDTH = 24
# how long training took the last time, to draw the bar (seconds); a first training assumes this much
TRAIN_SECONDS_FILE = paths.VAR / "last_train_seconds"
DEFAULT_TRAIN_SECONDS = 120.0


def step(text: str) -> None:
    """One line for a step that starts: ``▶ text``."""
    print(f"▶ {text}", file=sys.stderr, flush=True)


def done(text: str) -> None:
    """One line for a step that ended well: ``✓ text``."""
    print(f"✓ {text}", file=sys.stderr, flush=True)


def ready(text: str) -> None:
    """The line that says the assistant can answer now."""
    print(f"✓ Sẵn sàng: {text}", file=sys.stderr, flush=True)


def bar(fraction: float, elapsed: float) -> str:
    """``[██████······] 50% · 42 s`` for ``fraction`` of the work done."""
    fraction = min(max(fraction, 0.0), 1.0)
    full = round(fraction * BAR_WIDTH)
    return f"[{'█' * full}{'·' * (BAR_WIDTH - full)}] {fraction:4.0%} · {elapsed:.0f} s"


def expected_train_seconds() -> float:
    """Seconds the last training took (the bar's 100%), or :data:`DEFAULT_TRAIN_SECONDS`."""
    try:
        return max(10.0, float(TRAIN_SECONDS_FILE.read_text().strip()))
    except (OSError, ValueError):
        return DEFAULT_TRAIN_SECONDS


def remember_train_seconds(seconds: float) -> None:
    TRAIN_SECONDS_FILE.parent.mkdir(parents=True, exist_ok=True)
    TRAIN_SECONDS_FILE.write_text(f"{seconds:.0f}\n")


def show_bar(started: float, expected: float) -> None:
    """Redraw the training bar in place (only on a terminal; a log gets no bar)."""
    if not sys.stderr.isatty():
        return
    elapsed = time.monotonic() - started
    # never 100% before the end: a slower training than last time stays at 99%
    print(f"\r  {bar(min(elapsed / expected, 0.99), elapsed)}", end="", file=sys.stderr, flush=True)


def end_bar() -> None:
    if sys.stderr.isatty():
        print("", file=sys.stderr, flush=True)


def log_file(name: str) -> Path:
    """``var/logs/<name>``, its folder created."""
    paths.LOGS.mkdir(parents=True, exist_ok=True)
    return paths.LOGS / name


def quiet_warnings() -> None:
    """Send Python warnings (deprecations and the like of Rasa, TensorFlow, SQLAlchemy…) to
    ``var/logs/warnings.log`` instead of the user's terminal."""
    logging.captureWarnings(True)
    handler = logging.FileHandler(log_file("warnings.log"), encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("py.warnings")
    logger.addHandler(handler)
    logger.propagate = False
    warnings.simplefilter("default")
