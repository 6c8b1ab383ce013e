"""The routing rule on its own: plain values in, a plan out."""

from __future__ import annotations

from bot.routing import Delivery, route

COMMUNE, PROVINCE, ISSUER = 10, 1, 20


def test_normal_tip_goes_to_its_commune_queue_only() -> None:
    plan = route(
        unit_id=COMMUNE,
        province_id=PROVINCE,
        urgent=False,
        category="drugs",
        unit_queue_chat=-1,
        duty_chat=-9,
    )
    assert plan.deliveries == [Delivery(-1, "queue", COMMUNE)]
    assert not plan.unroutable


def test_commune_without_queue_falls_back_to_duty_with_a_note() -> None:
    plan = route(
        unit_id=COMMUNE,
        province_id=PROVINCE,
        urgent=False,
        category="crime",
        unit_queue_chat=None,
        duty_chat=-9,
    )
    assert plan.deliveries == [Delivery(-9, "queue", PROVINCE, note="no_queue")]


def test_urgent_and_wanted_also_alert_duty() -> None:
    for urgent, category in ((True, "crime"), (False, "wanted")):
        plan = route(
            unit_id=COMMUNE,
            province_id=PROVINCE,
            urgent=urgent,
            category=category,
            unit_queue_chat=-1,
            duty_chat=-9,
        )
        assert plan.deliveries == [Delivery(-1, "queue", COMMUNE), Delivery(-9, "alert", PROVINCE)]


def test_urgent_without_any_queue_gets_one_card_not_a_card_and_an_alert() -> None:
    plan = route(
        unit_id=COMMUNE,
        province_id=PROVINCE,
        urgent=True,
        category="crime",
        unit_queue_chat=None,
        duty_chat=-9,
    )
    assert [d.kind for d in plan.deliveries] == ["queue"]


def test_issuing_unit_gets_its_own_working_card() -> None:
    plan = route(
        unit_id=COMMUNE,
        province_id=PROVINCE,
        urgent=True,
        category="wanted",
        unit_queue_chat=-1,
        duty_chat=-9,
        extra_units=((ISSUER, -2),),
    )
    assert plan.deliveries == [
        Delivery(-1, "queue", COMMUNE),
        Delivery(-2, "queue", ISSUER),
        Delivery(-9, "alert", PROVINCE),
    ]


def test_nothing_bound_is_unroutable() -> None:
    plan = route(
        unit_id=COMMUNE,
        province_id=PROVINCE,
        urgent=True,
        category="crime",
        unit_queue_chat=None,
        duty_chat=None,
    )
    assert plan.unroutable and plan.deliveries == []
