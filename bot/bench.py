"""``dvcbot bench …``: benchmarks that print figures (never timed tests).

``bench nlu`` lives in :mod:`bot.bench_nlu`, ``bench load`` in :mod:`bot.bench_load`.
"""

from __future__ import annotations

import importlib


def add_parser(sub) -> None:
    """Register ``dvcbot bench`` and its subcommands."""
    bench = sub.add_parser("bench", help="đo hiệu năng (in số liệu)")
    bs = bench.add_subparsers(dest="bench_command", required=True)
    for name in ("nlu", "load"):
        module = importlib.import_module(f"bot.bench_{name}")
        module.add_parser(bs)
