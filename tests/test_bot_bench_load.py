"""``dvcbot bench load`` runs and prints its figures (tiny runs; the benchmark itself is not a timed test)."""

import asyncio
import json

import pytest

from bot.bench.load import drive


def test_drive_answers_every_message(rasa_url):
    figures = asyncio.run(drive(rasa_url, users=2, seconds=3, think=0.2))
    assert figures.sent > 0
    assert figures.sent == figures.answered and 0 == figures.lost
    assert figures.latencies and figures.percentile(50) <= figures.percentile(99)
    assert "bench" in figures.peak_rss_mb


def test_cli_prints_the_figures(run_dvcbot, rasa_url):
    result = run_dvcbot(["bench", "load", "--users", "3", "--seconds", "3", "--think", "0.3", "--rasa-url", rasa_url])
    assert 0 == result.returncode, result.stderr[-2000:]
    for label in ("messages/s:", "latency ms: p50", "p95", "p99", "errors:", "lost:", "peak RSS MB:"):
        assert label in result.stdout


@pytest.mark.stack
def test_kill_in_the_middle_loses_nothing(run_dvcbot):
    """Its own stack: the action server is killed after 2 s and restarted; every message is answered once."""
    result = run_dvcbot(
        [
            "bench",
            "load",
            "--users",
            "2",
            "--seconds",
            "5",
            "--think",
            "0.3",
            "--kill",
            "actions",
            "--kill-at",
            "2",
            "--json",
        ]
    )
    assert 0 == result.returncode, result.stderr[-2000:]
    figures = json.loads(result.stdout.splitlines()[-1])
    assert "actions" == figures["kill"] and figures["recovered_after_s"] is not None
    assert figures["sent"] > 0 and 0 == figures["lost"] and figures["sent"] == figures["answered"]
    assert {"rasa", "actions", "bench"} <= set(figures["peak_rss_mb"])
