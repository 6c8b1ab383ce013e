"""Officers' free-text prompts: the question for the reporter, the commune a tip goes
to, the original of a duplicate. A prompt is answered only by a reply to the prompt's
own message, by the officer who pressed, within ``prompt_minutes``: in a busy group
anything else is the group's own conversation. A question is shown back for «Gửi»
before anything reaches the reporter, under a draft id of its own, so a button under an
earlier draft can never send a later one."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import receipt
from bot.clock import Clock
from bot.dialogue import Button, Screen
from bot.errors import NotAuthorized, StaleButton, TinbaoError
from bot.lifecycle import Lifecycle, allowed
from bot.officer_relay import OfficerRelay, question_text
from bot.places import PlaceSearch
from bot.queue_reply import Reply
from config.settings import Settings
from config.texts import t
from storage import cards, officers, reporters, tips
from storage.db import Tx, parse_utc, utc_text
from storage.officers import Officer

LANG = "vi"


class Prompts:
    def __init__(
        self,
        settings: Settings,
        places: PlaceSearch,
        clock: Clock,
        lifecycle: Lifecycle,
        relay: OfficerRelay,
    ) -> None:
        self.settings = settings
        self.places = places
        self.clock = clock
        self.lifecycle = lifecycle
        self.relay = relay

    async def open(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, kind: str, at: str
    ) -> Reply:
        """Ask the officer for free text (the question, the commune, the original's code).
        Only their reply to this prompt's message, in time, will answer it."""
        prompt_id = await cards.open_prompt(
            tx, officer_id=officer.id, chat_id=chat_id, kind=kind, tip_id=tip.id, at=at
        )
        text = t(
            f"q_{kind}_prompt",
            LANG,
            who=officer.display_name,
            code=receipt.display(tip.code),
            minutes=self.settings.prompt_minutes,
        )
        return Reply(screens=[Screen(text)], force_reply=True, prompt_id=prompt_id)

    def _expired(self, since: str) -> bool:
        return self.clock() - parse_utc(since) > timedelta(minutes=self.settings.prompt_minutes)

    def _expired_text(self) -> str:
        return t("q_prompt_expired", LANG, minutes=self.settings.prompt_minutes)

    async def answer(
        self,
        tx: Tx,
        user_id: int,
        chat_id: int,
        reply_to: int,
        text: str,
        reply_to_bot_at: datetime | None,
    ) -> Reply | None:
        """A reply in a police chat: the answer to the prompt it replies to, or None when
        it answers no prompt of this officer's (someone else's, or no prompt at all)."""
        prompt = await cards.prompt_for_message(tx, chat_id, reply_to)
        officer = await officers.find_active(tx, user_id)
        if prompt is None and officer is not None and reply_to_bot_at is not None:
            sent_at = utc_text(reply_to_bot_at)[:19]
            prompt = await cards.prompt_for_lost_copy(tx, chat_id, officer.id, reply_to, sent_at)
        if prompt is None:
            return None  # a reply to some other message
        if officer is None or officer.id != prompt.officer_id:
            return None  # someone else's prompt: not theirs to answer
        at = utc_text(self.clock())
        if prompt.closed_at is not None or self._expired(prompt.created_at):
            await cards.close_prompt(tx, prompt.id, at)
            return Reply(screens=[Screen(self._expired_text())])
        tip = await tips.by_id(tx, prompt.tip_id)
        try:
            officer = await self.lifecycle.authorize(tx, user_id, tip)
        except TinbaoError as refused:  # the prompt ends with the refusal
            await cards.close_prompt(tx, prompt.id, at)
            note = refused.text(LANG)
            return Reply(alert=note, screens=[Screen(note)])
        assert tip is not None
        return await self._answer_prompt(tx, officer, tip, prompt, text.strip(), at)

    async def _answer_prompt(
        self, tx: Tx, officer: Officer, tip: tips.Tip, prompt: cards.Prompt, text: str, at: str
    ) -> Reply:
        """A transfer search or a wrong code leaves the prompt open (the officer may reply
        again); a question is shown back for «Gửi» before anything reaches the reporter."""
        code = receipt.display(tip.code)
        if prompt.kind == "transfer":
            matches = self.places.search(text, limit=5)
            if not matches:
                return Reply(
                    screens=[
                        Screen(
                            t("place_none", LANG, query=text[:60], province=self.settings.province)
                        )
                    ]
                )
            await cards.close_prompt(tx, prompt.id, at)
            rows = [[Button(m.name, "xfer", f"{tip.id}:{m.unit_id}")] for m in matches]
            return Reply(screens=[Screen(t("q_transfer_pick", LANG, code=code), rows)])
        if prompt.kind == "duplicate":
            try:
                original = await tips.by_code(tx, receipt.canonical(text))
            except receipt.MalformedCode:
                original = None
            if original is None or original.id == tip.id:
                return Reply(screens=[Screen(t("q_dup_self", LANG))])
            await cards.close_prompt(tx, prompt.id, at)
            if not allowed("close", tip.status):
                state = await self.lifecycle.state(tx, tip)
                return Reply(screens=[Screen(t("q_stale", LANG, state=state))])
            reply = await self.lifecycle.close(
                tx, officer, tip, "duplicate", at, duplicate_of=original.id
            )
            return Reply(screens=[Screen(reply.alert or "")], changed=True)
        # ask
        if not allowed("ask", tip.status) or tip.reporter_id is None:
            await cards.close_prompt(tx, prompt.id, at)
            state = await self.lifecycle.state(tx, tip)
            return Reply(screens=[Screen(t("q_stale", LANG, state=state))])
        question = text[: self.settings.description_max_chars]
        # a fresh id per draft: «Gửi» under an earlier draft can never send this one
        draft_id = await cards.open_prompt(
            tx,
            officer_id=officer.id,
            chat_id=prompt.chat_id,
            kind="ask",
            tip_id=tip.id,
            at=at,
            created_at=prompt.created_at,
            outbox_id=prompt.outbox_id,
            draft=question,
        )
        reporter = await reporters.get(tx, tip.reporter_id)
        preview = t(
            "q_ask_confirm",
            LANG,
            pseudonym=reporter.pseudonym if reporter else "?",
            message=question_text(tip, question),
            minutes=self.settings.prompt_minutes,
        )
        value = f"{tip.id}:{draft_id}"
        buttons = [
            [
                Button(t("qbtn_ask_send", LANG), "asksend", value),
                Button(t("qbtn_ask_cancel", LANG), "askcancel", value),
            ]
        ]
        return Reply(screens=[Screen(preview, buttons)], sealed=True)

    async def confirm_question(
        self,
        tx: Tx,
        officer: Officer,
        tip: tips.Tip,
        chat_id: int,
        action: str,
        arg: str,
        at: str,
    ) -> Reply:
        """«Gửi» or «Hủy» under a drafted question: only its officer, only that draft,
        only in time; anything else changes nothing."""
        prompt = await cards.prompt_by_id(tx, int(arg)) if arg.isdigit() else None
        if (
            prompt is None
            or prompt.kind != "ask"
            or prompt.tip_id != tip.id
            or prompt.chat_id != chat_id
            or prompt.drafted_at is None
        ):
            raise StaleButton()
        if prompt.officer_id != officer.id:
            raise NotAuthorized("q_prompt_not_yours")
        if prompt.closed_at is not None or prompt.draft is None:
            return Reply(alert=self._expired_text())
        await cards.close_prompt(tx, prompt.id, at)
        if action == "askcancel":
            note = t("q_ask_cancelled", LANG)
            return Reply(alert=note, settle=note)
        if self._expired(prompt.drafted_at):
            return Reply(alert=self._expired_text(), settle=t("q_prompt_lapsed", LANG))
        if not allowed("ask", tip.status) or tip.reporter_id is None:
            await self.lifecycle.dispatch.refresh(tx, tip.id, at)
            state = await self.lifecycle.state(tx, tip)
            return Reply(alert=t("q_stale", LANG, state=state), settle=state)
        note = await self.relay.send_question(tx, officer, tip, prompt.draft, at)
        return Reply(alert=note, settle=note, changed=True)
