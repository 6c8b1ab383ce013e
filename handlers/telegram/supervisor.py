"""Thin adapters for supervisors: /report, /export, /digest on|off (opt-in).

Reports, exports and answers are outbox rows committed under the update's idempotency
key (issue 9): nothing here calls the Bot API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from telegram import Update
from telegram.ext import CommandHandler

from bot.exports import send_export
from bot.reports import ReportUsage, parse_period, plausible_year, send_report
from config.texts import t
from handlers.telegram.commands import PassOn, final, key_of, say
from handlers.telegram.common import origin_of
from handlers.telegram.context import Context, TinbaoApplication
from storage import officers
from storage.officers import Officer

LANG = "vi"


async def _supervisor(update: Update, context: Context) -> Officer | None:
    """The asker, if an active supervisor; everyone else gets a short refusal."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return None
    async with context.services.db.read() as tx:
        officer = await officers.find_active(tx, user.id)
    if officer is None or officer.role != "supervisor":
        await say(update, context, t("s_only_supervisors", LANG))
        return None
    return officer


async def on_report(update: Update, context: Context) -> None:
    """For a supervisor, the period report; for another officer (a unit lead asking for
    the month's figures) a refusal: staff words are never read as a citizen's. Only for
    someone who is not staff is ``/report`` the English "report a tip", handled further
    down."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    app = context.services
    async with app.db.read() as tx:
        officer = await officers.find_active(tx, user.id)
    if officer is None:
        raise PassOn
    if officer.role != "supervisor":
        await say(update, context, t("s_report_only_supervisors", LANG))
        return
    now = app.clock()
    try:
        period = parse_period(context.args or [], now, app.settings.tz)
    except ReportUsage:
        await say(update, context, t("r_usage", LANG))
        return
    await send_report(
        app.db,
        app.settings,
        chat_id=message.chat_id,
        period=period,
        now=now,
        idempotency_key=key_of(update, context),
    )
    app.outbox_ready()


def _parse_day(text: str, now: datetime) -> date | None:
    """A day as ``dd/mm/yyyy`` or ``yyyy-mm-dd``; None for anything else, a day that does
    not exist, or one implausibly far from today (31/12/9999 has no next day to end on)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if plausible_year(day.year, now) else None
    return None


async def on_export(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or await _supervisor(update, context) is None:
        return
    app = context.services
    tz = app.settings.tz
    now = app.clock()
    args = [a.lower() for a in (context.args or [])]
    kind = "csv" if "csv" in args else "xlsx"
    days = [_parse_day(a, now) for a in args if a not in ("csv", "xlsx")]
    if any(d is None for d in days) or len(days) > 2:
        await say(update, context, t("s_export_usage", LANG))
        return
    today = now.astimezone(tz).date()
    first = days[0] if days else today - timedelta(days=29)
    last = days[1] if len(days) > 1 else today
    assert first is not None and last is not None
    if last < first:
        first, last = last, first
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    await send_export(
        app.db,
        app.settings,
        chat_id=message.chat_id,
        start=start,
        end=end,
        now=now,
        kind=kind,
        note=t("s_queued", LANG),  # first: the file takes a moment longer
        idempotency_key=key_of(update, context),
    )
    app.outbox_ready()


async def on_digest(update: Update, context: Context) -> None:
    origin = origin_of(update)
    user = update.effective_user
    if origin is None or user is None:
        return
    app = context.services
    on = not (context.args and context.args[0].lower() in ("off", "tat", "tắt"))
    await app.staff.digest_opt_in(
        user_id=user.id, origin=origin, on=on, update_key=key_of(update, context)
    )
    app.outbox_ready()


def register(application: TinbaoApplication) -> None:
    application.add_handler(CommandHandler(["report", "baocao"], final(on_report)), group=0)
    application.add_handler(CommandHandler("export", final(on_export)), group=0)
    application.add_handler(CommandHandler("digest", final(on_digest)), group=0)
