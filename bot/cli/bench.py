"""``dvcbot bench nlu | load | check``: benchmarks that print figures (never timed tests); the work is in
:mod:`bot.bench.nlu` and :mod:`bot.bench.load`."""

from __future__ import annotations

import argparse
import os

from bot.bench import load, nlu
from bot.evaluation.intents import HELDOUT
from bot.runtime.model import sync_knowledge


def cmd_nlu(args: argparse.Namespace) -> int:
    sync_knowledge()
    return nlu.measure(args.heldout, args.repeat, args.full)


def cmd_load(args: argparse.Namespace) -> int:
    return load.run(
        args.users,
        args.seconds,
        args.think,
        args.kill,
        args.kill_at,
        args.drain,
        args.rasa_url,
        args.tracker,
        args.json,
        rate=args.rate,
        via=args.via,
        workers=args.workers,
        echo_seconds=args.echo_seconds,
        table=args.table,
    )


def cmd_check(args: argparse.Namespace) -> int:
    from bot.bench import publish_check  # lazy: the answer functions are not needed by the other benchmarks
    from bot.runtime.stack import rasa_server

    with rasa_server() as url:
        return publish_check.run(url, args.entry)


def add_parser(sub) -> None:
    """Register ``dvcbot bench`` and its subcommands."""
    bench = sub.add_parser("bench", help="đo hiệu năng (in số liệu)")
    bs = bench.add_subparsers(dest="bench_command", required=True)
    p = bs.add_parser("nlu", help="thời gian phân tích NLU và huấn luyện, có và không có tách từ tiếng Việt")
    p.add_argument("--heldout", default=str(HELDOUT), help="các câu dùng để đo (mặc định tập kiểm tra riêng)")
    p.add_argument("--repeat", type=int, default=1, help="phân tích mỗi câu bao nhiêu lần")
    p.add_argument("--full", action="store_true", help="đo thêm thời gian huấn luyện đầy đủ (NLU + hội thoại)")
    p.set_defaults(func=cmd_nlu)

    p = bs.add_parser(
        "load",
        help="tải nhiều người dùng giả lập qua toàn bộ hệ thống",
        description=load.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--users", type=int, default=50, help="số người dùng cùng lúc (mặc định 50)")
    p.add_argument("--seconds", type=float, default=60.0, help="thời gian gửi tin (mặc định 60)")
    p.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="thời gian suy nghĩ trung bình giữa hai tin của một người, giây (mặc định 2; 0 = liên tục)",
    )
    p.add_argument(
        "--rate",
        type=float,
        help="vòng hở: trung bình bấy nhiêu tin mỗi giây đến ngẫu nhiên (Poisson), không chờ trả lời",
    )
    p.add_argument(
        "--via",
        choices=("rest", "telegram"),
        default="rest",
        help="đường đi: rest (REST webhook của Rasa) hoặc telegram (front end thật trên trình giả lập, cần Node)",
    )
    p.add_argument("--workers", type=int, default=1, help="số worker Rasa (từ 2: Redis và PostgreSQL; mặc định 1)")
    p.add_argument(
        "--echo-seconds",
        type=float,
        help="giây chạy cùng tải tới bot echo không làm gì (sàn của kênh; mặc định min(--seconds, 30); 0 = bỏ)",
    )
    p.add_argument(
        "--kill",
        choices=("rasa", "actions", *(f"rasa-{n}" for n in range(2, 9))),
        help="giết tiến trình này giữa chừng rồi khởi động lại (rasa-2… là worker thứ hai…)",
    )
    p.add_argument("--kill-at", type=float, help="giây thứ mấy thì giết (mặc định giữa chừng)")
    p.add_argument("--drain", type=float, default=90.0, help="giây chờ các câu trả lời còn nợ sau khi dừng gửi")
    p.add_argument(
        "--rasa-url",
        default=os.environ.get("DVCBOT_RASA_URL"),
        help="dùng máy chủ Rasa đang chạy (mặc định: tự khởi động một hệ thống riêng)",
    )
    p.add_argument("--tracker", help="tracker store cho hệ thống riêng (mặc định SQLite tạm; 'memory' để so sánh)")
    p.add_argument(
        "--table",
        action="store_true",
        help="đo cả hai chế độ (vòng kín, vòng hở --rate, mặc định 20 tin/s) với 1 và 2 worker và bot echo trong "
        "một lần chạy, in bảng Markdown",
    )
    p.add_argument("--json", action="store_true", help="in số liệu dạng JSON")
    p.set_defaults(func=cmd_load)

    p = bs.add_parser("check", help="thời gian kiểm tra trước khi xuất bản của trang cán bộ (toàn bộ bộ câu hỏi)")
    p.add_argument("--entry", default="fee_thuong_tru_tt75", help="mục được sửa thử (không ghi gì)")
    p.set_defaults(func=cmd_check)
