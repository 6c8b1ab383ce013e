"""Who may act: one-time invites, joining, binding group chats, revoking officers.

Answers to ``/join`` and ``/bind*`` are outbox rows committed with what they report,
under the update's idempotency key (:mod:`bot.replies`)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot import receipt
from bot.clock import Clock
from bot.crypto import IdentityBox
from bot.dispatch import CardDispatch
from bot.fmt import when
from bot.people import People
from bot.places import PlaceSearch
from bot.replies import Origin, answer
from config.settings import Settings
from config.texts import t
from storage import bindings, officers, ratelimits, units
from storage.db import AlreadyProcessed, Database, Tx, parse_utc, utc_text

LANG = "vi"
INVITE_ALPHABET = receipt.ALPHABET


class StaffService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        places: PlaceSearch,
        clock: Clock,
        dispatch: CardDispatch | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.places = places
        self.clock = clock
        self.dispatch = dispatch
        # Rate-limit hits name a person by the same blind index as their reporter row:
        # a stranger guessing codes leaves no Telegram id in clear in the database.
        self._box = IdentityBox(settings.key_bytes)
        self.people = dispatch.people if dispatch else People(self._box, settings.default_language)

    # ------------------------------------------------------------------ setup --------
    async def create_invite(self, unit_query: str, role: str) -> tuple[str, str, str]:
        """Returns (code, unit name, expiry text). Only the code's hash is stored."""
        if role not in ("officer", "lead", "supervisor"):
            raise ValueError("role must be officer, lead or supervisor")
        async with self.db.transaction() as tx:
            unit = await units.unit_by_code(tx, unit_query.strip())
            if unit is None:
                matches = self.places.search(unit_query, limit=2)
                province = await units.get_province(tx)
                if (
                    role == "supervisor"
                    and province
                    and (unit_query.strip() in (province.code, province.name, province.short_name))
                ):
                    unit = province
                elif matches and (len(matches) == 1 or matches[0].score >= 99):
                    unit = await units.get_unit(tx, matches[0].unit_id)
            if unit is None:
                raise LookupError(f"no unit matches {unit_query!r}; use the unit code")
            if role == "supervisor" and unit.kind != "province":
                province = await units.get_province(tx)
                unit = province or unit
            code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(10))
            now = self.clock()
            expires = now + timedelta(hours=self.settings.invite_hours)
            await officers.insert_invite(
                tx,
                code_hash=_hash(code),
                unit_id=unit.id,
                role=role,
                at=utc_text(now),
                expires_at=utc_text(expires),
            )
        return code, unit.name, when(expires, LANG, self.settings.tz)

    async def join(
        self,
        *,
        user_id: int,
        display_name: str,
        code_text: str,
        origin: Origin,
        update_key: str | None,
    ) -> None:
        """Turn a one-time invite into an officer; the answer is committed with it.
        Wrong codes are counted per person (``join_attempts_per_hour``); past the limit
        even a right code waits, so guessing cannot go on at Telegram's speed."""
        try:
            async with self.db.transaction(update_key) as tx:
                text = await self._join(tx, user_id, display_name, code_text)
                await answer(tx, self.people, origin, text)
        except AlreadyProcessed:  # handled before (or the invite raced: nothing kept)
            return

    async def _join(self, tx: Tx, user_id: int, display_name: str, code_text: str) -> str:
        code = "".join(ch for ch in code_text.upper() if ch.isalnum())
        subject = self._box.blind_index("telegram", user_id)
        current = await officers.find_active(tx, user_id)
        if current is not None:
            unit = await units.get_unit(tx, current.unit_id)
            return t("join_already", LANG, unit=unit.name if unit else "?")
        now = self.clock()
        since = utc_text(now - timedelta(hours=1))
        wrong = await ratelimits.count_since(tx, subject, "join", since)
        if wrong >= self.settings.join_attempts_per_hour:
            return t("join_limited", LANG)
        invite = await officers.invite_by_hash(tx, _hash(code))
        if invite is None or invite.used_at or parse_utc(invite.expires_at) < now:
            await ratelimits.record(tx, subject, "join", utc_text(now))
            return t("join_bad", LANG)
        at = utc_text(now)
        officer_id = await officers.insert(
            tx,
            telegram_user_id=user_id,
            display_name=display_name[:64],
            unit_id=invite.unit_id,
            role=invite.role,
            at=at,
        )
        if not await officers.consume_invite(tx, invite.id, officer_id, at):
            raise AlreadyProcessed("invite raced")  # rolls the officer back
        unit = await units.get_unit(tx, invite.unit_id)
        return t(
            "join_ok",
            LANG,
            name=display_name,
            role=t(f"role_{invite.role}", LANG),
            unit=unit.name if unit else "?",
        )

    async def bind(
        self,
        *,
        user_id: int,
        origin: Origin,
        title: str | None,
        purpose: str,
        missing_rights: list[str],
        update_key: str | None,
    ) -> None:
        """``/bindqueue``, ``/bindduty``, ``/bindsupervisors`` in a group: the binding, the
        cards of tips that reached no chat so far, and the answer (after those cards, as
        it counts them) commit together."""
        try:
            async with self.db.transaction(update_key) as tx:
                text = await self._bind(tx, user_id, origin.chat_id, title, purpose, missing_rights)
                await answer(tx, self.people, origin, text)
        except AlreadyProcessed:
            return

    async def _bind(
        self,
        tx: Tx,
        user_id: int,
        chat_id: int,
        title: str | None,
        purpose: str,
        missing_rights: list[str],
    ) -> str:
        officer = await officers.find_active(tx, user_id)
        if officer is None:
            return t("q_only_officers", LANG)
        if purpose == "queue" and officer.role not in ("lead", "supervisor"):
            return t("bind_need_lead", LANG)
        if purpose in ("duty", "supervisors") and officer.role != "supervisor":
            return t("bind_need_supervisor", LANG)
        if missing_rights:
            return t(
                "bind_missing_rights",
                LANG,
                missing=", ".join(t(f"right_{r}", LANG) for r in missing_rights),
            )
        unit_id = officer.unit_id
        if purpose != "queue":
            province = await units.get_province(tx)
            unit_id = province.id if province else unit_id
        if any(b.unit_id != unit_id for b in await bindings.for_chat(tx, chat_id)):
            # A group is one unit's: re-pointing it would show this unit's tips to the
            # other unit's officers (and take their queue away without a word).
            return t("bind_other_unit", LANG)
        await bindings.bind(
            tx,
            chat_id=chat_id,
            purpose=purpose,
            unit_id=unit_id,
            title=title,
            officer_id=officer.id,
            at=utc_text(self.clock()),
        )
        # tips that reached no chat so far come here now, with the binding
        surfaced = 0
        if self.dispatch is not None:
            surfaced = await self.dispatch.surface_unrouted(tx, purpose, unit_id)
        unit = await units.get_unit(tx, unit_id)
        text = t(
            "bind_ok", LANG, purpose=t(f"purpose_{purpose}", LANG), unit=unit.name if unit else "?"
        )
        return text + ("\n" + t("bind_surfaced", LANG, n=surfaced) if surfaced else "")

    async def digest_opt_in(
        self, *, user_id: int, origin: Origin, on: bool, update_key: str | None
    ) -> None:
        """``/digest [off]``: a supervisor, in their private chat, opts in or out of the
        daily digest; the answer commits with the choice."""
        try:
            async with self.db.transaction(update_key) as tx:
                officer = await officers.find_active(tx, user_id)
                if officer is None or officer.role != "supervisor":
                    text = t("s_only_supervisors", LANG)
                elif not origin.private:
                    text = t("q_private_only", LANG)
                else:
                    await officers.set_digest_opt_in(tx, officer.id, on)
                    when_text = self.settings.daily_digest_time.strftime("%H:%M")
                    key = "s_digest_on" if on else "s_digest_off"
                    text = t(key, LANG, time=when_text) if on else t(key, LANG)
                await answer(tx, self.people, origin, text)
        except AlreadyProcessed:
            return

    async def chat_migrated(
        self, *, old_chat_id: int, new_chat_id: int, update_key: str | None
    ) -> int:
        """Telegram announced that a group became a supergroup (a service message in
        each of the two chats): the bindings, cards and pending messages follow it.
        Only Telegram writes these messages, so they need no officer's authority; the
        second announcement finds nothing left to move. Returns the cards sent again."""
        try:
            async with self.db.transaction(update_key) as tx:
                if self.dispatch is None:
                    await bindings.move_chat(tx, old_chat_id, new_chat_id)
                    return 0
                return await self.dispatch.follow_migration(tx, old_chat_id, new_chat_id)
        except AlreadyProcessed:
            return 0

    async def revoke(self, officer_id: int) -> bool:
        async with self.db.transaction() as tx:
            return await officers.revoke(tx, officer_id, utc_text(self.clock()))


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
