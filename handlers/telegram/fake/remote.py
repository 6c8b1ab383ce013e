"""Simulated people who only talk to the fake Bot API, and ``tinbao run`` as a process.

:class:`handlers.telegram.fake.scripted.Driver` reaches into an in-process Tinbao; the people here
do what a
phone does instead: they push updates to :class:`handlers.telegram.fake.botapi.FakeBotApi` (the fake
Telegram) and read what the bot sent there, so the bot may be polling in this process or
in another one that gets killed. A citizen waits for the answer it expects (by a piece of
its text) rather than for "the next message", because after a crash a message whose
sending was not recorded is legitimately sent again: such repeats are skipped and
counted, never taken for the next answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.updates import FakeUser, JSONDict, UpdateFactory

RECEIPT_MARK = "Mã tin báo của bạn:"
DESCRIPTION = (
    "Tối nay khoảng 21 giờ có nhóm 5-6 thanh niên đi xe máy không biển số tụ tập ở quán "
    "nước đầu thôn, nghi mua bán trái phép chất ma túy."
)


@dataclass(frozen=True)
class Step:
    """One thing the citizen does, and the screens it must bring (pieces of their
    texts, in order; the citizen goes on once the last one arrives)."""

    kind: Literal["say", "press"]
    arg: str  # the text sent, or the label of the button pressed on the last screen
    screens: tuple[str, ...]


def dialogue(place: str = "tam chuk", choose: str = "Tam Chúc") -> tuple[Step, ...]:
    """/start to receipt, as in :meth:`handlers.telegram.fake.scripted.Driver.file_tip`: 13
    updates, 14
    screens; the place typed as ``place`` and picked by the label ``choose``."""
    return (
        Step("say", "/start", ("Xin chào!",)),
        Step("press", "📝 Báo tin", ("Bước 1/7",)),
        Step("press", "Tố giác tội phạm", ("Bước 2/7",)),
        Step("press", "Không, đã xảy ra rồi", ("Bước 3/7",)),
        Step("say", place, ("Chọn đúng xã/phường",)),
        Step("press", choose, ("📍 Địa điểm", "Bước 4/7")),
        Step("say", "Gần cổng chợ, thôn Ba Sao", ("Bước 5/7",)),
        Step("press", "Hôm nay", ("Khoảng lúc nào?",)),
        Step("press", "Bỏ qua", ("Bước 6/7",)),
        Step("say", DESCRIPTION, ("Bước 7/7",)),
        Step("press", "Bỏ qua", ("ẩn danh hay để lại",)),
        Step("press", "Ẩn danh", ("Kiểm tra lại tin báo",)),
        Step("press", "Gửi tin báo", (RECEIPT_MARK,)),
    )


DIALOGUE = dialogue()
SCREENS: tuple[str, ...] = tuple(s for step in DIALOGUE for s in step.screens)


def button_data(message: JSONDict, label: str) -> str:
    """Callback data of the first button of ``message`` whose text contains ``label``."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if label in button.get("text", "") and "callback_data" in button:
                return str(button["callback_data"])
    raise LookupError(f"no button {label!r} in {str(message.get('text'))[:60]!r}")


def receipt_code(text: str) -> str:
    return text.split(RECEIPT_MARK, 1)[1].split()[0]


@dataclass
class Transcript:
    """What one chat received, checked against the screens expected in order."""

    screens: list[str]
    repeats: int
    unexpected: list[str]


def transcript(messages: list[JSONDict], expected: tuple[str, ...] = SCREENS) -> Transcript:
    """Map each message to the expected screen it shows; a message identical to the one
    before it is a repeat (a send whose success was not recorded before a crash, or whose
    answer was lost); anything else is unexpected."""
    screens: list[str] = []
    repeats = 0
    unexpected: list[str] = []
    previous: tuple[str, str] | None = None
    for message in messages:
        text = str(message.get("text") or message.get("caption") or "")
        key = (text, repr(message.get("reply_markup")))
        if key == previous:
            repeats += 1
            continue
        previous = key
        found = next((s for s in expected if s in text), None)
        if found is None:
            unexpected.append(text[:80])
        else:
            screens.append(found)
    return Transcript(screens, repeats, unexpected)


@dataclass
class RemoteCitizen:
    """A citizen on a phone: pushes updates to the fake Telegram, reads the bot's answers
    there, presses buttons by label. ``latencies`` holds, per step, the seconds from
    pushing the update to the arrival of the screen that answers it."""

    api: FakeBotApi
    factory: UpdateFactory
    user: FakeUser
    step_timeout: float = 60.0
    update_ids: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    code: str | None = None

    async def file_tip(self, dialogue: tuple[Step, ...] = DIALOGUE) -> str:
        """Walk the dialogue to the receipt; returns the receipt code shown."""
        inbox = self.api.watch(self.user.id)
        screen: JSONDict | None = None
        try:
            for number, step in enumerate(dialogue, 1):
                if step.kind == "say":
                    update = self.factory.text(self.user, step.arg)
                else:
                    if screen is None:
                        raise LookupError("a press needs a screen first")
                    data = button_data(screen, step.arg)
                    update = self.factory.callback(self.user, screen, data)
                pushed = time.perf_counter()
                self.update_ids.append(self.api.push_update(update)["update_id"])
                try:
                    screen = await self._expect(inbox, step.screens[-1])
                except TimeoutError:
                    raise TimeoutError(
                        f"citizen {self.user.id}: no {step.screens[-1]!r} within "
                        f"{self.step_timeout} s after step {number} ({step.kind} {step.arg!r})"
                    ) from None
                self.latencies.append(time.perf_counter() - pushed)
        finally:
            self.api.unwatch(inbox)
        assert screen is not None
        self.code = receipt_code(str(screen.get("text")))
        return self.code

    async def _expect(self, inbox: asyncio.Queue[JSONDict], piece: str) -> JSONDict:
        async with asyncio.timeout(self.step_timeout):
            while True:
                message = await inbox.get()
                if piece in str(message.get("text") or ""):
                    return message


# -- tinbao run as a process -------------------------------------------------------------


def bot_env(
    api: FakeBotApi,
    base_url: str,
    base_file_url: str,
    database: Path,
    secret_key: str,
    **settings: object,
) -> dict[str, str]:
    """The environment of a ``tinbao run`` talking to a fake Bot API: this process's
    environment (PATH, the virtualenv) plus ``TINBAO_*`` settings; ``settings`` are
    further settings by field name (``tips_per_hour=1000``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINBAO_")}
    env.update(
        {
            "TINBAO_BOT_TOKEN": api.token,
            "TINBAO_BOT_API_URL": base_url,
            "TINBAO_BOT_FILE_URL": base_file_url,
            "TINBAO_DATABASE_PATH": str(database),
            "TINBAO_SECRET_KEY": secret_key,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({f"TINBAO_{k.upper()}": str(v) for k, v in settings.items()})
    return env


class BotProcess:
    """``python -m handlers.cli run`` in a child process, started, killed (SIGKILL, no
    clean-up at all) and restarted on the same database. Its output is appended to
    ``log_path``; ``cwd`` should hold no ``.env``."""

    def __init__(
        self,
        env: Mapping[str, str],
        cwd: Path,
        log_path: Path,
        argv: tuple[str, ...] = ("-m", "handlers.cli", "run"),
    ) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.log_path = log_path
        self.argv = argv
        self.starts = 0
        self.kills = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def start(self) -> None:
        if self.running:
            raise RuntimeError("already running")
        if self._log is None:
            self._log = self.log_path.open("ab")
        self._log.write(f"--- start {self.starts + 1}\n".encode())
        self._log.flush()
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        self.starts += 1

    async def ready(self, sign: Awaitable[object]) -> None:
        """Wait for ``sign`` (e.g. the fake seeing its first ``getUpdates``), or fail at
        once with the process's output if it exits first."""
        proc = self._proc
        if proc is None:
            raise RuntimeError("not started")
        waiting = asyncio.ensure_future(sign)
        exited = asyncio.ensure_future(proc.wait())
        try:
            await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not waiting.done():
            waiting.cancel()
            raise RuntimeError(f"exited with {proc.returncode}:\n{self.output()[-3000:]}")
        waiting.result()

    async def kill(self) -> None:
        """SIGKILL and reap: what a power cut or the OOM killer does to the bot."""
        proc = self._proc
        if proc is None or proc.returncode is not None:
            raise RuntimeError(f"not running (exit code {proc.returncode if proc else None})")
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        self.kills += 1

    async def stop(self, timeout: float = 20.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM (``tinbao run`` stops cleanly), SIGKILL after ``timeout``; the exit code."""
        proc = self._proc
        try:
            if proc is None:
                return None
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), timeout)
                except TimeoutError:
                    proc.send_signal(signal.SIGKILL)
                    await proc.wait()
            return proc.returncode
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None

    def output(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.log_path.read_text("utf-8", "replace")
        return ""


__all__ = [
    "DESCRIPTION",
    "DIALOGUE",
    "RECEIPT_MARK",
    "SCREENS",
    "BotProcess",
    "RemoteCitizen",
    "Step",
    "Transcript",
    "bot_env",
    "button_data",
    "dialogue",
    "receipt_code",
    "transcript",
]
