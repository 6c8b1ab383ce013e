"""Tips as a spreadsheet: CSV and Excel, one row per tip, for supervisors' own analysis.

No reporter columns, and no description, address or coordinates either (see
:class:`storage.exports.ExportRow`): a file leaves the system and is forwarded, printed and
kept on laptops, so it carries only what statistics need.

CSV is text, so dates and numbers are written the way a Vietnamese reader writes them
(Babel: ``28/11/2026 07:05``, ``12,5``) and the file starts with a UTF-8 byte order mark
so Excel shows the diacritics. XLSX keeps typed cells (real dates in the province's time
zone, real numbers) so sorting and sums work, with the same ``dd/mm/yyyy hh:mm`` display
pattern; Excel shows the decimal separator of the reader's own locale.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dialogue import Intent, Media, Screen, screen_to_plain
from bot.fmt import number, when
from bot.receipt import display
from config.categories import BY_CODE
from config.settings import Settings
from config.texts import outcome_label, status_label, t
from storage import exports as exports_store
from storage import outbox, outbox_files
from storage.db import AlreadyProcessed, Database, parse_utc, utc_text
from storage.exports import ExportRow

COLUMNS = (
    "x_code",
    "x_received",
    "x_category",
    "x_urgent",
    "x_place_unit",
    "x_current_unit",
    "x_status",
    "x_outcome",
    "x_acknowledged",
    "x_ack_minutes",
    "x_closed",
    "x_transfers",
    "x_attachments",
    "x_verification_day",
)
WIDTHS = (16, 17, 24, 7, 22, 22, 20, 24, 17, 12, 17, 9, 9, 9)
DATE_FORMAT = "dd/mm/yyyy hh:mm"


def headers(lang: str) -> list[str]:
    return [t(key, lang) for key in COLUMNS]


def category_name(code: str, lang: str) -> str:
    category = BY_CODE.get(code)
    if category is None:
        return code
    return category.name(lang)


@dataclass(frozen=True)
class Cells:
    """One export row as typed values, before CSV or Excel formatting."""

    code: str
    received: datetime
    category: str
    urgent: bool
    place_unit: str
    current_unit: str
    status: str
    outcome: str
    acknowledged: datetime | None
    ack_minutes: float | None
    closed: datetime | None
    transfers: int
    attachments: int
    verification_day: int


def cells(row: ExportRow, lang: str, now: datetime) -> Cells:
    received = parse_utc(row.created_at)
    acknowledged = parse_utc(row.acknowledged_at) if row.acknowledged_at else None
    closed = parse_utc(row.closed_at) if row.closed_at else None
    minutes = (acknowledged - received).total_seconds() / 60 if acknowledged else None
    day = ((closed or now) - received) // timedelta(days=1) + 1
    return Cells(
        code=display(row.code),
        received=received,
        category=category_name(row.category, lang),
        urgent=row.urgent,
        place_unit=row.place_unit,
        current_unit=row.current_unit,
        status=status_label(row.status, lang),
        outcome=outcome_label(row.outcome, lang) if row.outcome else "",
        acknowledged=acknowledged,
        ack_minutes=max(0.0, minutes) if minutes is not None else None,
        closed=closed,
        transfers=row.transfers,
        attachments=row.attachments,
        verification_day=max(1, day),
    )


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte order mark: without it Excel on Windows garbles Vietnamese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_csv(rows: Iterable[ExportRow], lang: str, tz: ZoneInfo, now: datetime) -> bytes:
    def text(moment: datetime | None) -> str:
        return when(moment, lang, tz) if moment else ""

    lines = []
    for row in rows:
        c = cells(row, lang, now)
        lines.append(
            [
                c.code,
                text(c.received),
                c.category,
                t("yes" if c.urgent else "no", lang),
                c.place_unit,
                c.current_unit,
                c.status,
                c.outcome,
                text(c.acknowledged),
                number(c.ack_minutes, lang, 1) if c.ack_minutes is not None else "",
                text(c.closed),
                number(c.transfers, lang, 0),
                number(c.attachments, lang, 0),
                number(c.verification_day, lang, 0),
            ]
        )
    return csv_bytes(headers(lang), lines)


def to_xlsx(rows: Iterable[ExportRow], lang: str, tz: ZoneInfo, now: datetime) -> bytes:
    """Write-only workbook: rows stream to the file, so a year of tips stays small in memory.
    openpyxl is imported here, on the first export, not when the bot starts."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.styles import Font  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

    book = Workbook(write_only=True)
    sheet = book.create_sheet(t("x_sheet", lang))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: object, number_format: str | None = None) -> object:
        made = WriteOnlyCell(sheet, value=value)
        if number_format:
            made.number_format = number_format
        return made

    def local(moment: datetime | None) -> object:
        if moment is None:
            return None
        return cell(moment.astimezone(tz).replace(tzinfo=None), DATE_FORMAT)

    header_cells = []
    for title in headers(lang):
        made = WriteOnlyCell(sheet, value=title)
        made.font = bold
        header_cells.append(made)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        c = cells(row, lang, now)
        sheet.append(
            [
                c.code,
                local(c.received),
                c.category,
                t("yes" if c.urgent else "no", lang),
                c.place_unit,
                c.current_unit,
                c.status,
                c.outcome,
                local(c.acknowledged),
                cell(round(c.ack_minutes, 1), "#,##0.0") if c.ack_minutes is not None else None,
                local(c.closed),
                c.transfers,
                c.attachments,
                c.verification_day,
            ]
        )
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def load(
    db: Database, start: datetime, end: datetime, unit_id: int | None = None
) -> list[ExportRow]:
    """The tips received in ``[start, end)`` (those one unit's queue holds, with
    ``unit_id``), read in a worker thread on a read-only connection of its own: the bot's
    connection runs statements on the event loop's thread, and reading a busy month there
    held every citizen up for half a second."""
    first, last = utc_text(start), utc_text(end)
    if str(db.path) == ":memory:":  # no file another connection could open
        async with db.read() as tx:
            return await exports_store.export_rows(tx, first, last, unit_id)
    await db.sync()  # a group commit's last transactions become visible to other readers
    return await asyncio.to_thread(exports_store.read_export_rows, db.path, first, last, unit_id)


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    rows: int


async def build(
    db: Database,
    settings: Settings,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    kind: str,
    lang: str,
    unit_id: int | None = None,
) -> ExportFile:
    """The file of ``/export`` (and of the web page's download): read and built in worker
    threads, so the bot keeps answering citizens meanwhile (a month of a busy province is
    tens of thousands of rows; it blocked for 12-20 s before)."""
    tz = settings.tz
    rows = await load(db, start, end, unit_id)
    if kind == "csv":
        data, name = await asyncio.to_thread(to_csv, rows, lang, tz, now), "csv"
    else:
        data, name = await asyncio.to_thread(to_xlsx, rows, lang, tz, now), "xlsx"
    first, last = start.astimezone(tz), (end - timedelta(seconds=1)).astimezone(tz)
    return ExportFile(data, f"tinbao_{first:%Y%m%d}_{last:%Y%m%d}.{name}", len(rows))


async def send_export(
    db: Database,
    settings: Settings,
    *,
    chat_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    kind: str = "xlsx",
    lang: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> int | None:
    """Enqueue the tips received in ``[start, end)`` as a file to a chat, after ``note``
    (a text, if given); returns the file's outbox id, or None when the update with this
    ``idempotency_key`` was handled before. The caller (an /export handler) has checked
    the asker is a supervisor and wakes the sender afterwards."""
    lang = lang or settings.default_language
    tz = settings.tz
    built = await build(db, settings, start=start, end=end, now=now, kind=kind, lang=lang)
    data, filename = built.data, built.filename
    caption = t(
        "x_caption",
        lang,
        start=when(start, lang, tz)[:10],
        end=when(end - timedelta(seconds=1), lang, tz)[:10],
        n=number(built.rows, lang, 0),
    )
    try:
        async with db.transaction(idempotency_key) as tx:
            at = utc_text(now)
            if note is not None:
                await outbox.enqueue_text(tx, note, at=at, purpose="export", chat_id=chat_id)
            row_id = await outbox.enqueue(
                tx,
                at=at,
                method=Intent.SHOW,  # the file attached below, with its caption
                payload=screen_to_plain(Screen(caption, media=Media("document")), "q"),
                purpose="export",
                chat_id=chat_id,
            )
            await outbox_files.attach_file(tx, row_id, "document", filename, data)
    except AlreadyProcessed:
        return None
    return row_id
