"""A province seeded straight into SQL, for the tests of what is computed over many tips
(digests, deadlines, reports, exports) rather than of how tips arrive.

``Seed`` writes units, chat bindings, officers, tips with their events, wanted notices and
failed deliveries through a ``Tx``, dated in the province's wall-clock time (``local``),
so a scenario states a month of history in a few lines; the chats are plain ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import receipt
from config.settings import DEMO_TOKEN, Settings
from storage.db import Tx, utc_text
from tests.harness import KEY

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QUEUE_A, QUEUE_B, DUTY, SUPERVISORS, SUPERVISOR_USER = -1001, -1002, -2000, -3000, 777


def province_settings(**extra: Any) -> Settings:
    """Ninh Bình's settings with the legal deadlines and digest times the scenarios count
    on, read from no ``.env``; ``extra`` overrides."""
    values: dict[str, Any] = {
        "bot_token": DEMO_TOKEN,
        "secret_key": KEY,
        "timezone": "Asia/Ho_Chi_Minh",
        "default_language": "vi",
        "province": "Ninh Bình",
        "ack_minutes_urgent": 15,
        "ack_minutes_normal": 240,
        "transfer_hours": 24,
        "transfer_hours_remote": 48,
        "verification_days": 20,
        "verification_warn_day": 15,
        "daily_digest_time": "07:00",
        "weekly_digest_weekday": 0,
        "monthly_digest_day": 1,
        "_env_file": None,
    }
    values.update(extra)
    return Settings(**values)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in the province, as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def text(moment: datetime | None) -> str | None:
    return utc_text(moment) if moment else None


class Seed:
    """Plain SQL through Tx: units, chats, officers, tips with their events."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def unit(self, short: str, kind: str = "commune", remote: bool = False) -> int:
        name = short if kind == "province" else f"Xã {short}"
        return await self.tx.execute(
            "INSERT INTO units(code, kind, name, short_name, unit_type, search_key, remote,"
            " synced_at) VALUES (?,?,?,?,?,?,?,?)",
            (f"U-{short}", kind, name, short, "Xã", short.lower(), int(remote), "2026-01-01"),
        )

    async def bind(self, chat_id: int, purpose: str, unit_id: int) -> None:
        await self.tx.execute(
            "INSERT INTO chat_bindings(chat_id, purpose, unit_id, bound_at) VALUES (?,?,?,?)",
            (chat_id, purpose, unit_id, "2026-01-01 00:00:00.000000"),
        )

    async def officer(self, user: int, unit_id: int, role: str, opt_in: bool) -> int:
        return await self.tx.execute(
            "INSERT INTO officers(telegram_user_id, display_name, unit_id, role, joined_at,"
            " digest_opt_in) VALUES (?,?,?,?,?,?)",
            (user, f"Cán bộ {user}", unit_id, role, "2026-01-01", int(opt_in)),
        )

    async def tip(
        self,
        unit: int,
        at: datetime,
        *,
        category: str = "crime",
        urgent: bool = False,
        status: str = "new",
        outcome: str | None = None,
        acknowledged: datetime | None = None,
        closed: datetime | None = None,
        moved_to: int | None = None,
        moved_at: datetime | None = None,
        reporter_id: int | None = None,
        description: str = "Mô tả sự việc",
        notice: int | None = None,
    ) -> tuple[int, str]:
        code = receipt.new_code()
        tip_id = await self.tx.execute(
            "INSERT INTO tips(code, idempotency_key, reporter_id, channel, category, urgent,"
            " unit_id, current_unit_id, address, occurred, description, status, outcome,"
            " language, created_at, updated_at, acknowledged_at, closed_at, transfers,"
            " wanted_notice_id) VALUES (?,?,?,'telegram',?,?,?,?,?,'today',?,?,?,'vi',?,?,?,?,?,?)",
            (
                code,
                code,
                reporter_id,
                category,
                int(urgent),
                unit,
                moved_to or unit,
                "Thôn 3",
                description,
                status,
                outcome,
                text(at),
                text(closed or at),
                text(acknowledged),
                text(closed),
                1 if moved_to else 0,
                notice,
            ),
        )
        await self.event(tip_id, at, "submitted", None, "new", "reporter")
        if acknowledged:
            await self.event(tip_id, acknowledged, "acknowledged", "new", "acknowledged")
        if moved_to and moved_at:
            await self.event(tip_id, moved_at, "transferred", "new", "transferred")
        if closed:
            await self.event(tip_id, closed, "closed", "in_progress", "closed")
        return tip_id, code

    async def notice(
        self,
        warrant: str,
        issuer: int,
        *,
        dangerous: bool = False,
        reason: str | None = None,
        withdrawn: datetime | None = None,
    ) -> int:
        """A wanted notice: active, or withdrawn for ``reason`` at ``withdrawn``."""
        return await self.tx.execute(
            "INSERT INTO wanted_notices(warrant_number, warrant_date, full_name, search_key,"
            " sex, last_residence, offence, issuing_unit_id, dangerous, status,"
            " withdrawn_reason, withdrawn_at, created_at, updated_at)"
            " VALUES (?,'2026-01-05',?,?,'male','Thôn 2','Cướp tài sản',?,?,?,?,?,?,?)",
            (
                warrant,
                f"Nguyễn Văn {warrant}",
                f"nguyen van {warrant.lower()}",
                issuer,
                int(dangerous),
                "withdrawn" if reason else "active",
                reason,
                text(withdrawn),
                "2026-01-05 00:00:00.000000",
                text(withdrawn) or "2026-01-05 00:00:00.000000",
            ),
        )

    async def event(
        self,
        tip_id: int,
        at: datetime,
        action: str,
        from_status: str | None,
        to_status: str | None,
        actor: str = "officer",
    ) -> None:
        await self.tx.execute(
            "INSERT INTO tip_events(tip_id, at, actor_kind, action, from_status, to_status)"
            " VALUES (?,?,?,?,?,?)",
            (tip_id, text(at), actor, action, from_status, to_status),
        )

    async def failed(self, chat_id: int, at: datetime) -> None:
        await self.tx.execute(
            "INSERT INTO outbox(created_at, chat_id, method, payload, purpose, status,"
            " next_attempt_at) VALUES (?,?,'sendMessage','{}','card','failed',?)",
            (text(at), chat_id, text(at)),
        )
