"""Staff commands own their updates.

Police and supervisor commands are registered in group 0, before the citizen handlers
(group 1) that read every private message as a step of the tip dialogue. A staff command
must end there whatever happens: answered, refused, or failed (an error is reported to
the error handler, as PTB would), never passed on to be read as a citizen's text. Only
a handler that finds the update is a citizen's (``/report`` from someone who is not
staff means "report a tip") passes it on, by raising :class:`PassOn`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.telegram.citizen import origin_of, tinbao
from handlers.telegram.inbox import update_key

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class PassOn(Exception):
    """Raised by a staff command's handler when the update is a citizen's."""


def final(callback: Callback) -> Callback:
    """Wrap a staff command's handler so that processing stops with it."""

    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await callback(update, context)
        except PassOn:
            return
        except ApplicationHandlerStop:
            raise
        except Exception as exc:  # reported like any handler error, then stop here
            await context.application.process_error(update, exc)
        raise ApplicationHandlerStop

    return wrapped


def key_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The update's idempotency key (its inbox event key)."""
    return update_key(update, tinbao(context).people.box)


async def say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """A usage hint or a refusal that is the whole answer, committed under the key."""
    origin = origin_of(update)
    if origin is None:
        return
    app = tinbao(context)
    if await app.replies.say(origin, text, key=key_of(update, context)):
        app.sender.wake()
