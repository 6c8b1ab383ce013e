"""Checks that stop tinbao at start rather than let it do harm.

A wrong ``TINBAO_SECRET_KEY`` would not fail loudly on its own: new reporters would be
sealed with it and old ones could never be opened again (their replies, their phones),
the two kinds mixed in one file. A token of another bot would answer citizens from a
stranger and post into groups bound by someone else. Both are compared at every start
with what the database recorded the first time.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag

from bot.people import IDENTITY_CONTEXT, People
from storage import meta
from storage.db import Database

KEY_CANARY = "key_canary"
BOT_ID = "bot_id"
_CANARY = {"tinbao": "the key that sealed this database"}


class StartRefused(Exception):
    """The one line an operator reads; it names the setting at fault."""


async def check_key(db: Database, people: People) -> None:
    async with db.transaction() as tx:
        sealed = await meta.get(tx, KEY_CANARY)
        if sealed is None:
            sealed = await meta.any_identity(tx)  # a database from before the canary
            blob = people.box.seal(_CANARY, context=KEY_CANARY)
            if sealed is None:
                await meta.put_new(tx, KEY_CANARY, blob)
                return
            context = IDENTITY_CONTEXT
        else:
            context = KEY_CANARY
        try:
            people.box.open(sealed, context=context)
        except (InvalidTag, ValueError):
            raise StartRefused(
                "TINBAO_SECRET_KEY does not open the identities sealed in"
                f" {db.path}: it is not the key this database was made with (restore the"
                " original key; a new key would seal new reporters differently)"
            ) from None
        if context == IDENTITY_CONTEXT:
            await meta.put_new(tx, KEY_CANARY, people.box.seal(_CANARY, context=KEY_CANARY))


async def check_bot(db: Database, bot_id: int, username: str | None) -> None:
    async with db.transaction() as tx:
        recorded = await meta.get(tx, BOT_ID)
        if recorded is None:
            await meta.put_new(tx, BOT_ID, str(bot_id).encode())
            return
    if recorded.decode() != str(bot_id):
        raise StartRefused(
            f"TINBAO_BOT_TOKEN is the token of @{username} (id {bot_id}), but this database"
            f" was run with bot id {recorded.decode()}: its groups and citizens' chats"
            " belong to that bot (use its token, or a new database)"
        )
