"""``dvcbot bench nlu``: NLU parse time per message and training time, with and without the Vietnamese components.

Two pipelines are trained on the same data (``nlu_data/``) as NLU-only models in a temporary folder:

- ``tiếng Việt``: ``config.yml`` as it is (normalizer, underthesea tokenizer with folded lemmas, …);
- ``cơ sở``: the same pipeline with Rasa's ``WhitespaceTokenizer`` in place of the normalizer and tokenizer.

Each model then parses every message of the held-out set in-process (as the Rasa server does, one at a time)
and the p50/p95 parse times are printed, with the held-out intent accuracy for reference. ``--full`` also
times a full ``rasa train`` (NLU and dialogue) of ``config.yml``, what ``dvcbot train --force`` does.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.evaluation.intents import HELDOUT, Parser, evaluate, load_examples, load_nlu, quiet_rasa, train_nlu_model
from bot.runtime import paths

VIETNAMESE = ("bot.nlu.normalizer.VietnameseNormalizer", "bot.nlu.tokenizer.VietnameseTokenizer")


def baseline_config(config: dict) -> dict:
    """``config`` with the Vietnamese normalizer and tokenizer replaced by Rasa's whitespace tokenizer."""
    pipeline = []
    for component in config["pipeline"]:
        if component["name"] == VIETNAMESE[1]:
            pipeline.append({"name": "WhitespaceTokenizer"})
        elif component["name"] not in VIETNAMESE:
            pipeline.append(component)
    return {**config, "pipeline": pipeline}


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values``, by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def time_parses(parser, texts: list[str], warmup: int = 5) -> list[float]:
    """Seconds taken by each parse of ``texts`` (after a few warm-up parses)."""
    for text in texts[:warmup]:
        parser.parse(text)
    times = []
    for text in texts:
        start = time.perf_counter()
        parser.parse(text)
        times.append(time.perf_counter() - start)
    return times


def measure(heldout: str | Path = HELDOUT, repeat: int = 1, full_training: bool = False) -> int:
    """Train the NLU with and without Vietnamese word segmentation and print parse and training times; 0."""
    quiet_rasa()
    config = yaml.safe_load(paths.CONFIG.read_text("utf-8"))
    examples = load_examples(heldout)
    texts = [e.text for e in examples] * repeat
    data_yaml = load_nlu(paths.NLU_DATA).nlu_as_yaml()
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="dvcbot-bench-") as tmp:
        work = Path(tmp)
        for name, cfg in (("tiếng Việt", config), ("cơ sở (whitespace)", baseline_config(config))):
            cfg_file = work / f"{len(rows)}.yml"
            cfg_file.write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
            print(f"Huấn luyện NLU: {name}…", file=sys.stderr, flush=True)
            model, train_seconds = train_nlu_model(cfg_file, data_yaml, work, f"nlu{len(rows)}")
            parser = Parser(model)
            times = time_parses(parser, texts)
            accuracy = evaluate(examples, parser.predict)["tất cả"].accuracy
            rows.append(
                (
                    name,
                    train_seconds,
                    percentile(times, 50) * 1000,
                    percentile(times, 95) * 1000,
                    statistics.mean(times) * 1000,
                    accuracy,
                )
            )
        full = None
        if full_training:
            from rasa.model_training import train  # heavy: loads TensorFlow

            print("Huấn luyện đầy đủ (NLU + hội thoại)…", file=sys.stderr, flush=True)
            start = time.perf_counter()
            train(
                str(paths.DOMAIN),
                str(paths.CONFIG),
                str(paths.NLU_DATA),
                output=str(work / "full"),
                force_training=True,
            )
            full = time.perf_counter() - start
    print(f"\nThời gian phân tích NLU mỗi câu ({len(texts)} câu của {heldout}, lần lượt, trong tiến trình)")
    print(f"{'pipeline':<22}{'huấn luyện NLU':>16}{'p50':>9}{'p95':>9}{'trung bình':>12}{'intent acc':>12}")
    for name, train_seconds, p50, p95, mean, accuracy in rows:
        print(f"{name:<22}{train_seconds:>14.0f} s{p50:>6.1f} ms{p95:>6.1f} ms{mean:>9.1f} ms{accuracy:>12.1%}")
    if full is not None:
        print(f"\nHuấn luyện đầy đủ (rasa train: NLU + hội thoại, config.yml): {full:.0f} s")
    return 0
