"""``dvcbot eval``: NLU quality on the held-out set and by cross-validation (:mod:`bot.evaluation.intents`), or
``dvcbot eval answers``: replies scored against the question bank (:mod:`bot.evaluation.answers`)."""

from __future__ import annotations

import argparse
import sys

from bot.evaluation import answers
from bot.evaluation.intents import HELDOUT, report
from bot.runtime import paths
from bot.runtime.model import sync_knowledge, train
from bot.runtime.stack import rasa_server


def cmd_eval(args: argparse.Namespace) -> int:
    sync_knowledge()
    if not args.no_train and train() != 0:
        print("Huấn luyện mô hình thất bại.", file=sys.stderr)
        return 1
    if args.what == "answers":
        with rasa_server() as url:
            return answers.run(args, url)
    return report(args.model, args.heldout, args.folds, args.worst, args.errors, args.json)


def add_parser(sub) -> None:
    """Register ``dvcbot eval``."""
    p = sub.add_parser("eval", help="đánh giá NLU (intents) hoặc câu trả lời trên bộ câu hỏi (answers)")
    p.add_argument(
        "what",
        nargs="?",
        choices=("intents", "answers"),
        default="intents",
        help="intents: độ chính xác ý định; answers: chấm câu trả lời theo bộ câu hỏi tests/answers",
    )
    p.add_argument("--model", default=str(paths.MODEL), help="mô hình cần đánh giá (mặc định models/dvcbot.tar.gz)")
    p.add_argument("--heldout", default=str(HELDOUT), help="intents: tập kiểm tra riêng (YAML NLU của Rasa)")
    p.add_argument("--folds", type=int, default=5, help="intents: số phần kiểm định chéo (0 để bỏ qua)")
    p.add_argument("--no-train", action="store_true", help="không huấn luyện lại kể cả khi dữ liệu đã đổi")
    p.add_argument("--worst", type=int, default=10, help="intents: số cặp nhầm lẫn in ra")
    p.add_argument("--errors", action="store_true", help="intents: in mọi câu bị đoán sai")
    p.add_argument("--json", help="ghi số liệu ra tệp JSON")
    p.add_argument(
        "--split",
        choices=("dev", "heldout", "all"),
        default="all",
        help="answers: phần của bộ câu hỏi (heldout không bao giờ dùng để tinh chỉnh)",
    )
    p.add_argument("--bank", default=str(answers.BANK), help="answers: thư mục bộ câu hỏi")
    p.add_argument("--failures", action="store_true", help="answers: in các lượt sai (chỉ phần dev)")
    p.add_argument("--show-heldout", action="store_true", help="answers: in cả lượt sai của phần heldout")
    p.set_defaults(func=cmd_eval)
