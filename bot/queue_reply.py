"""What an officer's action in a police chat shows: the pop-up answer to a press (left to
the handler, the one thing a channel must answer itself) and the screens, committed as
outbox rows in the action's own transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.callbacks import Scope
from bot.clock import Clock
from bot.dialogue import Intent, Screen, buttons_to_plain, screen_to_plain
from bot.people import People
from bot.replies import Target, enqueue_screen, post
from storage import cards
from storage.db import Tx, utc_text


@dataclass
class Reply:
    """What an officer's action shows: the pop-up answer (``alert``, for the handler to
    answer the press with) and the screens, which the service commits as outbox rows in
    the action's own transaction."""

    alert: str | None = None
    screens: list[Screen] = field(default_factory=list)
    force_reply: bool = False
    changed: bool = False
    # the prompt the force-reply screen asks for: it records the outbox row that shows
    # it, because only a reply to that very message answers it
    prompt_id: int | None = None
    # the pressed message has done its job: its buttons go, this note stays in their place
    settle: str | None = None
    # the pressed list (outcomes, communes) has done its job: its buttons go
    clear_pressed: bool = False
    # the screens quote what a citizen will read (the question preview): sealed rows
    sealed: bool = False


@dataclass(frozen=True)
class Pressed:
    """The message whose button was pressed, as the update shows it."""

    message_id: int
    text: str | None = None


async def show(
    tx: Tx, people: People, clock: Clock, chat_id: int, reply: Reply, pressed: Pressed | None
) -> None:
    """What the officer sees besides the pop-up, as outbox rows of the action's own
    transaction: the pressed message settled, then the screens; a prompt is a reply
    to the pressed card, and its row is what a reply to the prompt must answer."""
    if pressed is not None and (reply.settle is not None or reply.clear_pressed):
        if reply.settle is not None and pressed.text is not None:
            # the note replaces the buttons; the pressed message may be a question
            # preview: sealed like it
            text = f"{pressed.text}\n\n✔ {reply.settle}"
            plain = screen_to_plain(Screen(text), Scope.QUEUE, message_id=pressed.message_id)
        else:  # the buttons go, the text stays
            plain = buttons_to_plain([], Scope.QUEUE, message_id=pressed.message_id)
        await post(
            tx,
            people,
            Target(chat_id=chat_id),
            plain,
            intent=Intent.EDIT,
            purpose="settle",
            seal="text" in plain,
            at=utc_text(clock()),
        )
    for screen in reply.screens:
        prompt = reply.force_reply and not screen.buttons
        row = await enqueue_screen(
            tx,
            people,
            Target(chat_id=chat_id),
            screen,
            scope="q",
            purpose="prompt" if prompt else "officer_reply",
            seal=reply.sealed,
            force_reply=prompt,
            reply_to_message_id=pressed.message_id if prompt and pressed else None,
        )
        if prompt and reply.prompt_id is not None:
            await cards.set_prompt_outbox(tx, reply.prompt_id, row)
