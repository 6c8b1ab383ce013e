"""Telling a person when the bot could not do its job: a message the channel refused for
good, an incoming event nobody can read. The channel adapters call these hooks (the
sender on a permanent failure, the inbox on an event it sets aside) inside their own
transaction, so the alert commits with the failure it reports."""

from __future__ import annotations

from bot import receipt
from bot.clock import Clock
from config.texts import t
from storage import bindings, outbox, tips, units
from storage.db import Tx, utc_text
from storage.outbox import OutboxRow

LANG = "vi"


async def alert_duty(tx: Tx, text: str, *, purpose: str) -> bool:
    """Into the duty group, or the supervisors' group while no duty group is bound; False
    when neither is bound (the caller's log line is then all there is)."""
    province = await units.get_province(tx)
    if province is None:
        return False
    target = await bindings.for_unit(tx, "duty", province.id)
    target = target or await bindings.for_unit(tx, "supervisors", province.id)
    if target is None:
        return False
    await outbox.enqueue_text(tx, text, at=tx.now_text(), purpose=purpose, chat_id=target.chat_id)
    return True


class Alerts:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def on_refused_event(self, tx: Tx, event_key: str, reason: str, failed: bool) -> None:
        """An incoming event nobody can read, or whose handling failed every time, is set
        aside, once, and a person is told: the duty group, or the supervisors when no duty
        group is bound. The alert names the event's key and the error's class only."""
        await alert_duty(
            tx,
            t("inbox_failed", LANG, event=event_key, error=reason)
            if failed
            else t("inbox_refused", LANG, event=event_key),
            purpose="inbox_alert",
        )

    async def on_delivery_failure(self, tx: Tx, row: OutboxRow, error: str) -> None:
        """A permanent delivery failure raises an alert in the duty group, or in the
        supervisors' group when no duty group is bound (never about a failed alert
        itself, and never into the chat that refused, so a dead chat cannot cause a
        storm). The alert names the purpose, the chat's role and the receipt code:
        no reporter identity and nothing of the tip's content."""
        if row.purpose == "delivery_alert":
            return
        province = await units.get_province(tx)
        target_chat = None
        for purpose in ("duty", "supervisors"):
            bound = await bindings.for_unit(tx, purpose, province.id) if province else None
            if bound is not None and bound.chat_id != row.chat_id:
                target_chat = bound.chat_id
                break
        if target_chat is None:
            return
        target = t("delivery_to_reporter", LANG) if row.reporter_id else str(row.chat_id)
        if row.chat_id is not None:
            for binding in await bindings.for_chat(tx, row.chat_id):
                unit = await units.get_unit(tx, binding.unit_id)
                target = f"{t('purpose_' + binding.purpose, LANG)} {unit.name if unit else ''}"
        if row.tip_id:
            code = await tips.code_of(tx, row.tip_id)
            if code:
                target = t("delivery_target_tip", LANG, target=target, code=receipt.display(code))
        text = t("delivery_failed", LANG, purpose=row.purpose, target=target, error=error[:200])
        await outbox.enqueue_text(
            tx,
            text,
            at=utc_text(self.clock()),
            purpose="delivery_alert",
            chat_id=target_chat,
            tip_id=row.tip_id,
        )
