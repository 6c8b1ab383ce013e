"""The domain services one running tinbao offers, as one value any channel adapter can
hold: the Telegram handlers reach them through their context, a Zalo or web adapter
through whatever its framework gives. Nothing here knows a channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.digests import DigestServices
from bot.intake import IntakeService
from bot.people import People, Person
from bot.places import PlaceSearch
from bot.queues import QueueService
from bot.replies import Replies
from bot.staff import StaffService
from bot.wanted_desk import WantedDesk
from config.settings import Settings
from storage import reporters
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    people: People
    places: PlaceSearch
    intake: IntakeService
    queues: QueueService
    staff: StaffService
    digests: DigestServices
    replies: Replies
    wanted_desk: WantedDesk
    outbox_ready: Callable[[], None]
    """Called after a commit that wrote outbox rows: wakes every channel's sender (the
    rows go out without waiting for the sender's next look)."""

    async def language_of(self, person: Person) -> str:
        """The language the person chose, or the province's default."""
        async with self.db.read() as tx:
            found = await reporters.find(tx, self.people.subject(person))
        return found.language if found else self.settings.default_language
