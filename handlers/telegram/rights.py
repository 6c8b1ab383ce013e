"""What the bot may do in a group, asked of Telegram: one rule for binding a group and
for the start-up checks."""

from __future__ import annotations

import logging

from telegram import Bot, ChatMemberAdministrator, ChatMemberOwner
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

log = logging.getLogger(__name__)


async def missing_rights(bot: Bot, chat_id: int) -> list[str]:
    """The rights the bot lacks in the group ([] when it may post). Cards need nothing
    else: the bot does not pin, and officers answer its prompts by replying, which
    reaches a bot even in privacy mode."""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        log.warning("getChatMember failed: %s", type(exc).__name__)
        return ["send"]
    if isinstance(member, ChatMemberOwner | ChatMemberAdministrator):
        return []
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return ["send"]
    if member.status == ChatMemberStatus.RESTRICTED and not getattr(
        member, "can_send_messages", True
    ):
        return ["send"]
    return []
