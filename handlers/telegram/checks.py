"""``tinbao check-config --online``: what only Telegram can tell. The token answers and is
the bot this database was run with; every bound group still exists and the bot may still
post there (the answer names the group and the missing right); a duty group is bound."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.error import TelegramError

from bot.startup import StartRefused, check_bot
from handlers.telegram.app import Tinbao
from handlers.telegram.rights import missing_rights
from storage import bindings, units


@dataclass
class Findings:
    lines: list[str] = field(default_factory=list)  # what was checked and found well
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


async def online_checks(tinbao: Tinbao) -> Findings:
    found = Findings()
    bot = tinbao.app.bot
    await tinbao.app.initialize()  # getMe; InvalidToken is the caller's to report
    found.lines.append(f"token OK: @{bot.username} (id {bot.id})")
    try:
        await check_bot(tinbao.db, bot.id, bot.username)
    except StartRefused as exc:
        found.problems.append(str(exc))
    async with tinbao.db.read() as tx:
        bound = await bindings.all_active(tx)
        names = {b.unit_id: (await units.get_unit(tx, b.unit_id)) for b in bound}
    for binding in bound:
        unit = names.get(binding.unit_id)
        place = unit.name if unit else "?"
        what = f"{binding.purpose} group of {place} ({binding.title or binding.chat_id})"
        try:
            await bot.get_chat(binding.chat_id)
        except TelegramError as exc:
            found.problems.append(f"{what}: Telegram does not know it any more ({exc.message})")
            continue
        missing = await missing_rights(bot, binding.chat_id)
        if missing:
            found.problems.append(
                f"{what}: the bot may not {', '.join(missing)} there (make it a member again)"
            )
        else:
            found.lines.append(f"{what}: OK")
    if not any(b.purpose == "duty" for b in bound):
        found.warnings.append(
            "no duty group bound: tips from communes without a queue group reach no one"
            " (bind one with /bindduty)"
        )
    return found
