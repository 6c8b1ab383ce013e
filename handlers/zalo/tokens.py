"""The OA's access token: obtained once by an operator (`tinbao zalo authorize`), then kept
valid by refreshing it ahead of its expiry, with the pair stored sealed in the database.

What Zalo does, as its OAuth v4 documentation for Official Accounts describes it
(developers.zalo.me "Xác thực và ủy quyền cho ứng dụng", mirrored at
docs.zaloplatforms.com/docs/OA/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new, and the
walk-throughs at hexasync.vn and beehexa.com; checked with the search tool, not guessed):

- ``POST https://oauth.zaloapp.com/v4/oa/access_token``, form-encoded, header
  ``secret_key`` = the app's secret key; fields ``app_id`` and ``grant_type``:
  ``authorization_code`` with ``code`` (+ ``code_verifier`` when the permission request
  used PKCE), or ``refresh_token`` with ``refresh_token``.
- The answer: ``{"access_token", "refresh_token", "expires_in": "90000"}``: seconds, as a
  *string* in Zalo's own example (a number is read too).
- A refusal comes as HTTP 200 with ``{"error": -14xxx, "error_name",
  "error_description", "error_reason", "ref_doc"}``: seen in public clients -14002 (app
  id), -14004 (secret key), -14005 (code invalid, expired or used), -14014 (refresh token
  invalid), -14018 (grant type). -32 is Zalo's rate limit, the one code worth retrying.
- Lifetimes: the access token 25 hours, the refresh token 3 months from its issue, the
  authorization code 10 minutes. **The refresh token is single use**: a refresh answers a
  new pair and the old refresh token is dead. A pair lost after Zalo issued it (a crash,
  a full disk) locks the OA out until an operator authorizes again.

Hence the order here: the new pair is committed (and synced) before its access token is
handed to anyone; one refresh at a time (the others wait for it and share its result); a
pair that could not be stored is kept in memory and stored before it is used. A failed
refresh is retried with backoff when the network or Zalo's servers failed, and is final
when Zalo refuses the refresh token; either way the duty group is told once per failure
streak (through the outbox, like every other alert), and the Zalo rows wait: the client
gets a :class:`NoAccessToken`, which the sender treats as "try this row later".
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.alerts import alert_duty
from bot.clock import Clock, Sleep
from bot.crypto import IdentityBox
from config.settings import Settings
from config.texts import t
from handlers.zalo.client import TOKEN_INVALID, ZaloApiError
from storage import zalo_tokens
from storage.db import Database, Tx, parse_utc, utc_text

log = logging.getLogger(__name__)

TOKEN_PATH = "/v4/oa/access_token"
PAIR_CONTEXT = "zalo.tokens"
REFRESH_AHEAD = timedelta(hours=1)
"""Refresh when less than this remains of the access token: a day's token is refreshed
about once a day, and an hour leaves room for Zalo or the network to be down for a while
(the refresh is retried meanwhile) before any message has to wait."""
ACCESS_LIFETIME = timedelta(seconds=90000)  # Zalo's 25 h, when an answer omits expires_in
REFRESH_LIFETIME = timedelta(days=90)  # "3 tháng kể từ lúc được cấp mới": not in the answer
REFRESH_BACKOFF = (2.0, 10.0, 30.0)  # within one refresh, while callers wait
RETRY_PAUSE = timedelta(minutes=1)  # after a failed refresh while the old token still works
TRANSIENT_CODES = frozenset({-32})  # Zalo's rate limit; any other named error is final
LANG = "vi"  # the duty group's language


class OAuthError(Exception):
    """Zalo's OAuth server did not give a pair: ``final`` when it refused (the code or the
    refresh token is dead, the app id or secret is wrong); otherwise it may pass."""

    def __init__(self, code: int, name: str, *, final: bool) -> None:
        super().__init__(f"zalo oauth error {code}: {name}")
        self.code = code
        self.name = name
        self.final = final


class NoAccessToken(ZaloApiError):
    """No valid access token now. Final for this call, but with the token's error code, so
    the sender leaves the row pending: it goes once a token is back."""

    def __init__(self, reason: str) -> None:
        super().__init__(TOKEN_INVALID, reason, final=True)


@dataclass(frozen=True)
class Pair:
    """What Zalo's token endpoint answered."""

    access_token: str
    refresh_token: str | None  # None: Zalo kept the old one (not seen, but handled)
    expires_in: timedelta
    refresh_expires_in: timedelta | None


class ZaloOAuth:
    """Zalo's token endpoint, spoken to exactly as documented (see the module's doc)."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        *,
        session: aiohttp.ClientSession,
        timeout: float = 15.0,
    ) -> None:
        self.url = base_url.rstrip("/") + TOKEN_PATH
        self.app_id = app_id
        self._secret = app_secret
        self.session = session
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    @classmethod
    def from_settings(cls, settings: Settings, session: aiohttp.ClientSession) -> ZaloOAuth:
        if settings.zalo_app_id is None or settings.zalo_app_secret is None:
            raise ValueError("TINBAO_ZALO_APP_ID and TINBAO_ZALO_APP_SECRET must be set")
        secret = settings.zalo_app_secret.get_secret_value()
        return cls(settings.zalo_oauth_url, settings.zalo_app_id, secret, session=session)

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> Pair:
        form = {"app_id": self.app_id, "grant_type": "authorization_code", "code": code}
        if code_verifier:
            form["code_verifier"] = code_verifier
        return await self._ask(form)

    async def refresh(self, refresh_token: str) -> Pair:
        form = {
            "app_id": self.app_id,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        return await self._ask(form)

    async def _ask(self, form: dict[str, str]) -> Pair:
        headers = {"secret_key": self._secret}
        try:
            async with self.session.post(
                self.url, data=form, headers=headers, timeout=self.timeout
            ) as response:
                if response.status != 200:
                    raise OAuthError(0, f"HTTP {response.status}", final=False)
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise OAuthError(0, type(exc).__name__, final=False) from None
        if not isinstance(answer, dict):
            raise OAuthError(0, "not a JSON object", final=False)
        return _pair_of(answer)


def _pair_of(answer: dict[str, Any]) -> Pair:
    code = answer.get("error", 0)
    if code not in (0, "0", None):
        number = int(code) if isinstance(code, int) or str(code).lstrip("-").isdigit() else -1
        name = str(answer.get("error_name") or answer.get("message") or "")[:120]
        raise OAuthError(number, name, final=number not in TRANSIENT_CODES)
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthError(0, "no access_token in the answer", final=False)
    refresh = answer.get("refresh_token")
    return Pair(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_in=_seconds(answer.get("expires_in")) or ACCESS_LIFETIME,
        refresh_expires_in=_seconds(answer.get("refresh_token_expires_in")),
    )


def _seconds(value: object) -> timedelta | None:
    """Zalo writes seconds as a string ("90000"); a number is taken as well."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return timedelta(seconds=value)
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return timedelta(seconds=int(value))
    return None


@dataclass(frozen=True)
class Held:
    """The stored pair, opened."""

    generation: int
    access_token: str | None
    access_expires_at: datetime | None
    refresh_token: str
    refused: bool


class TokenKeeper:
    """Hands out a valid access token (:meth:`token`), refreshing ahead of expiry."""

    def __init__(
        self,
        db: Database,
        box: IdentityBox,
        oauth: ZaloOAuth,
        clock: Clock,
        *,
        sleep: Sleep = asyncio.sleep,
        backoff: tuple[float, ...] = REFRESH_BACKOFF,
        alert: bool = True,
    ) -> None:
        self.db = db
        self.box = box
        self.oauth = oauth
        self.clock = clock
        self.sleep = sleep
        self.backoff = backoff
        self.alert = alert  # the command line tells its operator instead
        self.refreshes = 0  # refreshes Zalo answered, for the tests and the benchmarks
        self._lock = asyncio.Lock()
        self._held: Held | None = None
        self._rejected: str | None = None  # the access token Zalo last answered -216 to
        self._unstored: tuple[int, Pair] | None = None
        self._pause_until: datetime | None = None

    # ------------------------------------------------------------------ handing out --
    async def token(self) -> str:
        """A valid access token. Refreshes (once, for every concurrent caller) when less
        than :data:`REFRESH_AHEAD` remains or Zalo refused it; raises
        :class:`NoAccessToken` when there is none to give."""
        held = await self._read()
        if held is not None and self._fresh(held):
            assert held.access_token is not None
            return held.access_token
        async with self._lock:
            if self._unstored is not None:
                await self._store_unstored()
            held = await self._read()  # another caller may have refreshed meanwhile
            if held is None:
                raise NoAccessToken("no Zalo OA token stored: run `tinbao zalo authorize`")
            if self._fresh(held):
                assert held.access_token is not None
                return held.access_token
            if held.refused:
                return self._still_valid(held, "Zalo refused the refresh token: authorize again")
            if self._pausing():
                return self._still_valid(held, "the last refresh failed; tried again shortly")
            try:
                renewed = await self._refresh(held)
            except OAuthError as error:
                return self._still_valid(held, f"refresh failed: {error}")
            assert renewed.access_token is not None
            return renewed.access_token

    async def invalidate(self, rejected: str) -> None:
        """Zalo answered "access token invalid" to ``rejected``: the next :meth:`token`
        refreshes, unless another caller already replaced that token."""
        self._rejected = rejected
        self._pause_until = None

    # ------------------------------------------------------------------ authorizing --
    async def authorize_code(self, code: str, code_verifier: str | None = None) -> Held:
        """The operator's authorization code, exchanged and stored (it is good once, for
        ten minutes: no retry that could spend it twice)."""
        pair = await self.oauth.exchange_code(code, code_verifier)
        if pair.refresh_token is None:
            raise OAuthError(0, "Zalo answered no refresh token", final=True)
        return await self._authorized(pair.refresh_token, pair)

    async def authorize_refresh_token(self, refresh_token: str) -> Held:
        """A refresh token from Zalo's console, used at once: the pair it gives is stored
        before anything else. When Zalo refuses it, the stored pair is left as it was (a
        mistyped token must not replace a working one); when Zalo cannot be reached, it is
        stored alone and the running bot refreshes it later. Raises :class:`OAuthError`."""
        async with self._lock:
            try:
                pair = await self._ask(refresh_token)
            except OAuthError as error:
                if not error.final:
                    await self._authorized(refresh_token, None)
                raise
            self.refreshes += 1
            return await self._authorized(pair.refresh_token or refresh_token, pair)

    async def _authorized(self, refresh_token: str, pair: Pair | None) -> Held:
        now = self.clock()
        sealed = self._seal(pair.access_token if pair else None, refresh_token)
        async with self.db.transaction() as tx:
            await zalo_tokens.store_authorized(
                tx,
                sealed,
                access_expires_at=utc_text(now + pair.expires_in) if pair else None,
                refresh_expires_at=utc_text(now + _refresh_life(pair)),
                at=utc_text(now),
            )
        await self.db.sync()
        self._rejected = None
        self._pause_until = None
        held = await self._read()
        assert held is not None
        return held

    # ------------------------------------------------------------------ refreshing ---
    async def _refresh(self, held: Held) -> Held:
        try:
            pair = await self._ask(held.refresh_token)
        except OAuthError as error:
            await self._failed(held, error)
            raise
        self.refreshes += 1
        # The old refresh token is spent: the new pair exists only in this process until
        # the commit below. Until it is stored, nobody gets its access token.
        self._unstored = (held.generation, pair)
        await self._store_unstored()
        stored = await self._read()
        assert stored is not None
        return stored

    async def _ask(self, refresh_token: str) -> Pair:
        """One refresh, tried again with backoff while the failure may pass."""
        for attempt in range(len(self.backoff)):
            try:
                return await self.oauth.refresh(refresh_token)
            except OAuthError as error:
                if error.final:
                    raise
                wait = self.backoff[attempt]
                log.warning("zalo token refresh failed (%s); again in %.0fs", error.code, wait)
                await self.sleep(wait)
        return await self.oauth.refresh(refresh_token)

    async def _store_unstored(self) -> None:
        assert self._unstored is not None
        generation, pair = self._unstored
        now = self.clock()
        refresh_token = pair.refresh_token
        if refresh_token is None:  # Zalo kept the old one: it is still the stored one
            held = await self._read()
            assert held is not None
            refresh_token = held.refresh_token
        try:
            async with self.db.transaction() as tx:
                current = await zalo_tokens.store_refreshed(
                    tx,
                    self._seal(pair.access_token, refresh_token),
                    generation=generation,
                    access_expires_at=utc_text(now + pair.expires_in),
                    refresh_expires_at=utc_text(now + _refresh_life(pair)),
                    at=utc_text(now),
                )
            await self.db.sync()
        except Exception as exc:
            log.critical(
                "the refreshed Zalo OA token pair could not be stored (%s); it is kept in"
                " memory and stored before use. Do not stop tinbao now: the old refresh"
                " token is spent",
                type(exc).__name__,
            )
            raise NoAccessToken("the new token pair is not stored yet") from None
        self._unstored = None
        self._pause_until = None
        if not current:
            log.info("zalo tokens were authorized anew during a refresh; using those")

    async def _failed(self, held: Held, error: OAuthError) -> None:
        now = self.clock()
        self._pause_until = now + RETRY_PAUSE
        usable = self._valid(held)
        log.error(
            "zalo token refresh %s: %s (%s)",
            "refused" if error.final else "failed",
            error.code,
            error.name,
        )
        async with self.db.transaction() as tx:
            due = await zalo_tokens.record_failure(
                tx,
                generation=held.generation,
                error=f"{error.code} {error.name}".strip(),
                refused=error.final,
                at=utc_text(now),
            )
            # A refusal is told at once (only an operator can help, and the token has an
            # hour at most); a passing failure only once messages have to wait for it.
            if self.alert and due and (error.final or not usable):
                key = "zalo_token_refused" if error.final else "zalo_token_unreachable"
                if await _alert(tx, t(key, LANG, error=f"{error.code} {error.name}".strip())):
                    await zalo_tokens.mark_alerted(tx, utc_text(now))

    # ------------------------------------------------------------------ reading ------
    async def _read(self) -> Held | None:
        async with self.db.read() as tx:
            row = await zalo_tokens.get(tx)
        if row is None:
            self._held = None
            return None
        if self._held is None or self._held.generation != row.generation:
            pair = self.box.open(row.pair_enc, context=PAIR_CONTEXT)
            self._held = Held(
                generation=row.generation,
                access_token=pair.get("access_token"),
                access_expires_at=parse_utc(row.access_expires_at)
                if row.access_expires_at
                else None,
                refresh_token=str(pair["refresh_token"]),
                refused=row.refused,
            )
        elif self._held.refused != row.refused:
            self._held = replace(self._held, refused=row.refused)
        return self._held

    def _valid(self, held: Held) -> bool:
        return (
            held.access_token is not None
            and held.access_token != self._rejected
            and held.access_expires_at is not None
            and held.access_expires_at > self.clock()
        )

    def _fresh(self, held: Held) -> bool:
        assert held.access_expires_at is not None or held.access_token is None
        return self._valid(held) and (
            held.access_expires_at is not None
            and held.access_expires_at - self.clock() > REFRESH_AHEAD
        )

    def _pausing(self) -> bool:
        return self._pause_until is not None and self.clock() < self._pause_until

    def _still_valid(self, held: Held, reason: str) -> str:
        """The current token while it lasts, though it could not be renewed."""
        if self._valid(held):
            assert held.access_token is not None
            return held.access_token
        raise NoAccessToken(reason)

    def _seal(self, access_token: str | None, refresh_token: str) -> bytes:
        pair = {"access_token": access_token, "refresh_token": refresh_token}
        return self.box.seal(pair, context=PAIR_CONTEXT)


def _refresh_life(pair: Pair | None) -> timedelta:
    if pair is not None and pair.refresh_expires_in is not None:
        return pair.refresh_expires_in
    return REFRESH_LIFETIME


async def _alert(tx: Tx, text: str) -> bool:
    return await alert_duty(tx, text, purpose="zalo_token_alert")
