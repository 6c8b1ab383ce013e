"""Sealing reporters' identity (DESIGN.md rule 4).

AES-256-GCM from ``cryptography`` seals the Telegram/Zalo ids, names and phone so the
database file never holds them in clear. A keyed HMAC gives a *blind index*: the bot can
find "this Telegram user's reporter row" without storing the id. The pseudonym police
see is derived from the row id, never from the identity.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class IdentityBox:
    """Seal and open small JSON documents; compute blind indexes. One key per province."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the identity key must be 32 bytes")
        # Separate sub-keys so the HMAC key never doubles as the cipher key.
        self._aead = AESGCM(hmac.digest(key, b"tinbao/seal/v1", hashlib.sha256))
        self._index_key = hmac.digest(key, b"tinbao/index/v1", hashlib.sha256)

    def seal(self, document: Any, *, context: str) -> bytes:
        """Encrypt ``document`` (JSON-able). ``context`` binds the ciphertext to its column,
        so a sealed phone cannot be pasted into another row's identity."""
        nonce = os.urandom(_NONCE)
        # surrogatepass: JSON from outside may carry a lone surrogate (``"\ud800"``), which
        # is still a document to keep (e.g. a forged update in the inbox)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        plain = text.encode("utf-8", "surrogatepass")
        return b"\x01" + nonce + self._aead.encrypt(nonce, plain, context.encode())

    def open(self, blob: bytes, *, context: str) -> Any:
        if not blob or blob[0] != 1:
            raise ValueError("unknown sealed format")
        nonce, body = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
        plain = self._aead.decrypt(nonce, body, context.encode())
        return json.loads(plain.decode("utf-8", "surrogatepass"))

    def seal_bytes(self, data: bytes, *, context: str) -> bytes:
        """Encrypt raw bytes (evidence files: JSON would swell them by a third)."""
        nonce = os.urandom(_NONCE)
        return b"\x02" + nonce + self._aead.encrypt(nonce, data, context.encode())

    def open_bytes(self, blob: bytes, *, context: str) -> bytes:
        if not blob or blob[0] != 2:
            raise ValueError("unknown sealed format")
        nonce, body = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
        return self._aead.decrypt(nonce, body, context.encode())

    def blind_index(self, channel: str, user_id: int | str) -> str:
        mac = hmac.new(self._index_key, f"{channel}:{user_id}".encode(), hashlib.sha256)
        return mac.hexdigest()
