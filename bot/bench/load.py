"""``dvcbot bench load``: simulated citizens talking to the full stack at once, with figures (not a test).

Each simulated user is a conversation of its own: it sends the next message of a realistic script through
:class:`bot.rasa_client.RasaClient` (the same path as every front end: redaction, REST channel, Rasa,
action server, knowledge base), waits for the reply, thinks for a while (``--think``, uniform between half
and one and a half times it) and goes on until ``--seconds`` have passed. A message that is not answered
(Rasa down or busy, timeout, empty reply because the action server is down) is sent again with backoff,
as the Telegram front end's retry queue does; it counts as lost only when it is still unanswered once the
run has drained.

``--kill rasa`` or ``--kill actions`` kills that process (SIGKILL) in the middle of the run and restarts it.

Printed: messages sent and answered, messages/s sustained, reply latency p50/p95/p99 (from the first send
to the answer, retries included), failed attempts (errors), lost messages, restart time, peak RSS of each
process.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.runtime.model import ensure_model, sync_knowledge
from bot.runtime.stack import Stack

# A conversation as citizens hold it: greeting, fees in context, activation, OTP trouble, scam, personal data.
SCRIPT = [
    "xin chào",
    "lệ phí đăng ký thường trú bao nhiêu",
    "ở Nghệ An thì sao?",
    "cần giấy tờ gì",
    "kích hoạt tài khoản định danh điện tử mức 2 như thế nào",
    "không nhận được mã OTP",
    "có người gọi điện xưng công an bảo cài app VNeID qua link",
    "số cccd của tôi là 001203012345",
    "nộp hồ sơ online ở Lâm Đồng có được giảm phí không",
    "lệ phí bao nhiêu vậy",
    "tạm trú",
    "cảm ơn",
]
RETRY_FIRST, RETRY_MAX = 0.5, 4.0  # seconds between attempts for one message (doubling)


@dataclass
class Figures:
    """What one run measured."""

    users: int
    seconds: float
    think: float
    sent: int = 0
    answered: int = 0
    answered_in_window: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    kill: str | None = None
    kill_at: float | None = None
    recovered_after: float | None = None

    @property
    def lost(self) -> int:
        return self.sent - self.answered

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]

    def as_dict(self) -> dict:
        return {
            "users": self.users,
            "seconds": self.seconds,
            "think_s": self.think,
            "sent": self.sent,
            "answered": self.answered,
            "lost": self.lost,
            "messages_per_s": round(self.answered_in_window / self.seconds, 2),
            "latency_ms": {f"p{p}": round(1000 * self.percentile(p), 1) for p in (50, 95, 99)},
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "duplicates": 0,
            "peak_rss_mb": {k: round(v, 1) for k, v in self.peak_rss_mb.items()},
            "kill": self.kill,
            "kill_at_s": self.kill_at,
            "recovered_after_s": None if self.recovered_after is None else round(self.recovered_after, 1),
        }

    def report(self) -> str:
        d = self.as_dict()
        lines = [
            f"users: {d['users']}  seconds: {d['seconds']:g}  think: {d['think_s']:g} s",
            f"messages sent: {d['sent']}  answered: {d['answered']}  lost: {d['lost']}  answered twice: 0",
            f"messages/s: {d['messages_per_s']}",
            "latency ms: " + "  ".join(f"{k} {v}" for k, v in d["latency_ms"].items()),
            f"errors: {d['errors']}"
            + (
                f"  ({', '.join(f'{k}={v}' for k, v in sorted(self.error_kinds.items()))}; each was retried)"
                if self.errors
                else ""
            ),
            "peak RSS MB: " + "  ".join(f"{k} {v}" for k, v in d["peak_rss_mb"].items()),
        ]
        if self.kill:
            lines.append(f"killed: {self.kill} at {self.kill_at:g} s, healthy again after {d['recovered_after_s']} s")
        return "\n".join(lines)


def _peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a running process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


async def _user(number: int, client, figures: Figures, stop_at: float, drain_until: float, run_id: str) -> None:
    rng = random.Random(number)
    sender = f"bench-{run_id}-{number}"
    step = number % len(SCRIPT)
    await asyncio.sleep(rng.uniform(0, figures.think or 0.2))  # users do not all arrive together
    while time.monotonic() < stop_at:
        text = SCRIPT[step % len(SCRIPT)]
        step += 1
        figures.sent += 1
        first = time.monotonic()
        wait = RETRY_FIRST
        while True:
            kind = None
            try:
                await client.send(sender, text)
            except RasaUnavailable as exc:
                kind = type(exc.__cause__).__name__ if exc.__cause__ else "empty reply"
            except Exception as exc:  # anything else is an error of the run, counted, and retried
                kind = type(exc).__name__
            if kind is None:
                done = time.monotonic()
                figures.answered += 1
                figures.answered_in_window += done <= stop_at
                figures.latencies.append(done - first)
                break
            figures.errors += 1
            figures.error_kinds[kind] = figures.error_kinds.get(kind, 0) + 1
            if time.monotonic() + wait > drain_until:
                return  # lost
            await asyncio.sleep(wait)
            wait = min(RETRY_MAX, wait * 2)
        if figures.think:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * figures.think)


async def drive(
    url: str,
    users: int,
    seconds: float,
    think: float,
    stack=None,
    kill: str | None = None,
    kill_at: float | None = None,
    drain: float = 90.0,
    timeout: float = 30.0,
) -> Figures:
    """Run ``users`` simulated users against the Rasa server at ``url`` for ``seconds``.

    :param stack: the :class:`bot.runtime.stack.Stack` behind ``url`` (for RSS and ``kill``), or ``None``
    :param kill: ``rasa`` or ``actions``: kill that process at ``kill_at`` seconds and restart it
    :param drain: seconds allowed after the end for answers still owed (retries included)
    """
    figures = Figures(users=users, seconds=seconds, think=think, kill=kill)
    client = RasaClient(url, timeout=timeout)
    client._http = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=users + 10))
    run_id = f"{os.getpid()}-{int(time.time())}"
    begin = time.monotonic()
    stop_at, drain_until = begin + seconds, begin + seconds + drain
    done = asyncio.Event()

    async def sample_rss() -> None:
        while not done.is_set():
            pids = {"bench": os.getpid()}
            if stack is not None:
                pids.update({name: stack.pid(name) for name in ("rasa", "actions")})
            for name, pid in pids.items():
                rss = _peak_rss_mb(pid) if pid else None
                if rss is not None:
                    figures.peak_rss_mb[name] = max(rss, figures.peak_rss_mb.get(name, 0.0))
            try:
                await asyncio.wait_for(done.wait(), 0.5)
            except asyncio.TimeoutError:
                pass

    async def killer() -> None:
        figures.kill_at = kill_at if kill_at is not None else seconds / 2
        await asyncio.sleep(figures.kill_at)
        stack.kill(kill)
        killed = time.monotonic()
        await asyncio.to_thread(stack.restart, kill)
        figures.recovered_after = time.monotonic() - killed

    tasks = [asyncio.create_task(sample_rss())]
    if kill:
        tasks.append(asyncio.create_task(killer()))
    try:
        await asyncio.gather(*(_user(n, client, figures, stop_at, drain_until, run_id) for n in range(users)))
        if kill:
            await tasks[1]
    finally:
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await client.close()
    figures.peak_rss_mb["bench"] = max(
        figures.peak_rss_mb.get("bench", 0.0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    return figures


def run(
    users: int = 50,
    seconds: float = 60.0,
    think: float = 2.0,
    kill: str | None = None,
    kill_at: float | None = None,
    drain: float = 90.0,
    rasa_url: str | None = None,
    tracker: str | None = None,
    as_json: bool = False,
) -> int:
    """Drive ``users`` simulated users through a running Rasa (``rasa_url``) or a stack of its own; print figures."""
    if kill and rasa_url:
        raise SystemExit("--kill cần hệ thống do bench tự khởi động (bỏ --rasa-url).")
    stack = None
    tmp = tempfile.TemporaryDirectory(prefix="dvcbot-bench-")
    try:
        if rasa_url:
            url = rasa_url
        else:
            sync_knowledge()
            ensure_model()
            print("Đang khởi động Rasa và máy chủ action…", file=sys.stderr)
            stack = Stack(tracker_url=tracker or f"sqlite:///{Path(tmp.name) / 'tracker.db'}", supervise=False).start()
            url = stack.rasa_url
        print(f"Chạy {users} người dùng trong {seconds:g} s…", file=sys.stderr)
        figures = asyncio.run(drive(url, users, seconds, think, stack=stack, kill=kill, kill_at=kill_at, drain=drain))
    finally:
        if stack is not None:
            stack.stop()
        tmp.cleanup()
    print(json.dumps(figures.as_dict(), ensure_ascii=False) if as_json else figures.report())
    return 0
