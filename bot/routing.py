"""Where a committed tip goes: a pure function, so the rule is tested on its own.

The commune's queue if it has one; otherwise the province duty queue, with a note
saying so (a tip must never wait in a queue nobody reads). Urgent tips and wanted-person
sightings also alert the duty queue at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Delivery:
    chat_id: int
    kind: str  # 'queue': the working card; 'alert': a heads-up copy
    unit_id: int  # whose chat it is
    note: str | None = None  # 'no_queue' when the duty queue stands in for the commune


@dataclass(frozen=True)
class RoutingPlan:
    deliveries: list[Delivery] = field(default_factory=list)
    unroutable: bool = False  # no queue and no duty chat bound: the setup is incomplete


def route(
    *,
    unit_id: int,
    province_id: int,
    urgent: bool,
    category: str,
    unit_queue_chat: int | None,
    duty_chat: int | None,
    extra_units: tuple[tuple[int, int | None], ...] = (),
) -> RoutingPlan:
    """Plan the deliveries of a tip. ``extra_units`` are further (unit, queue chat) pairs
    that must also get a working card, such as the unit that issued a wanted notice."""
    deliveries: list[Delivery] = []
    seen: set[int] = set()

    def add(delivery: Delivery) -> None:
        if delivery.chat_id not in seen:
            seen.add(delivery.chat_id)
            deliveries.append(delivery)

    for target_unit, chat in ((unit_id, unit_queue_chat), *extra_units):
        if chat is not None:
            add(Delivery(chat, "queue", target_unit))
        elif duty_chat is not None:
            add(Delivery(duty_chat, "queue", province_id, note="no_queue"))
    if (urgent or category == "wanted") and duty_chat is not None:
        add(Delivery(duty_chat, "alert", province_id))
    return RoutingPlan(deliveries, unroutable=not deliveries)
