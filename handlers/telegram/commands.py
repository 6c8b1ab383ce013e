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
from telegram.ext import ApplicationHandlerStop

from handlers.telegram.common import key_of, say
from handlers.telegram.context import Context

__all__ = ["PassOn", "final", "key_of", "say"]

Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


class PassOn(Exception):
    """Raised by a staff command's handler when the update is a citizen's."""


def final(callback: Callback) -> Callback:
    """Wrap a staff command's handler so that processing stops with it."""

    async def wrapped(update: Update, context: Context) -> None:
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
