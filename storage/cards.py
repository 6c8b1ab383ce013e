"""SQL for the bot's working messages in police chats: tip cards, queue pages, and
officers' free-text prompts (answered by a reply to the prompt message)."""

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
# officer can see it. ``t`` is the tips table; the partial index ``tips_open``, the
# partial index of 'unroutable' events (migration 0026: no plus on ``e.action``, so the
# planner takes it) and the per-tip index of cards keep this cheap.
UNROUTED = (
    "t.status <> 'closed'"
    " AND EXISTS (SELECT 1 FROM tip_events e WHERE e.tip_id = t.id AND e.action = 'unroutable')"
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
    # "+": not the created_at index, which would walk every tip ever received in order
    rows = await tx.fetchall(sql + " ORDER BY +t.created_at, t.id", params)
    return [(int(r[0]), str(r[1])) for r in rows]


@dataclass(frozen=True)
class Prompt:
    """A free-text answer the bot waits for from one officer in one chat."""

    id: int
    officer_id: int
    chat_id: int
    kind: str  # ask | transfer | duplicate
    tip_id: int
    created_at: str
    outbox_id: int | None  # the row that shows the prompt; only a reply to it answers
    draft: str | None  # ask: the question shown to its officer, awaiting «Gửi»
    drafted_at: str | None
    closed_at: str | None


_COLUMNS = (
    "p.id, p.officer_id, p.chat_id, p.kind, p.tip_id, p.created_at, p.outbox_id, p.draft,"
    " p.drafted_at, p.closed_at"
)
_PROMPT = f"SELECT {_COLUMNS} FROM officer_prompts p"


async def open_prompt(
    tx: Tx,
    *,
    officer_id: int,
    chat_id: int,
    kind: str,
    tip_id: int,
    at: str,
    created_at: str | None = None,
    outbox_id: int | None = None,
    draft: str | None = None,
) -> int:
    """A new prompt under a new id (never reused), replacing the officer's open one in
    this chat. ``created_at`` and ``outbox_id`` carry a prompt over to its redrafts."""
    await tx.execute(
        "UPDATE officer_prompts SET closed_at = ?, draft = NULL"
        " WHERE officer_id = ? AND chat_id = ? AND closed_at IS NULL",
        (at, officer_id, chat_id),
    )
    return await tx.execute(
        "INSERT INTO officer_prompts(officer_id, chat_id, kind, tip_id, created_at, outbox_id,"
        " draft, drafted_at) VALUES (?,?,?,?,?,?,?,?)",
        (
            officer_id,
            chat_id,
            kind,
            tip_id,
            created_at or at,
            outbox_id,
            draft,
            at if draft is not None else None,
        ),
    )


async def set_prompt_outbox(tx: Tx, prompt_id: int, outbox_id: int) -> None:
    """The outbox row that shows the prompt, written in the prompt's own transaction."""
    await tx.execute(
        "UPDATE officer_prompts SET outbox_id = ? WHERE id = ? AND outbox_id IS NULL",
        (outbox_id, prompt_id),
    )


async def prompt_by_id(tx: Tx, prompt_id: int) -> Prompt | None:
    row = await tx.fetchone(f"{_PROMPT} WHERE p.id = ?", (prompt_id,))
    return Prompt(*row) if row else None


async def prompt_for_message(tx: Tx, chat_id: int, message_id: int) -> Prompt | None:
    """The newest prompt (open or not) of this chat whose outbox row was sent as this
    message (the row's edits carry the same message id and match no prompt)."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM outbox o JOIN officer_prompts p ON p.outbox_id = o.id"
        " WHERE o.chat_id = ? AND o.sent_message_id = ? AND p.chat_id = ?"
        " ORDER BY p.id DESC LIMIT 1",
        (chat_id, message_id, chat_id),
    )
    return Prompt(*row) if row else None


async def prompt_for_lost_copy(
    tx: Tx, chat_id: int, officer_id: int, message_id: int, message_at: str
) -> Prompt | None:
    """The officer's open prompt in this chat when ``message_id`` may be a copy of it
    that the bot sent without learning its id: a call whose answer was lost after
    Telegram had executed it, then sent again. Only then: the prompt's row failed at
    least once, the message was sent at or after the prompt was opened, and the message
    is none the bot knows in this chat. (Telegram vouches that it is the bot's message;
    what the officer writes is still shown back before anything is sent.)"""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM officer_prompts p JOIN outbox o ON o.id = p.outbox_id"
        " WHERE p.chat_id = ? AND p.officer_id = ? AND p.closed_at IS NULL"
        " AND o.attempts > (CASE o.status WHEN 'sent' THEN 1 ELSE 0 END)"
        " AND substr(p.created_at, 1, 19) <= ?"
        " AND NOT EXISTS (SELECT 1 FROM outbox k WHERE k.chat_id = ? AND k.sent_message_id = ?)"
        " ORDER BY p.id DESC LIMIT 1",
        (chat_id, officer_id, message_at, chat_id, message_id),
    )
    return Prompt(*row) if row else None


async def move_prompts(tx: Tx, old_chat_id: int, new_chat_id: int) -> None:
    """When a group becomes a supergroup, officers' open prompts follow it to the new id
    (they expire on their own; one whose message was already sent in the old group can
    no longer be replied to); the old group's sent queue pages can no longer be pressed."""
    await tx.execute(
        "UPDATE OR REPLACE officer_prompts SET chat_id = ? WHERE chat_id = ?",
        (new_chat_id, old_chat_id),
    )
    await tx.execute(
        "DELETE FROM queue_pages WHERE outbox_id IN"
        " (SELECT id FROM outbox WHERE chat_id = ? AND status != 'pending')",
        (old_chat_id,),
    )


async def close_prompt(tx: Tx, prompt_id: int, at: str) -> None:
    """Done with (answered, sent, cancelled, expired): the draft text goes with it."""
    await tx.execute(
        "UPDATE officer_prompts SET closed_at = ?, draft = NULL WHERE id = ? AND closed_at IS NULL",
        (at, prompt_id),
    )


async def add_page(tx: Tx, *, outbox_id: int, unit_id: int, at: str) -> None:
    """A page of a unit's queue, as the outbox row that sends it."""
    await tx.execute(
        "INSERT OR REPLACE INTO queue_pages(outbox_id, unit_id, created_at) VALUES (?,?,?)",
        (outbox_id, unit_id, at),
    )


async def page_for_message(tx: Tx, chat_id: int, message_id: int) -> tuple[int, int] | None:
    """(outbox row, unit) of the queue page the bot sent as this message of this chat,
    if it is a queue page at all."""
    row = await tx.fetchone(
        "SELECT p.outbox_id, p.unit_id FROM outbox o JOIN queue_pages p ON p.outbox_id = o.id"
        " WHERE o.chat_id = ? AND o.sent_message_id = ? ORDER BY o.id DESC LIMIT 1",
        (chat_id, message_id),
    )
    return (int(row[0]), int(row[1])) if row else None
