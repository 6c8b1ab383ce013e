"""What a Zalo webhook event is made of, shared by the receiver, the inbox adapter and the
fake OA: the signature, the event names, the sender, the key and the lane.

The signature, as Zalo documents it for OA webhooks (header ``X-ZEvent-Signature``):
``mac=`` followed by the hex SHA-256 of the app id, the raw JSON body, the event's own
``timestamp`` (as written in that body) and the OA secret key, concatenated in that order.
A plain hash, not an HMAC: the key is only a suffix, so the fake must sign exactly so.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.crypto import IdentityBox

CHANNEL = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"

TEXT = "user_send_text"
MEDIA_KINDS = {
    "user_send_image": "photo",
    "user_send_file": "document",
    "user_send_audio": "audio",
    "user_send_video": "video",
    "user_send_sticker": "sticker",
    "user_send_gif": "animation",
    "user_send_location": "location",
    "user_send_business_card": "contact",
    "user_send_link": "link",
}
OTHER_EVENTS = {
    "follow",
    "unfollow",
    "user_submit_info",
    "user_received_message",
    "user_seen_message",
}
KNOWN_EVENTS = frozenset({TEXT, *MEDIA_KINDS, *OTHER_EVENTS})
"""Stored and applied; any other event name is answered 200 and ignored (Zalo adds
events, and an OA may subscribe to more than tinbao reads)."""


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header value Zalo sends with ``body``."""
    mac = hashlib.sha256(
        app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    ).hexdigest()
    return f"mac={mac}"


def text_of(value: Any) -> str | None:
    """A field Zalo writes as a string of digits (or, in some events, a JSON number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value
    return None


def user_of(event: dict[str, Any]) -> str | None:
    """The citizen's per-OA user id: the sender of what a user did, the follower of a
    follow, the recipient of what the OA sent (delivery and seen receipts)."""
    name = event.get("event_name")
    holder = "sender"
    if name in ("follow", "unfollow"):
        holder = "follower"
    elif name in ("user_received_message", "user_seen_message"):
        holder = "recipient"
    found = event.get(holder)
    return text_of(found.get("id")) if isinstance(found, dict) else None


def event_key(event: dict[str, Any], box: IdentityBox) -> str:
    """``zalo:<msg_id>``; an event without one (a follow) is keyed by a keyed digest of
    all it says, so Zalo's redelivery of it has the same key and nothing personal is in
    the key."""
    message = event.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    if isinstance(msg_id, str) and msg_id and len(msg_id) <= 200:
        return f"zalo:{msg_id}"
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"zalo:d:{box.blind_index('zalo-event', canonical)[:40]}"


def lane_of(event: dict[str, Any], box: IdentityBox) -> str:
    """One citizen's events are applied in order; the lane names them by a blind index."""
    user = user_of(event)
    if user is None:
        return "zalo:other"
    return f"zalo:{box.blind_index(CHANNEL, user)[:20]}"
