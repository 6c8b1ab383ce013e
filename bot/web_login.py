"""Passwordless login to the web page: an officer asks the bot (``/web``) for a link that
opens one session, and the session is good only while the officer is.

The link's token is ``v1.<officer id>.<expiry, unix seconds>.<nonce>.<signature>``: the
signature is HMAC-SHA256 over the first four parts, keyed by a key derived from
TINBAO_SECRET_KEY (so there is no second secret to keep). The nonce is stored when the
link is made and marked used when it opens a session: a link forwarded after use, or used
twice, opens nothing. A session is a random cookie value stored by its hash; every page
asks :meth:`WebLogin.officer_of`, which reads the officer's ``active`` flag, so revoking
an officer ends their sessions at the next request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.clock import Clock
from bot.crypto import IdentityBox
from bot.dialogue import Screen
from bot.people import People
from bot.replies import Origin, answer, enqueue_screen, target_of
from config.settings import Settings
from config.texts import t
from storage import officers, ratelimits, web_sessions
from storage.db import AlreadyProcessed, Database, utc_text
from storage.officers import Officer

LANG = "vi"
VERSION = "v1"
LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
_KEY_LABEL = b"tinbao web login v1"


class Refusal(Enum):
    """Why a link opened nothing; the page says which in plain words."""

    FORGED = "forged"  # not ours: malformed, or the signature does not match
    EXPIRED = "expired"
    USED = "used"
    INACTIVE = "inactive"  # the officer was revoked since


class Refused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def web_key(settings: Settings) -> bytes:
    return hmac.new(settings.key_bytes, _KEY_LABEL, hashlib.sha256).digest()


def base_url(settings: Settings) -> str:
    if settings.web_base_url:
        return settings.web_base_url.rstrip("/")
    return f"http://{settings.web_host}:{settings.web_port or 0}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(key: bytes, officer_id: int, expires: datetime, nonce: str) -> str:
    body = f"{VERSION}.{officer_id}.{int(expires.timestamp())}.{nonce}"
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


@dataclass(frozen=True)
class Claim:
    officer_id: int
    expires: int  # unix seconds
    nonce: str


def verify(key: bytes, token: str) -> Claim:
    """The token's claim if the signature holds (expiry and use are checked by the caller
    against the clock and the database). Raises :class:`Refused` (FORGED) otherwise."""
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != VERSION:
        raise Refused(Refusal.FORGED)
    body = ".".join(parts[:4])
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, parts[4]):
        raise Refused(Refusal.FORGED)
    if not (parts[1].isdecimal() and parts[2].isdecimal()):
        raise Refused(Refusal.FORGED)
    return Claim(int(parts[1]), int(parts[2]), parts[3])


def session_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    cookie: str  # the session cookie's value, given to the browser only
    officer: Officer


class WebLogin:
    def __init__(self, db: Database, settings: Settings, clock: Clock, people: People) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.people = people
        self._key = web_key(settings)
        self._box = IdentityBox(settings.key_bytes)

    async def request_link(self, *, user_id: int, origin: Origin, update_key: str | None) -> None:
        """Answer ``/web`` with a one-time link, or say why not; committed as outbox rows
        under the update's key. Each link asked for counts against the hourly limit."""
        now = self.clock()
        try:
            async with self.db.transaction(update_key) as tx:
                officer = await officers.find_active(tx, user_id)
                if officer is None:
                    await answer(tx, self.people, origin, t("web_not_officer", LANG))
                    return
                if self.settings.web_port is None:
                    await answer(tx, self.people, origin, t("web_off", LANG))
                    return
                subject = self._box.blind_index("telegram", user_id)
                since = utc_text(now - timedelta(hours=1))
                asked = await ratelimits.count_since(tx, subject, "web_link", since)
                if asked >= self.settings.web_links_per_hour:
                    await answer(tx, self.people, origin, t("web_limited", LANG))
                    return
                await ratelimits.record(tx, subject, "web_link", utc_text(now))
                nonce = _b64(secrets.token_bytes(16))
                expires = now + LINK_LIFETIME
                await web_sessions.insert_link(
                    tx, nonce, officer.id, utc_text(now), utc_text(expires)
                )
                token = sign(self._key, officer.id, expires, nonce)
                link = f"{base_url(self.settings)}/login?t={token}"
                minutes = int(LINK_LIFETIME.total_seconds() // 60)
                # no link preview: Telegram's preview is a fetch of the link by a third party
                await enqueue_screen(
                    tx,
                    self.people,
                    await target_of(tx, self.people, origin),
                    Screen(t("web_link", LANG, link=link, minutes=minutes)),
                    scope="q",
                    purpose="reply",
                    no_preview=True,
                )
        except AlreadyProcessed:
            return

    def _claim(self, token: str) -> Claim:
        claim = verify(self._key, token)
        if self.clock().timestamp() >= claim.expires:
            raise Refused(Refusal.EXPIRED)
        return claim

    async def check_link(self, token: str) -> Officer:
        """Whose link this is, without spending it: a GET of the link (a link preview, a
        mail scanner, the officer's own click) must leave it usable for the one POST
        that opens the session. Raises :class:`Refused` as :meth:`open_session` would."""
        claim = self._claim(token)
        async with self.db.read() as tx:
            officer = await officers.get(tx, claim.officer_id)
            if officer is None or not officer.active:
                raise Refused(Refusal.INACTIVE)
            if not await web_sessions.link_unused(tx, claim.nonce, claim.officer_id):
                raise Refused(Refusal.USED)
        return officer

    async def open_session(self, token: str) -> Opened:
        """Turn a link into a session, once. Raises :class:`Refused`."""
        claim = self._claim(token)
        now = self.clock()
        cookie = secrets.token_urlsafe(32)
        async with self.db.transaction() as tx:
            officer = await officers.get(tx, claim.officer_id)
            if officer is None or not officer.active:
                raise Refused(Refusal.INACTIVE)
            if not await web_sessions.use_link(tx, claim.nonce, claim.officer_id, utc_text(now)):
                raise Refused(Refusal.USED)
            await web_sessions.insert_session(
                tx,
                session_hash(cookie),
                officer.id,
                utc_text(now),
                utc_text(now + SESSION_LIFETIME),
            )
        return Opened(cookie, officer)

    async def officer_of(self, cookie: str | None) -> Officer | None:
        """The active officer behind a session cookie, or None."""
        if not cookie:
            return None
        async with self.db.read() as tx:
            session = await web_sessions.live_session(
                tx, session_hash(cookie), utc_text(self.clock())
            )
            if session is None:
                return None
            return await officers.get(tx, session.officer_id)

    async def close_session(self, cookie: str) -> None:
        async with self.db.transaction() as tx:
            await web_sessions.end_session(tx, session_hash(cookie), utc_text(self.clock()))
