"""The texts of a wanted notice: the public card a citizen sees, and the police card
that adds the record's state. Only public fields ever reach a citizen."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.fmt import when
from bot.wanted_csv import VIETNAM
from config.texts import t
from storage.db import parse_utc
from storage.wanted import WantedNotice


def _date(iso: str, lang: str) -> str:
    day = date.fromisoformat(iso)
    return day.isoformat() if lang == "en" else day.strftime("%d/%m/%Y")


def issuer_name(unit_name: str, lang: str) -> str:
    """ "Công an phường Tam Chúc": in running Vietnamese text the unit type is lower case."""
    if lang == "en":
        return t("issuer", lang, unit=unit_name)
    return t("issuer", lang, unit=unit_name[:1].lower() + unit_name[1:])


def public_card(notice: WantedNotice, lang: str) -> str:
    """What a citizen may see: the fields printed on a public wanted notice, nothing of
    the record's internals, and for a dangerous person the warning not to approach."""
    lines = [t("w_card_title", lang), t("card_name", lang, name=notice.full_name.upper())]
    if notice.aliases:
        lines.append(t("card_aliases", lang, aliases="; ".join(notice.aliases)))
    year = str(notice.birth_year) if notice.birth_year else t("year_unknown", lang)
    lines.append(t("card_born_sex", lang, year=year, sex=t(f"sex_{notice.sex}", lang)))
    lines.append(t("card_residence", lang, place=notice.last_residence))
    lines.append(t("card_offence", lang, offence=notice.offence))
    lines.append(
        t(
            "card_warrant",
            lang,
            number=notice.warrant_number,
            date=_date(notice.warrant_date, lang),
            issuer=issuer_name(notice.issuing_unit_name, lang),
        )
    )
    if notice.dangerous:
        lines += ["", t("card_dangerous", lang)]
    lines += ["", t("card_call_to_action", lang)]
    return "\n".join(lines)


def police_card(notice: WantedNotice, lang: str, tz: ZoneInfo = VIETNAM) -> str:
    """The public card's facts plus the record's state, for officers and the operator."""
    if notice.active:
        status = t("status_active", lang)
    else:
        status = t(
            "status_withdrawn",
            lang,
            reason=t(f"reason_{notice.withdrawn_reason}", lang),
            at=when(parse_utc(str(notice.withdrawn_at)), lang, tz),
        )
    lines = [
        t("police_header", lang, id=notice.id, status=status),
        t("card_name", lang, name=notice.full_name.upper()),
    ]
    if notice.aliases:
        lines.append(t("card_aliases", lang, aliases="; ".join(notice.aliases)))
    year = str(notice.birth_year) if notice.birth_year else t("year_unknown", lang)
    lines += [
        t("card_born_sex", lang, year=year, sex=t(f"sex_{notice.sex}", lang)),
        t("card_residence", lang, place=notice.last_residence),
        t("card_offence", lang, offence=notice.offence),
        t(
            "card_warrant",
            lang,
            number=notice.warrant_number,
            date=_date(notice.warrant_date, lang),
            issuer=issuer_name(notice.issuing_unit_name, lang),
        ),
        t("police_dangerous" if notice.dangerous else "police_not_dangerous", lang),
        t(
            "police_photo",
            lang,
            photo=t("photo_yes" if notice.has_photo else "photo_no", lang),
            created=when(parse_utc(notice.created_at), lang, tz),
            updated=when(parse_utc(notice.updated_at), lang, tz),
        ),
    ]
    return "\n".join(lines)
