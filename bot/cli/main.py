"""The ``dvcbot`` command: argument wiring only; the work is done in :mod:`bot.runtime`, :mod:`bot.telegram`,
:mod:`bot.evaluation`, :mod:`bot.bench` and :mod:`knowledge`.

Subcommands: ``run``, ``chat``, ``ask``, ``telegram``, ``train`` (:mod:`bot.cli.run`), ``kb …``
(:mod:`bot.cli.kb`), ``eval`` (:mod:`bot.cli.eval`), ``bench …`` (:mod:`bot.cli.bench`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot.cli import bench, kb, run, staff  # noqa: E402
from bot.cli import eval as eval_cli
from bot.runtime import progress  # noqa: E402
from knowledge.content_files import ContentError  # noqa: E402
from knowledge.schema import InvalidEntry  # noqa: E402


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not verbose:
        progress.quiet_warnings()


def build_parser() -> argparse.ArgumentParser:
    """The parser of every ``dvcbot`` subcommand."""
    parser = argparse.ArgumentParser(prog="dvcbot", description="Trợ lý Dịch vụ công")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết ra stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    run.add_parsers(sub)
    kb.add_parser(sub)
    eval_cli.add_parser(sub)
    bench.add_parser(sub)
    staff.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``dvcbot`` with ``argv`` (default the command line); the exit code."""
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args) or 0
    except (ContentError, InvalidEntry, sqlite3.DatabaseError) as exc:
        # broken content or knowledge base: one clear line, not a traceback
        detail = "; ".join(f"{e}: {f}: {m}" for e, f, m in exc.errors[:3]) if isinstance(exc, InvalidEntry) else exc
        print(
            f"✗ Không dùng được cơ sở tri thức: {detail}. Sửa tệp nội dung (xem `dvcbot kb validate`) "
            "hoặc khôi phục bằng `dvcbot kb restore TỆP_SAO_LƯU`.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
