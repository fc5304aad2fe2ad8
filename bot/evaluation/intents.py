"""``dvcbot eval``: NLU quality on the held-out set and by cross-validation on the training data.

The held-out set (``tests/nlu/heldout.yml``) was written apart from the training data; it is only ever used to
measure, never to choose models (choices are made by cross-validation on ``nlu_data/``). Figures printed:

- intent accuracy and macro-F1, overall, for messages typed with diacritics and for those without;
- entity F1 on ``(entity, value)`` pairs per message (a service or province found with the right canonical value);
- a per-intent table (precision, recall, F1, support) and the worst confusions;
- 5-fold cross-validation on the training data (the same intent and entity figures).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot.runtime import paths  # noqa: E402
from knowledge.text import ABBREVIATIONS, fold  # noqa: E402

log = logging.getLogger(__name__)

HELDOUT = paths.ROOT / "tests" / "nlu" / "heldout.yml"
ENTITY_TYPES = ("service", "province")  # the entities the held-out set annotates


def quiet_rasa() -> None:
    """Keep Rasa's and TensorFlow's logs (and progress bars) out of the printed figures."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.ERROR)
    configure_structlog(logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)


@dataclass
class Example:
    """One annotated utterance."""

    text: str
    intent: str
    entities: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_diacritics(self) -> bool:
        """True when the text carries any Vietnamese diacritic (tone mark, circumflex, breve, horn or đ)."""
        return fold(self.text) != self.text.lower()

    @property
    def has_abbreviation(self) -> bool:
        """True when a word of the text is a known abbreviation or teencode ("ko", "dc", "cccd")."""
        return any(w in ABBREVIATIONS for w in fold(self.text).replace("?", " ").split())


def load_nlu(path: str | Path):
    """Rasa ``TrainingData`` of an NLU YAML file, or of every NLU file in a folder (rules and stories skipped)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    from rasa.shared.nlu.training_data.training_data import TrainingData

    path = Path(path)
    files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
    parts = [RasaYAMLReader().read(str(f)) for f in files if RasaYAMLReader.is_yaml_nlu_file(f)]
    return TrainingData().merge(*parts)


def load_examples(path: str | Path) -> list[Example]:
    """Annotated examples of a Rasa NLU YAML file (or of every NLU file in a folder)."""
    data = load_nlu(path)
    out = []
    for m in data.intent_examples:
        ents = [
            (e["entity"], str(e.get("value", m.get("text")[e["start"] : e["end"]]))) for e in m.get("entities") or []
        ]
        out.append(Example(m.get("text"), m.get("intent"), ents))
    return out


class Parser:
    """Parses messages in-process with a trained Rasa model (``models/dvcbot.tar.gz`` or an NLU-only one)."""

    def __init__(self, model: str | Path):
        from rasa.core.agent import Agent

        self.agent = Agent.load(str(model))
        self.loop = asyncio.new_event_loop()

    def parse(self, text: str) -> dict:
        """The NLU result for ``text``: ``intent``, ``entities``, ``intent_ranking``."""
        return self.loop.run_until_complete(self.agent.parse_message(text))

    def predict(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The predicted intent name and ``(entity, value)`` pairs of ``text``."""
        result = self.last = self.parse(text)
        ents = [(e["entity"], str(e.get("value"))) for e in result.get("entities") or []]
        return (result.get("intent") or {}).get("name") or "", ents


@dataclass
class Scores:
    """Figures for one set of predictions."""

    n: int
    accuracy: float
    macro_f1: float
    entity_p: float
    entity_r: float
    entity_f1: float
    per_intent: dict[str, tuple[float, float, float, int]]
    confusions: list[tuple[str, str, int]]
    errors: list[tuple[str, str, str]]

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "intent_accuracy": round(self.accuracy, 4),
            "intent_macro_f1": round(self.macro_f1, 4),
            "entity_precision": round(self.entity_p, 4),
            "entity_recall": round(self.entity_r, 4),
            "entity_f1": round(self.entity_f1, 4),
        }


def score(examples: list[Example], predictions: list[tuple[str, list[tuple[str, str]]]]) -> Scores:
    """Intent and entity scores of ``predictions`` against ``examples`` (same order).

    Entities are compared as multisets of ``(entity, value)`` per message, for the types in ``ENTITY_TYPES``:
    what the dialogue uses is the canonical value, not the exact span.
    """
    gold = [e.intent for e in examples]
    pred = [p[0] for p in predictions]
    n = len(examples)
    accuracy = sum(g == p for g, p in zip(gold, pred)) / n if n else 0.0
    per_intent = {}
    for intent in sorted(set(gold)):
        tp = sum(g == p == intent for g, p in zip(gold, pred))
        fp = sum(p == intent != g for g, p in zip(gold, pred))
        fn = sum(g == intent != p for g, p in zip(gold, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_intent[intent] = (prec, rec, f1, tp + fn)
    macro_f1 = sum(v[2] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0
    confusions = Counter((g, p) for g, p in zip(gold, pred) if g != p).most_common()
    tp = fp = fn = 0
    for example, (_, ents) in zip(examples, predictions):
        g = Counter(x for x in example.entities if x[0] in ENTITY_TYPES)
        p = Counter(x for x in ents if x[0] in ENTITY_TYPES)
        tp += sum((g & p).values())
        fp += sum((p - g).values())
        fn += sum((g - p).values())
    ep = tp / (tp + fp) if tp + fp else 1.0
    er = tp / (tp + fn) if tp + fn else 1.0
    ef = 2 * ep * er / (ep + er) if ep + er else 0.0
    errors = [(e.text, e.intent, p[0]) for e, p in zip(examples, predictions) if e.intent != p[0]]
    return Scores(n, accuracy, macro_f1, ep, er, ef, per_intent, [(g, p, c) for (g, p), c in confusions], errors)


def subsets(examples: list[Example]) -> dict[str, list[int]]:
    """Indexes of the examples in each reported part: all, with diacritics, without, with abbreviations."""
    return {
        "tất cả": list(range(len(examples))),
        "có dấu": [i for i, e in enumerate(examples) if e.has_diacritics],
        "không dấu": [i for i, e in enumerate(examples) if not e.has_diacritics],
        "có viết tắt": [i for i, e in enumerate(examples) if e.has_abbreviation],
    }


def evaluate(examples: list[Example], predict) -> dict[str, Scores]:
    """Scores of ``predict`` (text → (intent, entities)) on each part of ``examples``."""
    predictions = [predict(e.text) for e in examples]
    return {
        name: score([examples[i] for i in idx], [predictions[i] for i in idx])
        for name, idx in subsets(examples).items()
        if idx
    }


def print_summary(title: str, parts: dict[str, Scores], out=sys.stdout) -> None:
    """The summary lines (accuracy, macro-F1, entity F1) of each part."""
    print(f"\n== {title}", file=out)
    print(
        f"{'phần':<14}{'số câu':>8}{'intent acc':>12}{'macro-F1':>10}{'entity P':>10}{'entity R':>10}{'entity F1':>11}",
        file=out,
    )
    for name, s in parts.items():
        print(
            f"{name:<14}{s.n:>8}{s.accuracy:>12.1%}{s.macro_f1:>10.3f}{s.entity_p:>10.3f}{s.entity_r:>10.3f}"
            f"{s.entity_f1:>11.3f}",
            file=out,
        )


def print_details(s: Scores, worst: int = 10, out=sys.stdout) -> None:
    """The per-intent table and the worst confusions."""
    print(f"\n{'intent':<28}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}", file=out)
    for intent, (p, r, f, n) in sorted(s.per_intent.items(), key=lambda kv: kv[1][2]):
        print(f"{intent:<28}{p:>10.3f}{r:>8.3f}{f:>7.3f}{n:>9}", file=out)
    print("\nNhầm lẫn nhiều nhất (đúng → đoán):", file=out)
    for gold, guess, count in s.confusions[:worst]:
        print(f"  {count:>3} × {gold} → {guess}", file=out)


def folds(examples: list[Example], k: int, seed: int = 42) -> list[list[int]]:
    """``k`` folds of example indexes, stratified by intent."""
    import random

    rng = random.Random(seed)
    by_intent: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_intent.setdefault(e.intent, []).append(i)
    out: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for intent in sorted(by_intent):
        idx = by_intent[intent]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[(j + offset) % k].append(i)
        offset += len(idx)
    return out


def train_nlu_model(config: str | Path, data_yaml: str, workdir: Path, name: str) -> tuple[Path, float]:
    """Train an NLU-only model on ``data_yaml`` (Rasa YAML text); its path and the training seconds."""
    from rasa.model_training import train_nlu

    data_file = workdir / f"{name}.yml"
    data_file.write_text(data_yaml, "utf-8")
    start = time.perf_counter()
    model = train_nlu(str(config), str(data_file), str(workdir), fixed_model_name=name, domain=str(paths.DOMAIN))
    return Path(model), time.perf_counter() - start


def cross_validate(
    data_dir: Path = paths.NLU_DATA, config: Path = paths.CONFIG, k: int = 5, out=sys.stdout, raw: dict | None = None
) -> dict[str, Scores]:
    """``k``-fold cross-validation of the NLU pipeline on the training data; scores on the pooled predictions.

    :param raw: when given, filled with the full parse result of each training text (for threshold studies)
    """
    data = load_nlu(data_dir)
    messages = list(data.intent_examples)
    examples = load_examples(data_dir)
    assert len(messages) == len(examples)
    predictions: list = [None] * len(examples)
    with tempfile.TemporaryDirectory(prefix="dvcbot-cv-") as tmp:
        for number, test_idx in enumerate(folds(examples, k), 1):
            test_set = set(test_idx)
            from rasa.shared.nlu.training_data.training_data import TrainingData

            train = TrainingData(
                [m for i, m in enumerate(messages) if i not in test_set],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
            )
            model, seconds = train_nlu_model(config, train.nlu_as_yaml(), Path(tmp), f"fold{number}")
            parser = Parser(model)
            for i in test_idx:
                predictions[i] = parser.predict(examples[i].text)
                if raw is not None:
                    raw[examples[i].text] = parser.last
            print(
                f"  lần {number}/{k}: huấn luyện {seconds:.0f} s trên {len(train.intent_examples)} câu, "
                f"kiểm tra {len(test_idx)} câu",
                file=out,
                flush=True,
            )
    return {
        name: score([examples[i] for i in idx], [predictions[i] for i in idx])
        for name, idx in subsets(examples).items()
        if idx
    }


def report(
    model: str | Path = paths.MODEL,
    heldout: str | Path = HELDOUT,
    folds_: int = 5,
    worst: int = 10,
    errors: bool = False,
    json_path: str | None = None,
    out=sys.stdout,
) -> int:
    """Print the figures of ``model`` on the held-out set and of ``folds_``-fold cross-validation; 0."""
    quiet_rasa()
    examples = load_examples(heldout)
    parts_info = subsets(examples)
    print(
        f"Tập kiểm tra riêng: {heldout} — {len(examples)} câu, {len(parts_info['không dấu'])} không dấu "
        f"({len(parts_info['không dấu']) / len(examples):.0%}), {len(parts_info['có viết tắt'])} có viết tắt "
        f"({len(parts_info['có viết tắt']) / len(examples):.0%})",
        file=out,
    )
    parser = Parser(model)
    held = evaluate(examples, parser.predict)
    print_summary(f"Tập kiểm tra riêng (mô hình {model})", held, out)
    print_details(held["tất cả"], worst, out)
    if errors:
        print("\nCâu sai:", file=out)
        for text, gold, pred in held["tất cả"].errors:
            print(f"  [{gold} → {pred}] {text}", file=out)
    figures = {"heldout": {k: v.as_dict() for k, v in held.items()}}
    if folds_ > 1:
        print(f"\n== Kiểm định chéo {folds_} phần trên dữ liệu huấn luyện ({paths.NLU_DATA})", file=out, flush=True)
        cv = cross_validate(k=folds_, out=out)
        print_summary(f"Kiểm định chéo {folds_} phần", cv, out)
        print_details(cv["tất cả"], worst, out)
        figures["cross_validation"] = {k: v.as_dict() for k, v in cv.items()}
    if json_path:
        Path(json_path).write_text(json.dumps(figures, ensure_ascii=False, indent=2), "utf-8")
    return 0


def iter_texts(examples: Iterable[Example]) -> list[str]:
    """The texts of ``examples``."""
    return [e.text for e in examples]
