"""``/web``: an officer asks for a one-time login link to the web page (issue 13).

Private chats only: a link posted in a group would open a session for whoever taps it
first. The service authorizes against the database and answers through the outbox.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.web_login import WebLogin
from config.texts import t
from handlers.telegram.commands import final, key_of, say
from handlers.telegram.common import origin_of
from handlers.telegram.context import Context, TinbaoApplication

LANG = "vi"


async def on_web(update: Update, context: Context) -> None:
    origin = origin_of(update)
    user = update.effective_user
    if origin is None or user is None:
        return
    if not origin.private:
        await say(update, context, t("q_private_only", LANG))
        return
    s = context.services
    login = WebLogin(s.db, s.settings, s.clock, s.people)
    await login.request_link(user_id=user.id, origin=origin, update_key=key_of(update, context))
    s.outbox_ready()


def register(application: TinbaoApplication) -> None:
    application.add_handler(CommandHandler("web", final(on_web)), group=0)
