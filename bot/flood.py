"""The flood gate in front of the citizen dialogue: how many messages a person may send a
minute before they are refused (answered once, then ignored until the minute is over)."""

from __future__ import annotations

from collections import defaultdict, deque

from bot.clock import Clock

FLOOD_SUBJECTS_KEPT = 10_000  # above this many people in memory, forget the quiet ones


class FloodGate:
    """Per-person sliding window kept in memory: cheap enough to run on every message.
    The first refused message gets an answer; the rest of the burst is ignored. The
    window is measured on the product's clock, like every other time in tinbao."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._warned: dict[str, float] = {}

    def check(self, subject: str, now: float | None = None) -> str:
        """``ok``, ``warn`` (refuse and say so) or ``drop`` (refuse silently)."""
        now = self.clock().timestamp() if now is None else now
        if len(self._hits) > FLOOD_SUBJECTS_KEPT:
            self._forget_quiet(now)
        hits = self._hits[subject]
        while hits and now - hits[0] > 60:
            hits.popleft()
        if len(hits) < self.per_minute:
            hits.append(now)
            return "ok"
        if now - self._warned.get(subject, -1e9) > 60:
            self._warned[subject] = now
            return "warn"
        return "drop"

    def _forget_quiet(self, now: float) -> None:
        """Drop people not heard from for a minute, so the memory does not grow forever."""
        for subject in [s for s, hits in self._hits.items() if not hits or now - hits[-1] > 60]:
            del self._hits[subject]
            self._warned.pop(subject, None)
