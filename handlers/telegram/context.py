"""The context every Telegram handler receives: python-telegram-bot's own, plus the
domain services, typed. Handlers take ``context: Context`` and call
``context.services.<service>``; nothing casts ``bot_data`` or imports another handler
module to reach a service."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.services import Services

_SERVICES = "services"


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        services = self.application.bot_data.get(_SERVICES)
        if not isinstance(services, Services):  # wiring error, not a user's doing
            raise RuntimeError("the Application was built without tinbao's services")
        return services


CONTEXT_TYPES = ContextTypes(context=Context)

TinbaoApplication = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


def attach(app: TinbaoApplication, services: Services) -> None:
    """Give every handler of ``app`` the services (done once, by the wiring)."""
    app.bot_data[_SERVICES] = services
