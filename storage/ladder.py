"""SQL of the deadline sweep (bot/deadlines.py): the tips waiting for acknowledgement
with the rungs of the ladder (reminder, escalation) their current stay already took, and
the card to reply to. Tips are read as the digest lists them (storage/digests.py)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx
from storage.digests import ARRIVED, AWAITING_ACK, LINE_COLUMNS, OPEN_LINES, TipLine, line

_AWAIT_MARKS = ",".join("?" for _ in AWAITING_ACK)


@dataclass(frozen=True)
class LadderTip:
    """A tip waiting for acknowledgement, and which rungs its current stay already took."""

    tip: TipLine
    reminded: bool
    escalated: bool


def _rung(action: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM tip_events r WHERE r.tip_id = t.id AND +r.action = '{action}'"
        f" AND r.at >= {ARRIVED})"
    )


async def ladder_candidates(tx: Tx, created_before: str) -> list[LadderTip]:
    """Unacknowledged tips received before a time, with their rungs: one query, so the
    sweep that finds nothing to do (most minutes) costs one index range read."""
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS}, {_rung('reminded')}, {_rung('escalated')}"
        f" FROM {OPEN_LINES}"
        f" WHERE t.status <> 'closed' AND t.status IN ({_AWAIT_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (*AWAITING_ACK, created_before),
    )
    return [LadderTip(line(row[:11]), bool(row[11]), bool(row[12])) for row in rows]


async def queue_card(tx: Tx, tip_id: int, chat_id: int) -> int | None:
    """The outbox row of the tip's active card in a chat, to reply to it."""
    value = await tx.scalar(
        "SELECT outbox_id FROM tip_cards WHERE tip_id = ? AND chat_id = ? AND active = 1"
        " ORDER BY id DESC LIMIT 1",
        (tip_id, chat_id),
    )
    return int(value) if value is not None else None
