"""The trained Rasa model: keep the knowledge base in step with its content files, write the FAQ questions
of the knowledge base as generated training data, and train when an input changed."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
import time

from bot.runtime import paths, progress
from knowledge.store import open_kb
from knowledge.training import faq_examples, known_examples, nlu_yaml

log = logging.getLogger(__name__)

GENERATED_NLU = paths.VAR / "nlu_generated" / "kb_questions.yml"


def sync_knowledge() -> dict:
    """Build or update the knowledge database from knowledge/content (staff edits are kept); returns counts."""
    kb = open_kb()
    try:
        counts = kb.sync_content()
    finally:
        kb.close()
    log.info("knowledge base synced: %s", counts)
    return counts


def write_generated_nlu() -> bool:
    """Write the FAQ questions of the knowledge base as training data; True when they changed."""
    kb = open_kb(sync=True)
    try:
        text = nlu_yaml(faq_examples(kb, known_examples(sorted(paths.NLU_DATA.glob("*.yml")))))
    finally:
        kb.close()
    GENERATED_NLU.parent.mkdir(parents=True, exist_ok=True)
    if GENERATED_NLU.exists() and GENERATED_NLU.read_text("utf-8") == text:
        return False
    GENERATED_NLU.write_text(text, "utf-8")
    return True


def meta_path(model=None):
    """The sidecar of a model archive (``dvcbot.meta.json``): when it was trained and on which knowledge version."""
    model = model or paths.MODEL
    return model.with_name(model.name.removesuffix(".tar.gz") + ".meta.json")


def write_meta(kb_version: int, **extra) -> None:
    """Record the training of :data:`paths.MODEL` (read by the staff page's model view)."""
    meta = {"trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "kb_version": kb_version}
    meta_path().write_text(json.dumps({**meta, **extra}, ensure_ascii=False, indent=1), "utf-8")


def inputs() -> list:
    """Files the model is trained from: config, domain, nlu_data/, the NLU components, the FAQ questions."""
    return [
        paths.CONFIG,
        paths.DOMAIN,
        GENERATED_NLU,
        *paths.NLU_DATA.glob("*.yml"),
        *paths.NLU_COMPONENTS.glob("*.py"),
    ]


def is_current() -> bool:
    """True when the model exists and is newer than every input."""
    if not paths.MODEL.exists():
        return False
    return paths.MODEL.stat().st_mtime >= max(p.stat().st_mtime for p in inputs())


def train(force: bool = False) -> int:
    """Train the Rasa model when it is missing or older than its inputs (or always with ``force``); the exit code."""
    changed = write_generated_nlu()
    kb = open_kb()
    kb_version = kb.version()
    kb.close()
    if not force and not changed and is_current():
        progress.done(f"Mô hình đã mới: {paths.MODEL}")
        return 0
    paths.MODEL.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        paths.rasa_python(),
        "-m",
        "rasa",
        "train",
        "--data",
        str(paths.NLU_DATA),
        str(GENERATED_NLU.parent),
        "--config",
        str(paths.CONFIG),
        "--domain",
        str(paths.DOMAIN),
        "--out",
        str(paths.MODEL.parent),
        "--fixed-model-name",
        paths.MODEL.name.removesuffix(".tar.gz"),
        "--force",
        "--quiet",
    ]
    log_path = progress.log_file("train.log")
    progress.step(
        f"Huấn luyện mô hình Rasa (khoảng {progress.expected_train_seconds():.0f} giây; nhật ký: {log_path})…"
    )
    started = time.monotonic()
    expected = progress.expected_train_seconds()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, cwd=paths.ROOT, env=paths.env(), stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            progress.show_bar(started, expected)
            time.sleep(1.0)
    progress.end_bar()
    code = proc.returncode
    seconds = time.monotonic() - started
    if code == 0:
        progress.remember_train_seconds(seconds)
        write_meta(kb_version, train_seconds=round(seconds))
        progress.done(f"Huấn luyện xong sau {seconds:.0f} giây.")
    else:
        print(f"Huấn luyện thất bại sau {seconds:.0f} giây (mã thoát {code}); xem {log_path}.", file=sys.stderr)
    return code


def ensure_model() -> None:
    """Train when there is no model yet; :class:`SystemExit` when training fails."""
    if not paths.MODEL.exists() and train() != 0:
        raise SystemExit("Huấn luyện mô hình thất bại.")
