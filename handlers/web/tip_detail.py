"""Chi tiết: one tip as its card shows it in Telegram (bot/card_facts.py: the same facts,
the phone only for a tip whose citizen chose to be contactable, never the reporter's
identity), its three clocks, its audit history in words, the tips linked to it, its
wanted notice and its evidence.

Every view is written to the tip's audit trail (``web_view``: who looked, when), in the
same transaction that reads it. Another unit's tip is as unknown as a missing one (404).
Evidence is held by Telegram (file ids, no bytes here); the page lists it and says so
rather than have the web page call Telegram.

Who may see the phone: in Telegram the card, phone included, goes to the unit's queue
group (every officer of the unit, whatever their role) and, through ``/tip`` and the duty
group, to supervisors; so every viewer who may open the tip here (the unit holding it, a
supervisor) sees what its card shows, and nobody else sees the tip at all."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import card_facts, receipt
from bot.deadlines import LATE, MET, OVERDUE, RUNNING, Deadline, span, tip_clocks
from bot.exports import category_name
from bot.fmt import number, when
from config.texts import TEXTS, status_label, t
from handlers.web.common import LANG, Pages, Viewer, province_name
from storage import officers, tips, units
from storage import wanted as wanted_store
from storage.db import Tx, parse_utc, utc_text

# Actions whose note is the words of a person (a question, a citizen's addition, the
# reason for closing); the system's notes are for the log, not for the page.
SPOKEN = frozenset({"asked", "question_sent", "answered", "reporter_added", "closed"})
NOTE_CHARS = 200


def action_label(action: str) -> str:
    key = f"web_act_{action}"
    return t(key, LANG) if key in TEXTS else action


def clock_line(name_key: str, d: Deadline, now: datetime) -> dict[str, str]:
    left = d.margin(now)
    state = {
        RUNNING: t("web_clock_left", LANG, span=span(left, LANG)),
        OVERDUE: t("web_clock_over", LANG, span=span(left, LANG)),
        MET: t("clock_met", LANG),
        LATE: t("clock_late", LANG, span=span(left, LANG)),
    }[d.state]
    return {"name": t(name_key, LANG), "state": state, "kind": d.state}


async def show(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    try:
        code = receipt.canonical(request.match_info["code"])
    except receipt.MalformedCode:
        return pages.not_found(viewer)
    s = pages.services
    settings, now = s.settings, s.clock()
    tz = settings.tz
    async with s.db.transaction() as tx:
        tip = await tips.by_code(tx, code)
        if tip is None or not viewer.may_see(tip.current_unit_id):
            return pages.not_found(viewer)
        await tips.add_event(
            tx,
            tip.id,
            at=utc_text(now),
            actor_kind="officer",
            actor_id=viewer.officer.id,
            action="web_view",
        )
        card = await card_facts.card_text(tx, tip, settings, s.people)
        history = await _history(tx, tip.id, tz)
        clocks = await tip_clocks(tx, tip.id, settings, now)
        unit = await units.get_unit(tx, tip.unit_id)
        holder = await units.get_unit(tx, tip.current_unit_id)
        linked, hidden = await _linked(tx, tip, viewer)
        notice = await wanted_store.get(tx, tip.wanted_notice_id) if tip.wanted_notice_id else None
        evidence = [
            {
                "kind": t(f"web_kind_{a.kind}", LANG),
                "size": _size(a.size_bytes),
                "mime": a.mime_type or "",
            }
            for a in await tips.attachments(tx, tip.id)
        ]
        province = await province_name(tx)
    lines = []
    if clocks is not None:
        a = clocks.acknowledge
        lines.append({**clock_line("web_clock_ack", a, now), "due": when(a.due_at, LANG, tz)})
        kept = a.state in (MET, LATE) and clocks.transfer is not None
        kept = kept and clocks.transfer is not None and clocks.transfer.state == OVERDUE
        if clocks.transfer is not None and not kept:
            d = clocks.transfer
            hours = int(d.limit.total_seconds() // 3600)
            line = clock_line("web_clock_transfer", d, now)
            line["name"] = t("web_clock_transfer", LANG, hours=hours)
            lines.append({**line, "due": when(d.due_at, LANG, tz)})
        v = clocks.verification
        line = clock_line("web_clock_verification", v, now)
        line["name"] = t(
            "web_clock_verification", LANG, day=clocks.verification_day, days=v.limit.days
        )
        lines.append({**line, "due": when(v.due_at, LANG, tz)})
    return pages.page(
        "tip.html",
        viewer,
        current="tips",
        title=t("web_title", LANG, province=province),
        heading=t("web_tip_title", LANG, code=receipt.display(tip.code)),
        card=card,
        category=category_name(tip.category, LANG),
        urgent=tip.urgent,
        status=status_label(tip.status, LANG),
        commune=unit.name if unit else "?",
        holder=holder.name if holder else "?",
        received=when(parse_utc(tip.created_at), LANG, tz),
        description=tip.description,
        clocks=lines,
        history=history,
        linked=linked,
        hidden=t("web_linked_hidden", LANG, n=hidden) if hidden else "",
        notice={"id": notice.id, "name": notice.full_name, "warrant": notice.warrant_number}
        if notice
        else None,
        evidence=evidence,
        evidence_note=t("web_evidence_note", LANG) if evidence else "",
    )


async def _history(tx: Tx, tip_id: int, tz: ZoneInfo) -> list[dict[str, str]]:
    found = []
    names: dict[int, str] = {}
    for event in await tips.events(tx, tip_id):
        if event.actor_kind == "officer" and event.actor_id:
            if event.actor_id not in names:
                row = await officers.get(tx, event.actor_id)
                names[event.actor_id] = row.display_name if row else "?"
            actor = names[event.actor_id]
        elif event.actor_kind == "reporter":
            actor = t("web_reporter", LANG)
        else:
            actor = t("web_system", LANG)
        change = ""
        if event.from_status and event.to_status:
            change = (
                f"{status_label(event.from_status, LANG)} → {status_label(event.to_status, LANG)}"
            )
        note = event.note[:NOTE_CHARS] if event.note and event.action in SPOKEN else ""
        found.append(
            {
                "at": when(parse_utc(event.at), LANG, tz),
                "action": action_label(event.action),
                "code": event.action,
                "actor": actor,
                "change": change,
                "note": note,
            }
        )
    return found


async def _linked(tx: Tx, tip: tips.Tip, viewer: Viewer) -> tuple[list[dict[str, str]], int]:
    """The original of a duplicate and the other sightings of the same wanted notice: the
    links the domain keeps (tips are not linked by reporter: that would unmask them).
    Those outside the viewer's scope are only counted."""
    found: list[dict[str, str]] = []
    hidden = 0
    original = await tips.duplicate_of_code(tx, tip.id)
    if original:
        other = await tips.by_code(tx, original)
        if other is not None and viewer.may_see(other.current_unit_id):
            found.append({"code": receipt.display(original), "why": t("web_link_original", LANG)})
        else:
            hidden += 1
    if tip.wanted_notice_id:
        for other in await tips.sightings_of(tx, tip.wanted_notice_id, exclude=tip.id):
            if viewer.may_see(other.current_unit_id):
                found.append(
                    {"code": receipt.display(other.code), "why": t("web_link_sighting", LANG)}
                )
            else:
                hidden += 1
    return found, hidden


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    if size < 1024 * 1024:
        return t("web_size_kb", LANG, n=number(max(1, round(size / 1024)), LANG, 0))
    return t("web_size_mb", LANG, n=number(size / (1024 * 1024), LANG, 1))
