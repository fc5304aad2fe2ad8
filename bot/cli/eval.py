"""``dvcbot eval``: NLU quality on the held-out set and by cross-validation (:mod:`bot.evaluation.intents`)."""

from __future__ import annotations

import argparse
import sys

from bot.evaluation.intents import HELDOUT, report
from bot.runtime import paths
from bot.runtime.model import sync_knowledge, train


def cmd_eval(args: argparse.Namespace) -> int:
    sync_knowledge()
    if not args.no_train and train() != 0:
        print("Huấn luyện mô hình thất bại.", file=sys.stderr)
        return 1
    return report(args.model, args.heldout, args.folds, args.worst, args.errors, args.json)


def add_parser(sub) -> None:
    """Register ``dvcbot eval``."""
    p = sub.add_parser("eval", help="đánh giá NLU trên tập kiểm tra riêng và kiểm định chéo")
    p.add_argument("--model", default=str(paths.MODEL), help="mô hình cần đánh giá (mặc định models/dvcbot.tar.gz)")
    p.add_argument("--heldout", default=str(HELDOUT), help="tập kiểm tra riêng (YAML NLU của Rasa)")
    p.add_argument("--folds", type=int, default=5, help="số phần kiểm định chéo (0 để bỏ qua)")
    p.add_argument("--no-train", action="store_true", help="không huấn luyện lại kể cả khi dữ liệu đã đổi")
    p.add_argument("--worst", type=int, default=10, help="số cặp nhầm lẫn in ra")
    p.add_argument("--errors", action="store_true", help="in mọi câu bị đoán sai")
    p.add_argument("--json", help="ghi số liệu ra tệp JSON")
    p.set_defaults(func=cmd_eval)
