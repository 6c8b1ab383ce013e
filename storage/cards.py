"""SQL for tip cards in chats and officers' pending free-text prompts."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class Card:
    id: int
    tip_id: int
    chat_id: int
    outbox_id: int
    kind: str  # queue | alert


async def add(tx: Tx, *, tip_id: int, chat_id: int, outbox_id: int, kind: str, at: str) -> int:
    return await tx.execute(
        "INSERT INTO tip_cards(tip_id, chat_id, outbox_id, kind, created_at) VALUES (?,?,?,?,?)",
        (tip_id, chat_id, outbox_id, kind, at),
    )


async def active(tx: Tx, tip_id: int) -> list[Card]:
    rows = await tx.fetchall(
        "SELECT id, tip_id, chat_id, outbox_id, kind FROM tip_cards"
        " WHERE tip_id = ? AND active = 1 ORDER BY id",
        (tip_id,),
    )
    return [Card(*r) for r in rows]


async def in_chat(tx: Tx, chat_id: int) -> list[Card]:
    """The active cards in one chat, oldest first."""
    rows = await tx.fetchall(
        "SELECT id, tip_id, chat_id, outbox_id, kind FROM tip_cards"
        " WHERE chat_id = ? AND active = 1 ORDER BY id",
        (chat_id,),
    )
    return [Card(*r) for r in rows]


async def move(tx: Tx, card_id: int, chat_id: int) -> None:
    """A card not sent yet follows its chat to a new id (its outbox row moves too)."""
    await tx.execute("UPDATE tip_cards SET chat_id = ? WHERE id = ?", (chat_id, card_id))


async def deactivate(tx: Tx, card_id: int) -> None:
    await tx.execute("UPDATE tip_cards SET active = 0 WHERE id = ?", (card_id,))


async def has_working_card(tx: Tx, tip_id: int) -> bool:
    """Whether some police chat holds a card with the tip's buttons: what a receipt may
    promise ("sent to the unit") only when true."""
    found = await tx.scalar(
        "SELECT 1 FROM tip_cards WHERE tip_id = ? AND active = 1 AND kind = 'queue' LIMIT 1",
        (tip_id,),
    )
    return found is not None


# An open tip that routing could not place (it has an 'unroutable' event: no queue of its
# unit and no duty chat were bound) and that no chat holds a working card of since: no
# officer can see it. ``t`` is the tips table; the partial index ``tips_open`` and the
# per-tip indexes of events and cards keep this cheap.
UNROUTED = (
    "t.status <> 'closed'"
    " AND EXISTS (SELECT 1 FROM tip_events e WHERE e.tip_id = t.id AND +e.action = 'unroutable')"
    " AND NOT EXISTS (SELECT 1 FROM tip_cards c WHERE c.tip_id = t.id AND c.active = 1"
    "  AND c.kind = 'queue')"
)


async def unrouted(tx: Tx, unit_id: int | None = None) -> list[tuple[int, str]]:
    """(tip id, receipt code) of tips no police chat received, oldest first; of one
    unit's queue when ``unit_id`` is given."""
    sql = f"SELECT t.id, t.code FROM tips t WHERE {UNROUTED}"
    params: tuple[int, ...] = ()
    if unit_id is not None:
        sql += " AND t.current_unit_id = ?"
        params = (unit_id,)
    rows = await tx.fetchall(sql + " ORDER BY t.created_at, t.id", params)
    return [(int(r[0]), str(r[1])) for r in rows]


@dataclass(frozen=True)
class Prompt:
    officer_id: int
    chat_id: int
    kind: str  # ask | transfer | duplicate
    tip_id: int


async def set_prompt(
    tx: Tx, *, officer_id: int, chat_id: int, kind: str, tip_id: int, at: str
) -> None:
    await tx.execute(
        "INSERT INTO officer_prompts(officer_id, chat_id, kind, tip_id, created_at)"
        " VALUES (?,?,?,?,?) ON CONFLICT(officer_id, chat_id) DO UPDATE SET kind = excluded.kind,"
        " tip_id = excluded.tip_id, created_at = excluded.created_at",
        (officer_id, chat_id, kind, tip_id, at),
    )


async def get_prompt(tx: Tx, officer_id: int, chat_id: int) -> Prompt | None:
    row = await tx.fetchone(
        "SELECT officer_id, chat_id, kind, tip_id FROM officer_prompts"
        " WHERE officer_id = ? AND chat_id = ?",
        (officer_id, chat_id),
    )
    return Prompt(*row) if row else None


async def move_prompts(tx: Tx, old_chat_id: int, new_chat_id: int) -> None:
    """An officer's unanswered prompt follows the group to its new id."""
    await tx.execute(
        "UPDATE OR REPLACE officer_prompts SET chat_id = ? WHERE chat_id = ?",
        (new_chat_id, old_chat_id),
    )


async def clear_prompt(tx: Tx, officer_id: int, chat_id: int) -> None:
    await tx.execute(
        "DELETE FROM officer_prompts WHERE officer_id = ? AND chat_id = ?", (officer_id, chat_id)
    )
