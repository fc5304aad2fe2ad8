"""The trained model (models/dvcbot.tar.gz, trained by `make test`) on the held-out set tests/nlu/heldout.yml.

The threshold is the accuracy `dvcbot eval` measured when the pipeline was chosen (see README, "Chất lượng")
minus 2 points; model choices are made by cross-validation on nlu_data/, never on this set.
"""

import pytest

from bot.evaluation.intents import HELDOUT, Parser, evaluate, load_examples
from bot.runtime import paths

MEASURED_ACCURACY = 0.964  # `dvcbot eval`, November 2026 (README, "Chất lượng")
THRESHOLD = MEASURED_ACCURACY - 0.02


@pytest.fixture(scope="module")
def heldout_scores(content_kb_file):
    if not paths.MODEL.exists():
        pytest.fail(f"no trained model at {paths.MODEL}: run `make test` (it trains when needed)")
    mp = pytest.MonkeyPatch()
    mp.setenv("DVCBOT_KB_PATH", str(content_kb_file))
    try:
        parser = Parser(paths.MODEL)
        yield evaluate(load_examples(HELDOUT), parser.predict)
    finally:
        mp.undo()


def test_heldout_set_is_what_it_claims():
    examples = load_examples(HELDOUT)
    assert len(examples) >= 300
    assert sum(not e.has_diacritics for e in examples) >= 0.30 * len(examples)
    assert sum(e.has_abbreviation for e in examples) >= 0.10 * len(examples)


@pytest.mark.stack
def test_intent_accuracy_does_not_drop(heldout_scores):
    accuracy = heldout_scores["tất cả"].accuracy
    assert accuracy >= THRESHOLD, (
        f"held-out intent accuracy {accuracy:.1%} < {THRESHOLD:.1%}; errors: {heldout_scores['tất cả'].errors[:20]}"
    )
