"""The live NLU model: when it was trained and on which knowledge revision; retrain in the background, switch
the running bot to the new model only when it trained and passed the question-bank check, restore the previous
model in one step.

Training and the candidate's check run in child processes with the Python that has Rasa
(:func:`bot.runtime.paths.rasa_python`: ``.venv``, or ``$DVCBOT_RASA_PYTHON``): the staff page itself never imports
Rasa and runs on the front environment. The candidate is served by
a temporary Rasa on loopback for its parses; the bank is answered locally for both models (as the check before
publish does) and scored as ``dvcbot eval answers`` scores. The running Rasa loads a model with ``PUT /model``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import shutil
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.evaluation.answers import BANK, load_bank, score_turn
from bot.runtime import paths
from bot.runtime.model import meta_path
from bot.runtime.rasa_main import TOKEN_ENV
from bot.staff.check import Context, answer
from bot.staff.nlu import Parser
from bot.staff.pages import KB
from bot.staff.web import render
from knowledge.retrieval import Retriever
from knowledge.store import KnowledgeBase

MANAGER: web.AppKey[ModelManager] = web.AppKey("models", object)  # type: ignore[arg-type]
TOLERANCE = 0.02  # the candidate may score this much below the live model (training is not deterministic)


def read_meta(model: Path) -> dict:
    """What is known of a model archive: its file time, and the sidecar written when the staff page trained it."""
    if not model.exists():
        return {}
    meta = {"file_time": dt.datetime.fromtimestamp(model.stat().st_mtime, dt.timezone.utc).isoformat()}
    try:
        meta.update(json.loads(meta_path(model).read_text("utf-8")))
    except (OSError, ValueError):
        pass
    return meta


def bank_score(kb: KnowledgeBase, parses: dict[str, dict]) -> dict:
    """Turns of the question bank answered correctly with these parses (answers chosen locally over ``kb``)."""
    retriever = Retriever(kb)
    verdicts = []
    for conversation in load_bank(BANK):
        context = Context()
        for i, turn in enumerate(conversation.turns):
            reply, context = answer(kb, retriever, parses[turn.user], context)
            kind = "privacy" if reply.kind == "privacy" else reply.kind
            verdicts.append(score_turn(conversation, i, reply.text, kind))
    correct = sum(v.ok for v in verdicts)
    return {"correct": correct, "n": len(verdicts), "wrong_fees": sum(v.wrong_fee for v in verdicts)}


class ModelManager:
    """Retrain, check, switch and restore; one job at a time, its progress in :attr:`state`."""

    def __init__(self, kb: KnowledgeBase, parser: Parser, model: Path = paths.MODEL):
        self.kb = kb
        self.parser = parser
        self.model = model
        self.previous = model.with_name("dvcbot.previous.tar.gz")
        self.work = paths.VAR / "model-candidates"
        self.python = paths.rasa_python()  # Rasa's environment (the page runs on the front one)
        self.state: dict = {"status": "idle", "log": []}
        self.task: asyncio.Task | None = None

    def _say(self, text: str) -> None:
        self.state["log"].append(f"{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')} {text}")

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def start_retrain(self, who: str) -> bool:
        if self.busy:
            return False
        self.state = {"status": "training", "log": [], "by": who, "started": time.monotonic()}
        self.task = asyncio.create_task(self._retrain())
        return True

    async def _run(self, *args: str, log: Path) -> int:
        with open(log, "ab") as out:
            proc = await asyncio.create_subprocess_exec(
                *args, cwd=str(paths.ROOT), env=paths.env(), stdout=out, stderr=asyncio.subprocess.STDOUT
            )
            return await proc.wait()

    async def _retrain(self) -> None:
        from bot.runtime.model import GENERATED_NLU, write_generated_nlu

        started = time.monotonic()
        try:
            self.work.mkdir(parents=True, exist_ok=True)
            kb_version = self.kb.version()
            write_generated_nlu()
            self._say(f"Huấn luyện trên cơ sở tri thức phiên bản {kb_version}…")
            code = await self._run(
                self.python, "-m", "rasa", "train", "--data", str(paths.NLU_DATA), str(GENERATED_NLU.parent),
                "--config", str(paths.CONFIG), "--domain", str(paths.DOMAIN), "--out", str(self.work),
                "--fixed-model-name", "candidate", "--force", "--quiet",
                log=self.work / "train.log",
            )  # fmt: skip
            candidate = self.work / "candidate.tar.gz"
            if code != 0 or not candidate.exists():
                raise RuntimeError(f"huấn luyện thất bại (mã {code}); xem {self.work / 'train.log'}")
            trained = time.monotonic() - started
            self._say(f"Đã huấn luyện sau {trained:.0f} giây; kiểm tra bằng bộ câu hỏi…")
            self.state["status"] = "checking"
            new_score, live_score = await self._check(candidate)
            self.state.update(candidate=new_score, live=live_score)
            share = new_score["correct"] / max(1, new_score["n"])
            live_share = live_score["correct"] / max(1, live_score["n"])
            self._say(
                f"Mô hình mới đúng {new_score['correct']}/{new_score['n']} ({share:.1%}), "
                f"mô hình đang dùng {live_score['correct']}/{live_score['n']} ({live_share:.1%})."
            )
            if share < live_share - TOLERANCE or new_score["wrong_fees"] > live_score["wrong_fees"]:
                raise RuntimeError("mô hình mới kém hơn mô hình đang dùng: không chuyển")
            self.state["status"] = "switching"
            meta = {
                "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "kb_version": kb_version,
                "bank": new_score,
                "by": self.state.get("by"),
                "train_seconds": round(trained),
            }
            self._switch(candidate, meta)
            await self._load_or_roll_back()
            total = time.monotonic() - started
            self.state.update(status="done", seconds=round(total, 1))
            self._say(f"Bot đã dùng mô hình mới: {total:.0f} giây từ lúc bấm huấn luyện.")
        except Exception as exc:  # noqa: BLE001 - every failure is shown on the page, the live model stays
            self.state["status"] = "failed"
            self._say(f"Dừng: {exc}. Bot vẫn dùng mô hình cũ.")

    def _files(self) -> list[Path]:
        return [self.model, meta_path(self.model), self.previous, meta_path(self.previous)]

    def _switch(self, candidate: Path, meta: dict) -> None:
        """The live model becomes the previous one, the candidate the live one; the files before are kept aside
        until Rasa has loaded the new model."""
        for path in self._files():
            if path.exists():
                shutil.copy2(path, path.with_name(path.name + ".bak"))
        if self.model.exists():
            shutil.copy2(self.model, self.previous)
            meta_path(self.previous).unlink(missing_ok=True)
            if meta_path(self.model).exists():
                shutil.copy2(meta_path(self.model), meta_path(self.previous))
        shutil.move(str(candidate), self.model)
        meta_path(self.model).write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")

    async def _load_or_roll_back(self) -> None:
        """Load the switched model; if Rasa refuses it, put every file back as it was."""
        try:
            await self.load_live()
        except Exception:
            for path in self._files():
                backup = path.with_name(path.name + ".bak")
                if backup.exists():
                    shutil.move(str(backup), path)
                else:
                    path.unlink(missing_ok=True)
            raise
        for path in self._files():
            path.with_name(path.name + ".bak").unlink(missing_ok=True)

    async def _check(self, candidate: Path) -> tuple[dict, dict]:
        """Bank scores of the candidate (served by a temporary Rasa) and of the live model."""
        from bot.runtime.stack import free_port

        port, token = free_port(), secrets.token_hex(16)
        proc = await asyncio.create_subprocess_exec(
            self.python, "-m", "bot.runtime.rasa_main", "run", "--enable-api", "-i", "127.0.0.1",
            "-p", str(port), "-m", str(candidate),
            cwd=str(paths.ROOT), env={**paths.env(), TOKEN_ENV: token},  # the token on no command line
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 600
            async with aiohttp.ClientSession() as http:
                while True:
                    try:
                        async with http.get(f"{url}/status", params={"token": token}) as resp:
                            if resp.status == 200 and (await resp.json()).get("model_file"):
                                break
                    except (aiohttp.ClientError, OSError):
                        pass
                    if proc.returncode is not None or time.monotonic() > deadline:
                        raise RuntimeError("không chạy được mô hình mới để kiểm tra")
                    await asyncio.sleep(1)
            texts = sorted({t.user for c in load_bank(BANK) for t in c.turns})
            checker = Parser(url, token)
            new = bank_score(self.kb, await checker.parse_many(texts))
            live = bank_score(self.kb, await self.parser.parse_many(texts))
            return new, live
        finally:
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()

    async def load_live(self) -> None:
        """Make the running Rasa load :attr:`model` (``PUT /model``); parses cached for the old model are dropped."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
            async with http.put(
                f"{self.parser.url}/model", params=self.parser._params(), json={"model_file": str(self.model)}
            ) as resp:
                if resp.status >= 300:
                    raise RuntimeError(f"Rasa không nạp được mô hình: {resp.status} {await resp.text()}")
        self.parser.forget()

    async def restore(self) -> None:
        """Swap the live model and the previous one, and load it (restoring twice goes back)."""
        if not self.previous.exists():
            raise RuntimeError("chưa có mô hình trước để khôi phục")
        swap = self.model.with_name("dvcbot.swap.tar.gz")
        for path in self._files():
            if path.exists():
                shutil.copy2(path, path.with_name(path.name + ".bak"))
        shutil.move(str(self.model), swap)
        shutil.move(str(self.previous), self.model)
        shutil.move(str(swap), self.previous)
        metas = [meta_path(p) for p in (self.model, self.previous)]
        texts = [m.read_text("utf-8") if m.exists() else None for m in metas]
        for m, t in zip(metas, reversed(texts)):
            if t is None:
                m.unlink(missing_ok=True)
            else:
                m.write_text(t, "utf-8")
        await self._load_or_roll_back()


async def model_page(request: web.Request) -> web.Response:
    manager: ModelManager = request.app[MANAGER]
    live = {}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            live = await manager.parser.status(http)
    except Exception as exc:  # noqa: BLE001 - shown on the page
        live = {"error": str(exc)}
    return render(
        request,
        "model.html",
        live=live,
        current=read_meta(manager.model),
        previous=read_meta(manager.previous),
        state=manager.state,
        busy=manager.busy,
        kb_version=request.app[KB].version(),
        message=request.query.get("msg", ""),
    )


async def retrain(request: web.Request) -> web.StreamResponse:
    started = request.app[MANAGER].start_retrain(request["session"].name)
    raise web.HTTPSeeOther("/model" if started else "/model?msg=busy")


async def restore(request: web.Request) -> web.StreamResponse:
    manager: ModelManager = request.app[MANAGER]
    if manager.busy:
        raise web.HTTPSeeOther("/model?msg=busy")
    try:
        await manager.restore()
    except RuntimeError as exc:
        return render(request, "message.html", status=409, title="Không khôi phục được", text=str(exc), back=None)
    manager.state = {"status": "restored", "log": [f"Đã khôi phục mô hình trước ({request['session'].name})."]}
    raise web.HTTPSeeOther("/model?msg=restored")


def add_routes(app: web.Application, parser: Parser) -> None:
    app[MANAGER] = ModelManager(app[KB], parser)
    app.router.add_get("/model", model_page)
    app.router.add_post("/model/retrain", retrain)
    app.router.add_post("/model/restore", restore)
