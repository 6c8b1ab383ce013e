"""SQL for chat bindings: which group is a unit's queue, the duty queue, the supervisors'."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class Binding:
    id: int
    chat_id: int
    purpose: str  # queue | duty | supervisors
    unit_id: int
    title: str | None


async def for_unit(tx: Tx, purpose: str, unit_id: int) -> Binding | None:
    row = await tx.fetchone(
        "SELECT id, chat_id, purpose, unit_id, title FROM chat_bindings"
        " WHERE purpose = ? AND unit_id = ? AND active = 1",
        (purpose, unit_id),
    )
    return Binding(*row) if row else None


async def for_chat(tx: Tx, chat_id: int) -> list[Binding]:
    rows = await tx.fetchall(
        "SELECT id, chat_id, purpose, unit_id, title FROM chat_bindings"
        " WHERE chat_id = ? AND active = 1 ORDER BY id",
        (chat_id,),
    )
    return [Binding(*r) for r in rows]


async def bind(
    tx: Tx, *, chat_id: int, purpose: str, unit_id: int, title: str | None, officer_id: int, at: str
) -> int:
    """Make ``chat_id`` the chat for (purpose, unit), replacing any previous one."""
    await tx.execute(
        "UPDATE chat_bindings SET active = 0 WHERE purpose = ? AND unit_id = ? AND active = 1",
        (purpose, unit_id),
    )
    return await tx.execute(
        "INSERT INTO chat_bindings(chat_id, purpose, unit_id, title, bound_by, bound_at)"
        " VALUES (?,?,?,?,?,?)",
        (chat_id, purpose, unit_id, title, officer_id, at),
    )


async def all_active(tx: Tx) -> list[Binding]:
    """Every bound chat (``check-config --online`` asks Telegram about each)."""
    rows = await tx.fetchall(
        "SELECT id, chat_id, purpose, unit_id, title FROM chat_bindings WHERE active = 1"
        " ORDER BY purpose, unit_id"
    )
    return [Binding(*r) for r in rows]


async def move_chat(tx: Tx, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup with a new id: its bindings follow it."""
    return await tx.execute(
        "UPDATE chat_bindings SET chat_id = ? WHERE chat_id = ? AND active = 1",
        (new_chat_id, old_chat_id),
    )
