"""One error hierarchy (issue 10, item 4): a refusal carries the key of what the person
reads; one that escapes a handler is answered by the application's error handler, in the
person's language, and the inbox does not try that update again. The handler that raises
here is the test's own, registered like a staff command (:func:`final`), because every
service of tinbao catches its refusals and answers them itself; the wiring around it is
production's."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import receipt
from bot.errors import NotAuthorized, OtherUnit, StaleButton, TinbaoError, WrongChat
from bot.people import NotPrivateChat
from bot.reports import ReportUsage
from config.texts import t
from handlers.telegram.commands import final
from handlers.telegram.context import Context
from handlers.telegram.fake.updates import FakeUser
from tests.harness import Harness

SECRET_UNIT = "Đồn Bí Mật 0912345678"


def test_a_refusal_names_its_key_never_its_params() -> None:
    error = OtherUnit(unit=SECRET_UNIT)
    assert str(error) == "q_other_unit" and SECRET_UNIT not in repr(error)
    assert error.text("vi") == t("q_other_unit", "vi", unit=SECRET_UNIT)
    assert error.text("en") == t("q_other_unit", "en", unit=SECRET_UNIT)
    assert isinstance(error, NotAuthorized) and not error.answered
    assert NotAuthorized("q_page_refused").text("vi") == t("q_page_refused", "vi")


def test_the_user_facing_errors_of_the_domain_are_refusals() -> None:
    with pytest.raises(receipt.MalformedCode) as malformed:
        receipt.canonical(" 0912-345678 ")
    assert isinstance(malformed.value, TinbaoError) and isinstance(malformed.value, ValueError)
    assert malformed.value.text("vi") == t("code_malformed", "vi", code="0912-345678")
    assert "0912" not in str(malformed.value)
    assert isinstance(NotPrivateChat("telegram"), WrongChat)
    assert ReportUsage("năm 9999").message_key == "r_usage"
    assert "9999" not in str(ReportUsage("năm 9999"))


def install(h: Harness, error: TinbaoError) -> None:
    """``/refuse`` and the button ``x1|refuse`` raise ``error``, as a service would."""

    async def refuse(update: Update, context: Context) -> None:
        raise error

    h.tinbao.app.add_handler(CommandHandler("refuse", final(refuse)), group=-1)
    h.tinbao.app.add_handler(CallbackQueryHandler(final(refuse), pattern=r"^x1\|"), group=-1)


async def inbox_rows(h: Harness) -> list[tuple[str, int]]:
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall("SELECT status, attempts FROM inbox ORDER BY id")
    return [(str(status), int(attempts)) for status, attempts in rows]


async def test_an_escaped_refusal_is_answered_in_the_persons_language_once(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as tinbao run -v logs: its own modules at DEBUG
    for ours in ("bot", "handlers", "storage"):
        caplog.set_level(logging.DEBUG, logger=ours)
    install(h, OtherUnit(unit=SECRET_UNIT))
    sam = h.citizen(8123456, "Sam")
    await sam.says("/language")
    await h.driver.presses(FakeUser(8123456, "Sam"), "English")
    before = len(sam.messages())
    await sam.says("/refuse")
    assert [m["text"] for m in sam.messages()[before:]] == [
        t("q_other_unit", "en", unit=SECRET_UNIT)
    ]
    assert [status for status, _ in await inbox_rows(h)] == ["done"] * 3
    for wait in (2, 10, 30, 60):  # a definite answer: never tried again
        h.clock.advance(seconds=wait)
        await h.tinbao.inbox.drain()
        await h.flush()
    assert len(sam.messages()) == before + 1  # no "send it again" either
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "OtherUnit" in logged
    for secret in ("Bí Mật", "0912345678", "8123456", "Sam"):
        assert secret not in logged


async def test_an_escaped_refusal_of_a_button_is_its_pop_up(h: Harness) -> None:
    install(h, StaleButton())
    lan = h.citizen()
    await lan.says("/start")
    menu = lan.messages()[-1]
    before = len(lan.messages())
    await lan.sends(h.updates.callback(lan.user, menu, "x1|refuse|1"))
    (answer,) = h.api.calls_of("answerCallbackQuery")
    assert answer.params["text"] == t("stale_button", "vi") and answer.params["show_alert"]
    assert len(lan.messages()) == before
    assert [status for status, _ in await inbox_rows(h)] == ["done", "done"]


async def test_a_refusal_that_could_not_be_answered_is_tried_again(h: Harness) -> None:
    """The answer is itself an outbox row: if even that cannot be written, the update
    is tried again like any failure, and the person hears the refusal once it can."""
    install(h, NotAuthorized())
    officer = h.officer(501, "Hùng")
    await h.tinbao.db.sync()
    with sqlite3.connect(h.tinbao.db.path) as conn:
        conn.execute(
            "CREATE TRIGGER broken BEFORE INSERT ON outbox"
            " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
        )
    await officer.says("/refuse")
    assert officer.messages() == []
    assert await inbox_rows(h) == [("pending", 1)]
    await h.tinbao.db.sync()
    with sqlite3.connect(h.tinbao.db.path) as conn:
        conn.execute("DROP TRIGGER broken")
    h.clock.advance(seconds=2)
    await h.tinbao.inbox.drain()
    await h.flush()
    assert [m["text"] for m in officer.messages()] == [t("q_not_officer", "vi")]
    assert [status for status, _ in await inbox_rows(h)] == ["done"]
