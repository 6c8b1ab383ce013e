"""The baseline of bench/http_latency.py: a bare python-telegram-bot bot over HTTP that
makes the same Bot API calls as tinbao in the citizen dialogue, and nothing else.

For each update of a chat it answers the next step of a recorded tinbao dialogue (the same
texts and keyboards, as JSON), answering button presses first, as tinbao does; no
database, no state but a step counter per chat. Polling is PTB's own ``Updater`` and
updates are handled concurrently (``concurrent_updates``), as tinbao's inbox handles
chats concurrently.

Run (by the benchmark): ``python -m bench.bare_http_bot SCRIPT.json`` with the
``TINBAO_BOT_TOKEN``, ``TINBAO_BOT_API_URL``, ``TINBAO_BOT_FILE_URL`` and
``TINBAO_BOT_API_RATE_LIMIT`` of the tinbao run it is compared with.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler


def build(script: list[list[dict[str, Any]]]) -> Application[Any, Any, Any, Any, Any, Any]:
    builder = (
        Application.builder()
        .token(os.environ["TINBAO_BOT_TOKEN"])
        .base_url(os.environ["TINBAO_BOT_API_URL"])
        .base_file_url(os.environ["TINBAO_BOT_FILE_URL"])
        .concurrent_updates(True)
    )
    if os.environ.get("TINBAO_BOT_API_RATE_LIMIT", "true").lower() in ("1", "true", "yes"):
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))
    app = builder.build()
    steps: defaultdict[int, int] = defaultdict(int)

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        if update.callback_query is not None:
            await update.callback_query.answer()
        step = steps[chat.id] % len(script)
        steps[chat.id] += 1
        for message in script[step]:
            markup = message.get("reply_markup")
            await context.bot.send_message(
                chat.id,
                message["text"],
                reply_markup=InlineKeyboardMarkup.de_json(markup, context.bot) if markup else None,
            )

    app.add_handler(TypeHandler(Update, answer))
    return app


def main() -> None:
    script = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    build(script).run_polling(poll_interval=0, timeout=25)


if __name__ == "__main__":
    main()
