"""SQL for the outbox: messages written with the change that caused them (rule 2).

A row's ``method`` is its intent (``show``, ``edit``, ``delete``, ``album``: see
:class:`bot.dialogue.Intent`) and its ``payload`` plain values, rendered for a channel
only when sent. Rows written by versions before that hold a platform's call instead; they
are still delivered (each channel's renderer reads them), and no code writes them now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Tx


@dataclass(frozen=True)
class OutboxRow:
    """A message to deliver: ``method`` the intent, ``payload`` its plain values."""

    id: int
    chat_id: int | None
    reporter_id: int | None
    method: str
    payload: dict[str, Any]
    purpose: str
    tip_id: int | None
    reply_to_outbox: int | None
    edit_of_outbox: int | None
    attempts: int


_COLUMNS = (
    "id, chat_id, reporter_id, method, payload, purpose, tip_id, reply_to_outbox,"
    " edit_of_outbox, attempts"
)


def _row(row: Any) -> OutboxRow:
    values = list(row)
    values[4] = json.loads(values[4])
    return OutboxRow(*values)


async def enqueue(
    tx: Tx,
    *,
    at: str,
    method: str,
    payload: dict[str, Any],
    purpose: str,
    chat_id: int | None = None,
    reporter_id: int | None = None,
    tip_id: int | None = None,
    reply_to_outbox: int | None = None,
    edit_of_outbox: int | None = None,
) -> int:
    if (chat_id is None) == (reporter_id is None):
        raise ValueError("an outbox row goes to exactly one of chat_id or reporter_id")
    return await tx.execute(
        "INSERT INTO outbox(created_at, chat_id, reporter_id, method, payload, purpose,"
        " tip_id, reply_to_outbox, edit_of_outbox, next_attempt_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            at,
            chat_id,
            reporter_id,
            str(method),
            json.dumps(payload, ensure_ascii=False),
            purpose,
            tip_id,
            reply_to_outbox,
            edit_of_outbox,
            at,
        ),
    )


# A row is at the head of its recipient's line when no earlier row to the same chat or
# reporter is pending: only head rows may be sent, so each chat sees messages in order.
_HEAD = (
    "o.status = 'pending'"
    " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.status = 'pending' AND p.id < o.id"
    "  AND ((o.chat_id IS NOT NULL AND p.chat_id = o.chat_id)"
    "    OR (o.reporter_id IS NOT NULL AND p.reporter_id = o.reporter_id)))"
)

TELEGRAM = "telegram"
CHANNELS = frozenset({TELEGRAM, "zalo"})


def _of_channel(channel: str) -> str:
    """Which rows a channel's sender delivers: a reporter's rows go by the reporter's own
    channel (looked up by primary key), and only while the reporter can be reached; chat
    rows (police groups, officers' private chats) are Telegram's, the channel the police
    work in. A row of a Zalo citizen must never reach Telegram's sender: the same number
    may be someone else's Telegram chat."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    reporter = (
        "EXISTS (SELECT 1 FROM reporters r WHERE r.id = o.reporter_id"
        f" AND r.channel = '{channel}' AND r.unreachable_since IS NULL)"
    )
    if channel == TELEGRAM:
        return f"(o.chat_id IS NOT NULL OR {reporter})"
    return f"(o.reporter_id IS NOT NULL AND {reporter})"


async def due(tx: Tx, now_text: str, limit: int = 100, *, channel: str) -> list[OutboxRow]:
    """``channel``'s pending rows whose time has come, oldest first; a row waits while an
    earlier row to the same recipient is still pending, so each chat sees messages in
    order (a recipient's rows are all of one channel, so the order holds per channel).
    The plan: the ``outbox_pending`` range, the reporter by primary key (the cheap
    channel test first), then the head-of-line test by ``outbox_chat_order`` /
    ``outbox_reporter_order``."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM outbox o WHERE o.status = 'pending'"
        f" AND o.next_attempt_at <= ? AND {_of_channel(channel)} AND {_HEAD}"
        " ORDER BY id LIMIT ?",
        (now_text, limit),
    )
    return [_row(row) for row in rows]


async def next_due_after(tx: Tx, now_text: str, *, channel: str) -> str | None:
    """When ``channel``'s next row that may be sent falls due, after ``now_text``. Rows
    waiting behind an earlier row of their recipient do not count: their time may be
    long past, yet they cannot go before the row ahead of them (which this does count)."""
    value = await tx.scalar(
        "SELECT MIN(o.next_attempt_at) FROM outbox o WHERE o.status = 'pending'"
        f" AND o.next_attempt_at > ? AND {_of_channel(channel)} AND {_HEAD}",
        (now_text,),
    )
    return str(value) if value else None


async def pending_per_recipient(tx: Tx) -> dict[tuple[str, int], int]:
    """How many rows wait for each recipient: ``("chat", id)`` or ``("reporter", id)``."""
    rows = await tx.fetchall(
        "SELECT chat_id, reporter_id, COUNT(*) FROM outbox WHERE status = 'pending'"
        " GROUP BY chat_id, reporter_id"
    )
    return {
        ("reporter", int(r[1])) if r[1] is not None else ("chat", int(r[0])): int(r[2])
        for r in rows
    }


async def mark_sent(tx: Tx, row_id: int, *, at: str, message_id: str | int | None) -> None:
    """Delivered. ``message_id`` is the channel's id of what was sent (the last piece of
    a split text): Telegram's are integers, Zalo's strings (the column's INTEGER affinity
    keeps a string of digits as a number and any other string as text)."""
    await tx.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, sent_message_id = ?,"
        " attempts = attempts + 1, last_error = NULL,"
        # a sealed payload (personal data) is not kept once delivered
        " payload = CASE WHEN payload LIKE '{\"sealed\":%' THEN '{}' ELSE payload END"
        " WHERE id = ?",
        (at, message_id, row_id),
    )


async def mark_retry(tx: Tx, row_id: int, *, next_at: str, error: str) -> None:
    await tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
        " WHERE id = ?",
        (next_at, error[:500], row_id),
    )


async def retry_now(tx: Tx, row_id: int, *, at: str, error: str) -> None:
    """Try a still-pending row again at once, without counting the attempt (its chat
    moved: the failure was not the row's)."""
    await tx.execute(
        "UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
        (at, error[:500], row_id),
    )


async def repoint_replies(tx: Tx, old_row: int, new_row: int) -> None:
    """Pending replies to the message ``old_row`` sent now answer what ``new_row`` sends."""
    await tx.execute(
        "UPDATE outbox SET reply_to_outbox = ? WHERE reply_to_outbox = ? AND status = 'pending'",
        (new_row, old_row),
    )


async def follow_chat_migration(tx: Tx, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: its pending rows go to the new id. Edits of messages
    already sent in the old group can never be made (the old id refuses every call), so
    they end without an alert, and so do edits and deletions naming an old message by its
    id (the pressed message of a button: the id would name another message in the new chat);
    pending replies to such messages are sent as plain messages. Returns how many rows
    moved. Idempotent."""
    sent_there = "SELECT id FROM outbox WHERE chat_id = ? AND status = 'sent'"
    cannot = "'the group became a supergroup; this message cannot be edited'"
    await tx.execute(
        f"UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = {cannot}"
        f" WHERE status = 'pending' AND edit_of_outbox IN ({sent_there})",
        (old_chat_id,),
    )
    await tx.execute(
        f"UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = {cannot}"
        " WHERE status = 'pending' AND chat_id = ?"
        " AND (method LIKE 'edit%' OR method LIKE 'delete%') AND edit_of_outbox IS NULL",
        (old_chat_id,),
    )
    await tx.execute(
        "UPDATE outbox SET reply_to_outbox = NULL"
        f" WHERE status = 'pending' AND chat_id = ? AND reply_to_outbox IN ({sent_there})",
        (old_chat_id, old_chat_id),
    )
    return await tx.execute(
        "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'",
        (new_chat_id, old_chat_id),
    )


async def mark_failed(tx: Tx, row_id: int, *, error: str) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error[:500], row_id),
    )


async def sent_message(tx: Tx, row_id: int) -> tuple[int | None, int | None, str] | None:
    """(chat_id, message_id, status) of a row, to reply to or edit what it sent. Only
    Telegram replies to and edits its messages by id: another channel's id (text) reads
    as None."""
    row = await tx.fetchone(
        "SELECT chat_id, sent_message_id, status FROM outbox WHERE id = ?", (row_id,)
    )
    if row is None:
        return None
    message_id = row[1] if isinstance(row[1], int) else None
    return (row[0], message_id, row[2])


async def pending_count(tx: Tx) -> int:
    return int(await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'") or 0)


async def enqueue_text(tx: Tx, text: str, *, at: str, purpose: str, **target: Any) -> int:
    """The common case: a plain text message to a chat or a reporter (``target`` takes
    ``chat_id`` or ``reporter_id``, and optionally ``tip_id``, ``reply_to_outbox``)."""
    return await enqueue(
        tx, at=at, method="show", payload={"text": text}, purpose=purpose, **target
    )


# ----------------------------------------------------------- unreachable reporters ---
@dataclass(frozen=True)
class HeldRow:
    """A pending row held for a reporter who cannot be reached now."""

    id: int
    reporter_id: int
    purpose: str
    tip_id: int | None


async def hold(tx: Tx, reporter_id: int, *, at: str) -> list[HeldRow]:
    """Hold the reporter's pending rows not held yet (still pending: neither failed nor
    lost); returns them, oldest first. Rows written while the reporter stays unreachable
    are held by the next call."""
    rows = await tx.fetchall(
        "SELECT id, reporter_id, purpose, tip_id FROM outbox"
        " WHERE reporter_id = ? AND status = 'pending' AND held_at IS NULL ORDER BY id",
        (reporter_id,),
    )
    await tx.execute(
        "UPDATE outbox SET held_at = ?, last_error = 'held: the reporter cannot be reached now'"
        " WHERE reporter_id = ? AND status = 'pending' AND held_at IS NULL",
        (at, reporter_id),
    )
    return [HeldRow(int(r[0]), int(r[1]), str(r[2]), r[3]) for r in rows]


async def unheld_of_unreachable(tx: Tx) -> list[int]:
    """Reporters who cannot be reached now and have pending rows not held yet (written
    since they became unreachable): the few unreachable reporters by their partial index,
    then each one's pending rows by ``outbox_reporter_order``."""
    rows = await tx.fetchall(
        "SELECT r.id FROM reporters r WHERE r.unreachable_since IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM outbox o WHERE o.reporter_id = r.id AND o.status = 'pending'"
        "  AND o.held_at IS NULL) ORDER BY r.id"
    )
    return [int(r[0]) for r in rows]


async def held_tips(tx: Tx, reporter_id: int, purposes: tuple[str, ...]) -> set[int]:
    """The tips that have rows of ``purposes`` held for the reporter (pending)."""
    marks = ",".join("?" * len(purposes))
    rows = await tx.fetchall(
        "SELECT DISTINCT tip_id FROM outbox WHERE reporter_id = ? AND status = 'pending'"
        f" AND held_at IS NOT NULL AND tip_id IS NOT NULL AND purpose IN ({marks})",
        (reporter_id, *purposes),
    )
    return {int(r[0]) for r in rows}


async def release(tx: Tx, reporter_id: int, *, at: str) -> int:
    """The reporter can be reached again: their held rows are due at once (in order:
    the head-of-line rule still holds). They stay marked held, so their delivery can be
    reported. Returns how many."""
    return await tx.execute(
        "UPDATE outbox SET next_attempt_at = ?, last_error = NULL"
        " WHERE reporter_id = ? AND status = 'pending' AND held_at IS NOT NULL",
        (at, reporter_id),
    )


async def held_row(tx: Tx, row_id: int) -> HeldRow | None:
    """The row, if it was held (for a reporter who could not be reached then)."""
    row = await tx.fetchone(
        "SELECT id, reporter_id, purpose, tip_id FROM outbox"
        " WHERE id = ? AND held_at IS NOT NULL AND reporter_id IS NOT NULL",
        (row_id,),
    )
    return HeldRow(int(row[0]), int(row[1]), str(row[2]), row[3]) if row else None


async def still_held(
    tx: Tx, reporter_id: int, tip_id: int, purposes: tuple[str, ...], *, but: int
) -> bool:
    """Whether rows of ``purposes`` held for the reporter about the tip wait still, other
    than the row ``but`` (just delivered)."""
    marks = ",".join("?" * len(purposes))
    return bool(
        await tx.scalar(
            "SELECT 1 FROM outbox WHERE tip_id = ? AND reporter_id = ? AND status = 'pending'"
            f" AND held_at IS NOT NULL AND id != ? AND purpose IN ({marks}) LIMIT 1",
            (tip_id, reporter_id, but, *purposes),
        )
    )
