"""``dvcbot bench load``: simulated citizens talking to the full stack at once, with figures (not a test).

Two ways to load it:

- closed loop (default): ``--users`` citizens, each sends the next message of a realistic script, waits for
  the answer, thinks for a while (``--think``, uniform between half and one and a half times it; ``0`` = no
  pause) and goes on until ``--seconds`` have passed;
- open loop (``--rate R``): messages arrive at random (Poisson, ``R`` a second on average) for ``--seconds``,
  whatever the answers do; each goes to a citizen who is not waiting for an answer.

Two paths (``--via``): ``rest`` posts to Rasa's REST webhook through :class:`bot.rasa_client.RasaClient`
(redaction, REST channel, Rasa, action server, knowledge base; with several workers, each conversation on
its worker); ``telegram`` runs the real Telegram front end (``dvcbot telegram``) on the Bot API emulator
(``tests/emulator``, needs Node) and the citizens write to it there. On the REST path an unanswered message
(Rasa down, timeout, empty reply) is sent again with backoff, as the Telegram front end's retry queue does;
on the Telegram path the front end does that itself. A message is lost when it is still unanswered once the
run has drained; answered twice when Rasa's conversation holds more user messages than were sent in it.

``--workers N`` starts N Rasa workers (Redis lock store, PostgreSQL tracker store). ``--kill NAME`` kills
that process (``rasa``, ``rasa-2``…, ``actions``; SIGKILL) in the middle of the run and restarts it.

In the same run the same load then goes through the same path to a do-nothing echo bot (``--echo-seconds``,
``0`` to skip), so the output shows the ratio to the channel floor.

Printed: messages sent and answered, messages/s sustained, reply latency p50/p95/p99 (from the first send
to the answer, retries included), failed attempts (errors), lost and answered twice, CPU milliseconds per
answered message and peak RSS of each process (from ``/proc``), restart time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.runtime import paths
from bot.runtime.install_key import keyed_id
from bot.runtime.model import ensure_model, sync_knowledge
from bot.runtime.stack import Stack, free_port, rasa_token

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
POLL_WAIT = 1.0  # seconds the emulator holds a read of the bot's messages open when there is none (long poll)
POLL_BATCH = 0.005  # seconds between two reads that found messages: answers arriving together come in one read
TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Figures:
    """What one run measured."""

    users: int
    seconds: float
    think: float
    rate: float | None = None
    via: str = "rest"
    workers: int = 1
    target: str = "dvcbot"
    sent: int = 0
    answered: int = 0
    answered_in_window: int = 0
    answered_twice: int | None = None
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    kill: str | None = None
    kill_at: float | None = None
    recovered_after: float | None = None
    echo: Figures | None = None

    @property
    def lost(self) -> int:
        return self.sent - self.answered

    @property
    def mode(self) -> str:
        return f"open loop {self.rate:g}/s" if self.rate else f"closed loop, think {self.think:g} s"

    @property
    def throughput(self) -> float:
        return self.answered_in_window / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]

    def cpu_ms_per_message(self) -> dict[str, float]:
        """CPU milliseconds per message answered in the window, per process."""
        n = max(1, self.answered_in_window)
        return {name: round(1000 * seconds / n, 1) for name, seconds in self.cpu_s.items()}

    def as_dict(self) -> dict:
        out = {
            "target": self.target,
            "via": self.via,
            "workers": self.workers,
            "mode": "open" if self.rate else "closed",
            "rate": self.rate,
            "users": self.users,
            "seconds": self.seconds,
            "think_s": self.think,
            "sent": self.sent,
            "answered": self.answered,
            "lost": self.lost,
            "answered_twice": self.answered_twice,
            "messages_per_s": round(self.throughput, 2),
            "latency_ms": {f"p{p}": round(1000 * self.percentile(p), 1) for p in (50, 95, 99)},
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "cpu_ms_per_message": self.cpu_ms_per_message(),
            "peak_rss_mb": {k: round(v, 1) for k, v in self.peak_rss_mb.items()},
            "kill": self.kill,
            "kill_at_s": self.kill_at,
            "recovered_after_s": None if self.recovered_after is None else round(self.recovered_after, 1),
        }
        if self.echo is not None:
            out["echo"] = self.echo.as_dict()
            out["ratio_to_echo"] = self.ratios()
        return out

    def ratios(self) -> dict[str, float | None]:
        """This run against the echo bot's: throughput and median latency."""
        if self.echo is None:
            return {}
        echo_tp, echo_p50 = self.echo.throughput, self.echo.percentile(50)
        return {
            "throughput": round(self.throughput / echo_tp, 2) if echo_tp else None,
            "p50_latency": round(self.percentile(50) / echo_p50, 1) if echo_p50 == echo_p50 and echo_p50 else None,
        }

    def report(self) -> str:
        d = self.as_dict()
        twice = "?" if self.answered_twice is None else self.answered_twice
        load = f"rate: {self.rate:g}/s (open loop)" if self.rate else f"users: {self.users}  think: {self.think:g} s"
        lines = [
            f"{self.target} via {self.via}, {self.workers} worker(s), {load}, seconds: {self.seconds:g}",
            f"messages sent: {d['sent']}  answered: {d['answered']}  lost: {d['lost']}  answered twice: {twice}",
            f"messages/s: {d['messages_per_s']}",
            "latency ms: " + "  ".join(f"{k} {v}" for k, v in d["latency_ms"].items()),
            f"errors: {d['errors']}"
            + (
                f"  ({', '.join(f'{k}={v}' for k, v in sorted(self.error_kinds.items()))}; each was retried)"
                if self.errors
                else ""
            ),
            "CPU ms/message: " + "  ".join(f"{k} {v}" for k, v in d["cpu_ms_per_message"].items()),
            "peak RSS MB: " + "  ".join(f"{k} {v}" for k, v in d["peak_rss_mb"].items()),
        ]
        if self.kill:
            back = f"healthy again after {d['recovered_after_s']} s" if self.recovered_after else "not restarted"
            lines.append(f"killed: {self.kill} at {self.kill_at:g} s, {back}")
        if self.echo is not None:
            ratios = self.ratios()
            lines += [
                "-- echo bot, same path, same load --",
                *("   " + line for line in self.echo.report().splitlines()[1:]),
                f"ratio to the echo bot: throughput {ratios['throughput']}  p50 latency {ratios['p50_latency']}×",
            ]
        return "\n".join(lines)


# ---- processes: CPU and memory from /proc -------------------------------------------------------------------
def _peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a running process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                ppid = int(Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _cpu_seconds(pid: int, tree: dict[int, list[int]] | None = None) -> float:
    """User + system CPU seconds of ``pid`` (and, with ``tree``, of its descendants, e.g. PostgreSQL's backends)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TCK
        except (OSError, ValueError, IndexError):
            pass
        if tree is not None:
            todo += tree.get(current, [])
    return total


class Processes:
    """The processes of one run by name (``rasa``, ``front``, ``emulator``…), for CPU and peak memory."""

    def __init__(self) -> None:
        self.pids: dict[str, Callable[[], int | None]] = {"bench": os.getpid}
        self.trees: set[str] = set()  # names whose children count too

    def add(self, name: str, pid: Callable[[], int | None], tree: bool = False) -> None:
        self.pids[name] = pid
        if tree:
            self.trees.add(name)

    def cpu(self) -> dict[str, tuple[int, float]]:
        """Process id and CPU seconds so far of each running process."""
        tree = _children() if self.trees else None
        out = {}
        for name, get in self.pids.items():
            pid = get()
            if pid:
                out[name] = (pid, _cpu_seconds(pid, tree if name in self.trees else None))
        return out

    @staticmethod
    def spent(begin: dict[str, tuple[int, float]], end: dict[str, tuple[int, float]]) -> dict[str, float]:
        """CPU seconds between two :meth:`cpu` readings; a process restarted meanwhile counts from its start."""
        out = {}
        for name, (pid, seconds) in end.items():
            before = begin.get(name)
            out[name] = seconds - before[1] if before and before[0] == pid else seconds
        return out

    def sample_rss(self, figures: Figures) -> None:
        for name, get in self.pids.items():
            pid = get()
            rss = _peak_rss_mb(pid) if pid else None
            if rss is not None:
                figures.peak_rss_mb[name] = max(rss, figures.peak_rss_mb.get(name, 0.0))


# ---- channels: how one message is asked and its answer awaited -----------------------------------------------
class RestChannel:
    """Rasa's REST webhook (one worker or several) through :class:`RasaClient`."""

    name = "rest"

    def __init__(self, url: str, users: int, timeout: float = 30.0):
        self.client = RasaClient(url, timeout=timeout)
        self.client._http = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=users + 10))
        self.run_id = uuid.uuid4().hex[:8]

    def sender(self, user: int) -> str:
        return f"bench-{self.run_id}-{user}"

    async def ask(self, user: int, text: str) -> None:
        """Send and wait for the answer; raise on failure (the caller retries)."""
        await self.client.send(self.sender(user), text)

    async def close(self) -> None:
        await self.client.close()


class TelegramChannel:
    """Citizens writing to a bot on the Bot API emulator; one poller reads every bot message for all of them."""

    name = "telegram"
    retries = False  # the front end has its own retry queue

    def __init__(self, emulator_url: str, token: str, var_dir: str | None = None):
        # lazy: the notes the front end sends before an answer (personal data, busy, late answer)
        from bot.telegram.texts import BUSY_TEXT, LONG_INPUT_TEXT, PRIVACY_NOTE, RETRY_INTRO  # noqa: PLC0415

        self.notes = (PRIVACY_NOTE, LONG_INPUT_TEXT, BUSY_TEXT, RETRY_INTRO.split("{", 1)[0])
        self.http = httpx.AsyncClient(base_url=emulator_url, timeout=30.0, limits=httpx.Limits(max_connections=300))
        self.token = token
        self.var_dir = var_dir
        self.base_id = random.randint(10**8, 9 * 10**8)
        self.waiting: dict[int, asyncio.Future] = {}
        self.extra = 0  # answers that came with no question waiting
        self.deadline: float | None = None  # no answer is awaited past this (monotonic)
        self._poller: asyncio.Task | None = None

    def chat_id(self, user: int) -> int:
        return self.base_id + user

    def sender(self, user: int) -> str:
        return keyed_id(str(self.chat_id(user)), self.var_dir)

    async def _poll(self) -> None:
        while True:
            try:
                resp = await self.http.post("/dvcbotBotMessages", json={"token": self.token, "timeout": POLL_WAIT})
                items = resp.json()["result"]
                for item in items:
                    message = item["message"]
                    if str(message.get("text", "")).startswith(self.notes):
                        continue
                    future = self.waiting.pop(int(message["chat_id"]), None)
                    if future is not None and not future.done():
                        future.set_result(time.monotonic())
                    else:
                        self.extra += 1
            except (httpx.HTTPError, ValueError, KeyError):
                items = None
            # after an error, wait a little before the next read; after messages, let the next few gather
            await asyncio.sleep(POLL_BATCH if items is not None else 0.1)

    async def ask(self, user: int, text: str, timeout: float = 120.0) -> None:
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll())
        chat = self.chat_id(user)
        future = asyncio.get_running_loop().create_future()
        self.waiting[chat] = future
        person = {"id": chat, "is_bot": False, "first_name": "Lan", "username": f"u{chat}"}
        body = {
            "botToken": self.token,
            "from": person,
            "chat": {"id": chat, "type": "private", "first_name": "Lan", "username": f"u{chat}"},
            "date": int(time.time()),
            "text": text,
        }
        resp = await self.http.post("/sendMessage", json=body)
        resp.raise_for_status()
        if self.deadline is not None:
            timeout = max(0.5, min(timeout, self.deadline - time.monotonic()))
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            self.waiting.pop(chat, None)

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await self.http.aclose()


# ---- load: closed and open loop ---------------------------------------------------------------------------------
@dataclass
class _Run:
    figures: Figures
    channel: RestChannel | TelegramChannel
    stop_at: float
    drain_until: float
    sent_by: dict[int, int] = field(default_factory=dict)


async def _message(run: _Run, user: int, text: str) -> None:
    """Send one message and wait for its answer, retrying on the REST path; count it."""
    figures = run.figures
    figures.sent += 1
    run.sent_by[user] = run.sent_by.get(user, 0) + 1
    first = time.monotonic()
    wait = RETRY_FIRST
    while True:
        kind = None
        try:
            await run.channel.ask(user, text)
        except RasaUnavailable as exc:
            kind = type(exc.__cause__).__name__ if exc.__cause__ else "empty reply"
        except Exception as exc:  # anything else is an error of the run, counted, and retried
            kind = type(exc).__name__
        if kind is None:
            done = time.monotonic()
            figures.answered += 1
            figures.answered_in_window += done <= run.stop_at
            figures.latencies.append(done - first)
            return
        figures.errors += 1
        figures.error_kinds[kind] = figures.error_kinds.get(kind, 0) + 1
        if time.monotonic() + wait > run.drain_until or isinstance(run.channel, TelegramChannel):
            return  # lost (on Telegram the front end retried already)
        await asyncio.sleep(wait)
        wait = min(RETRY_MAX, wait * 2)


async def _closed_user(run: _Run, user: int) -> None:
    rng = random.Random(user)
    step = user % len(SCRIPT)
    think = run.figures.think
    await asyncio.sleep(rng.uniform(0, think or 0.2))  # users do not all arrive together
    while time.monotonic() < run.stop_at:
        await _message(run, user, SCRIPT[step % len(SCRIPT)])
        step += 1
        if think:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


async def _open_loop(run: _Run, rate: float) -> None:
    """Poisson arrivals at ``rate`` a second until the end, each for a citizen not waiting for an answer."""
    rng = random.Random(7)
    busy: set[int] = set()
    steps: dict[int, int] = {}
    tasks = []

    async def one(user: int) -> None:
        try:
            await _message(run, user, SCRIPT[steps.get(user, user) % len(SCRIPT)])
            steps[user] = steps.get(user, user) + 1
        finally:
            busy.discard(user)

    next_at = time.monotonic()
    while True:
        next_at += rng.expovariate(rate)
        if next_at >= run.stop_at:
            break
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        user = next(u for u in range(len(busy) + 1) if u not in busy)
        busy.add(user)
        run.figures.users = max(run.figures.users, user + 1)
        tasks.append(asyncio.create_task(one(user)))
    await asyncio.gather(*tasks)


async def _conversation_counts(stack: Stack, senders: list[str]) -> dict[str, int]:
    """User messages Rasa holds per conversation (through the HTTP API of a worker that is up)."""
    counts = {}
    async with httpx.AsyncClient(timeout=30) as http:
        for sender in senders:
            for name in stack.rasa_ports:
                if not stack.alive(name):
                    continue
                try:
                    resp = await http.get(
                        f"{stack.worker_url(name)}/conversations/{sender}/tracker",
                        params={"token": rasa_token(), "include_events": "ALL"},
                    )
                    events = resp.json().get("events") or []
                    counts[sender] = sum(1 for e in events if e.get("event") == "user")
                    break
                except (httpx.HTTPError, ValueError):
                    continue
    return counts


async def drive(
    url: str | None,
    users: int,
    seconds: float,
    think: float,
    stack: Stack | None = None,
    kill: str | None = None,
    kill_at: float | None = None,
    drain: float = 90.0,
    timeout: float = 30.0,
    rate: float | None = None,
    channel: RestChannel | TelegramChannel | None = None,
    processes: Processes | None = None,
    target: str = "dvcbot",
    restart: bool = True,
) -> Figures:
    """Load the assistant for ``seconds``: ``users`` citizens in a closed loop, or ``rate`` messages/s open loop.

    :param url: Rasa's URL (several workers: comma-separated) for the REST path, when ``channel`` is not given
    :param stack: the :class:`bot.runtime.stack.Stack` behind it (RSS, CPU, ``kill``, answered twice), or ``None``
    :param kill: ``rasa``, ``rasa-2``… or ``actions``: kill that process at ``kill_at`` seconds and restart it
    :param drain: seconds allowed after the end for answers still owed (retries included)
    :param channel: the path (default the REST webhook at ``url``)
    :param processes: the processes to measure (default the bench and the stack's)
    :param restart: restart the killed process (else it stays dead, as a machine that is gone)
    """
    channel = channel or RestChannel(url or "", users, timeout)
    figures = Figures(
        users=0 if rate else users,
        seconds=seconds,
        think=think,
        rate=rate,
        via=channel.name,
        workers=len(stack.rasa_ports) if stack is not None else 1,
        kill=kill,
        target=target,
    )
    if processes is None:
        processes = Processes()
        if stack is not None:
            for name in stack.names:
                processes.add(name, functools.partial(stack.pid, name))
    begin = time.monotonic()
    run = _Run(figures, channel, begin + seconds, begin + seconds + drain)
    if isinstance(channel, TelegramChannel):
        channel.deadline = run.drain_until
    done = asyncio.Event()
    cpu_begin = processes.cpu()

    async def sample() -> None:
        cpu_end = None
        while not done.is_set():
            processes.sample_rss(figures)
            if cpu_end is None and time.monotonic() >= run.stop_at:
                cpu_end = processes.cpu()
                figures.cpu_s = Processes.spent(cpu_begin, cpu_end)
            try:
                await asyncio.wait_for(done.wait(), 0.25)
            except asyncio.TimeoutError:
                pass
        if cpu_end is None:
            figures.cpu_s = Processes.spent(cpu_begin, processes.cpu())

    async def killer() -> None:
        assert stack is not None and kill is not None
        figures.kill_at = kill_at if kill_at is not None else seconds / 2
        await asyncio.sleep(figures.kill_at)
        stack.kill(kill)
        killed = time.monotonic()
        if restart:
            await asyncio.to_thread(stack.restart, kill)
            figures.recovered_after = time.monotonic() - killed

    tasks = [asyncio.create_task(sample())]
    if kill:
        tasks.append(asyncio.create_task(killer()))
    try:
        if rate:
            await _open_loop(run, rate)
        else:
            await asyncio.gather(*(_closed_user(run, n) for n in range(users)))
        if kill:
            await tasks[1]
    finally:
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    if stack is not None and target == "dvcbot":
        counts = await _conversation_counts(stack, [channel.sender(u) for u in run.sent_by])
        if len(counts) == len(run.sent_by):
            figures.answered_twice = sum(max(0, counts[channel.sender(u)] - sent) for u, sent in run.sent_by.items())
    if isinstance(channel, TelegramChannel) and target == "echo":
        figures.answered_twice = channel.extra
    await channel.close()
    return figures


# ---- the run: stack, front end, emulator, echo bot ----------------------------------------------------------------
WARM_UP = ("xin chào", "lệ phí đăng ký thường trú ở Nghệ An", "cần giấy tờ gì")


async def warm_up(stack: Stack) -> None:
    """A few messages to each worker before measuring: a worker's first answers take seconds (models warming up)."""
    for name in stack.rasa_ports:
        client = RasaClient(stack.worker_url(name), timeout=120)
        try:
            for text in WARM_UP:
                await client.send(f"warm-up-{name}", text)
        finally:
            await client.close()


def _spawn(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            args,
            cwd=paths.ROOT,
            env={**paths.env(), **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{proc.args!r} stopped (exit {proc.returncode})")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in {timeout:.0f} s")


async def _wait_bot(emulator_url: str, token: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Wait until the bot ``token`` answers a first message on the emulator (it polls and Rasa is there)."""
    channel = TelegramChannel(emulator_url, token)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"the bot stopped (exit {proc.returncode})")
            try:
                await channel.ask(10**7, "xin chào", timeout=5)
                return
            except (asyncio.TimeoutError, httpx.HTTPError):
                continue
        raise SystemExit(f"the bot did not answer within {timeout:.0f} s")
    finally:
        await channel.close()


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
    rate: float | None = None,
    via: str = "rest",
    workers: int = 1,
    echo_seconds: float | None = None,
    table: bool = False,
) -> int:
    """Load a running Rasa (``rasa_url``) or a stack of its own through ``via``, then an echo bot; print figures.

    :param table: measure both modes (closed loop with ``think``, open loop at ``rate``, default 20/s) for 1
        and 2 workers, and the echo bot in both modes, in this one run; print them as a table
    """
    if kill and (rasa_url or table):
        raise SystemExit("--kill cần hệ thống do bench tự khởi động, một cấu hình (bỏ --rasa-url, --table).")
    echo_seconds = min(seconds, 30.0) if echo_seconds is None else echo_seconds
    modes = [None, rate or 20.0] if table else [rate]
    configs = [1, 2] if table else [workers]
    emulator = None
    tmp = tempfile.TemporaryDirectory(prefix="dvcbot-bench-")
    results: list[Figures] = []
    echoes: list[Figures] = []
    try:
        if via == "telegram":
            from bot.bench.emulator import Emulator  # noqa: PLC0415  (the telegram path only)

            emulator = Emulator().start()
        for count in configs:
            var = Path(tmp.name) / f"workers-{count}"
            results += _dvcbot_runs(
                via, count, modes, users, seconds, think, var, emulator, rasa_url, tracker, kill, kill_at, drain
            )
        if echo_seconds > 0:
            echoes = [_echo_run(via, users, echo_seconds, think, mode, emulator) for mode in modes]
    finally:
        if emulator is not None:
            emulator.stop()
        tmp.cleanup()
    for figures in results:
        figures.echo = next((e for e in echoes if e.rate == figures.rate), None)
    if as_json:
        for figures in results:
            print(json.dumps(figures.as_dict(), ensure_ascii=False))
    elif table:
        print("\n\n".join(f.report() for f in results))
        print()
        print(markdown_table(results))
    else:
        print(results[0].report())
    return 0


def markdown_table(results: list[Figures]) -> str:
    """The runs as one Markdown table (Vietnamese headers, for the README)."""
    lines = [
        "| chế độ | worker | tin/s trả lời | p50 ms | p95 ms | p99 ms | mất | trả lời 2 lần | lỗi "
        "| CPU ms/tin (front · Rasa · action) | RSS tối đa Rasa MB | bot echo: tin/s, p50 ms | so với echo |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in results:
        cpu = f.cpu_ms_per_message()
        rasa_cpu = sum(v for k, v in cpu.items() if k.startswith("rasa"))
        rasa_rss = max((v for k, v in f.peak_rss_mb.items() if k.startswith("rasa")), default=0.0)
        front = cpu.get("front", cpu.get("bench", 0.0))
        mode = f"vòng hở {f.rate:g} tin/s" if f.rate else f"vòng kín {f.users} người, nghỉ {f.think:g} s"
        echo = f"{f.echo.throughput:.1f}, {1000 * f.echo.percentile(50):.0f}" if f.echo else "–"
        ratio = f.ratios()
        versus = (
            f"{ratio['throughput']} × tin/s, {ratio['p50_latency']} × p50"
            if f.echo and not f.rate
            else (f"{ratio['p50_latency']} × p50" if f.echo else "–")
        )
        lines.append(
            f"| {mode} | {f.workers} | {f.throughput:.1f} | {1000 * f.percentile(50):.0f} | "
            f"{1000 * f.percentile(95):.0f} | {1000 * f.percentile(99):.0f} | {f.lost} | "
            f"{'?' if f.answered_twice is None else f.answered_twice} | {f.errors} | "
            f"{front:.0f} · {rasa_cpu:.0f} · {cpu.get('actions', 0.0):.0f} | {rasa_rss:.0f} | {echo} | {versus} |"
        )
    return "\n".join(lines)


def _dvcbot_runs(
    via: str,
    workers: int,
    modes: list[float | None],
    users: int,
    seconds: float,
    think: float,
    var: Path,
    emulator,
    rasa_url: str | None,
    tracker: str | None,
    kill: str | None,
    kill_at: float | None,
    drain: float,
) -> list[Figures]:
    """One stack (and front end) of ``workers`` workers, loaded in each of ``modes`` (``None`` = closed loop)."""
    stack = front = None
    var.mkdir(parents=True, exist_ok=True)
    processes = Processes()
    results = []
    try:
        if rasa_url:
            url = rasa_url
        else:
            sync_knowledge()
            ensure_model()
            print(f"Đang khởi động {workers} worker Rasa và máy chủ action…", file=sys.stderr)
            default_tracker = None if workers > 1 else f"sqlite:///{var / 'tracker.db'}"
            stack = Stack(tracker_url=tracker or default_tracker, supervise=False, workers=workers).start(timeout=900)
            url = stack.client_url
            for name in stack.names:
                processes.add(name, functools.partial(stack.pid, name))
            for server in stack.services.started if stack.services else []:
                processes.add(server.name, server.pid, tree=True)
            asyncio.run(warm_up(stack))
        token = f"123456:{uuid.uuid4().hex}"
        if via == "telegram":
            processes.add("emulator", lambda: emulator.pid)
            front = _spawn(
                [paths.front_python(), "-m", "bot.cli", "telegram"],  # the bot runs on the front environment
                paths.LOGS / "bench-front.log",
                env={
                    "TELEGRAM_BOT_TOKEN": token,
                    "TELEGRAM_API_URL": emulator.bot_api_url,
                    "DVCBOT_RASA_URL": url,
                    "DVCBOT_VAR_DIR": str(var),
                },
            )
            asyncio.run(_wait_bot(emulator.url, token, front))
            processes.add("front", lambda: front.pid)
        for mode in modes:
            channel: RestChannel | TelegramChannel = (
                TelegramChannel(emulator.url, token, var_dir=str(var)) if via == "telegram" else RestChannel(url, users)
            )
            load = f"{mode:g} tin/s" if mode else f"{users} người dùng"
            print(f"{workers} worker: tải {load} trong {seconds:g} s…", file=sys.stderr)
            results.append(
                asyncio.run(
                    drive(
                        url,
                        users,
                        seconds,
                        think,
                        stack=stack,
                        kill=kill,
                        kill_at=kill_at,
                        drain=drain,
                        rate=mode,
                        channel=channel,
                        processes=processes,
                    )
                )
            )
    finally:
        _stop(front)
        if stack is not None:
            stack.stop()
    return results


def _echo_run(via: str, users: int, seconds: float, think: float, rate: float | None, emulator) -> Figures:
    """The same load through the same path to a do-nothing echo bot."""
    print(f"Cùng tải qua cùng đường tới bot echo trong {seconds:g} s…", file=sys.stderr)
    processes = Processes()
    proc = None
    try:
        if via == "telegram":
            token = f"654321:{uuid.uuid4().hex}"
            proc = _spawn(
                [paths.front_python(), "-m", "bot.bench.echo", "telegram", token, emulator.bot_api_url],
                paths.LOGS / "bench-echo.log",
            )
            asyncio.run(_wait_bot(emulator.url, token, proc))
            processes.add("emulator", lambda: emulator.pid)
            channel: RestChannel | TelegramChannel = TelegramChannel(emulator.url, token)
            url = None
        else:
            port = free_port()
            proc = _spawn([sys.executable, "-m", "bot.bench.echo", "rest", str(port)], paths.LOGS / "bench-echo.log")
            url = f"http://127.0.0.1:{port}"
            _wait_http(f"{url}/status", proc=proc)
            channel = RestChannel(url, users)
        processes.add("echo", lambda: proc.pid if proc else None)
        return asyncio.run(
            drive(url, users, seconds, think, rate=rate, channel=channel, processes=processes, target="echo", drain=30)
        )
    finally:
        _stop(proc)
