"""Evidence a Zalo citizen sends: the event carries a URL that expires, so the bytes are
downloaded when the event is applied and kept in the database, sealed with the province
key (storage/stored_files.py); the domain gets a :class:`~bot.dialogue.MediaIn` whose
``file_id`` names the stored bytes, and the Telegram sender uploads them to the police
group.

The limits are Telegram evidence's (bot/tip_form.py ``check_media``: the kinds, the
document types and ``TINBAO_MAX_ATTACHMENT_MB``): what Zalo declares is checked before
anything is fetched, what arrives is counted as it arrives and dropped past the limit.
Nothing here logs a URL, a file name or a user id.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import aiohttp

from bot.crypto import IdentityBox
from bot.dialogue import MediaIn
from storage import stored_files
from storage.db import Tx
from storage.stored_files import PREFIX, StoredFile

log = logging.getLogger(__name__)

KINDS = {
    "user_send_image": "photo",
    "user_send_video": "video",
    "user_send_audio": "audio",
    "user_send_file": "document",
}
DEFAULT_MIME = {"photo": "image/jpeg", "video": "video/mp4", "audio": "audio/mp4"}
DEFAULT_NAME = {"photo": "photo.jpg", "video": "video.mp4", "audio": "audio.m4a"}
DOWNLOAD_TIMEOUT = 60.0  # seconds for the whole file; the citizen's lane waits meanwhile
CHUNK = 64 * 1024
TELEGRAM_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto's limit for an upload


class DownloadFailed(Exception):
    """``unreachable`` (an error, a timeout, not 200) or ``too_big`` (``size`` read)."""

    def __init__(self, reason: str, size: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo, video, audio, document
    url: str
    mime_type: str | None
    size: int | None  # as Zalo declares it (files carry it), else None
    filename: str

    def declared(self) -> MediaIn:
        """What is known before the download, for the limits' first look."""
        return MediaIn(self.kind, "", "", self.mime_type, self.size)


def attachment_of(event: dict[str, Any]) -> Attachment | None:
    """The first attachment of a ``user_send_image``/``_video``/``_audio``/``_file``
    event: ``message.attachments[0].payload`` (``url``; a file's ``name`` and ``size``)."""
    kind = KINDS.get(str(event.get("event_name")))
    message = event.get("message")
    attachments = message.get("attachments") if isinstance(message, dict) else None
    if kind is None or not isinstance(attachments, list) or not attachments:
        return None
    first = attachments[0]
    payload = first.get("payload") if isinstance(first, dict) else None
    if not isinstance(payload, dict):
        return None
    url = payload.get("url")
    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https"):
        return None
    name = payload.get("name")
    filename = name if isinstance(name, str) and name.strip() else _name_of(url, kind)
    filename = filename.replace("/", "_").replace("\\", "_")[:120]
    mime = mimetypes.guess_type(filename)[0] if kind == "document" else DEFAULT_MIME[kind]
    return Attachment(kind, url, mime, _size(payload.get("size")), filename)


def stored_name(event_key: str) -> str:
    """The file id the domain holds: the same for the same event, however often it is
    applied, and naming nothing of the citizen."""
    return PREFIX + hashlib.sha256(event_key.encode()).hexdigest()[:32]


def stored(
    attachment: Attachment, event_key: str, data: bytes, mime: str | None, box: IdentityBox
) -> StoredFile:
    """The file to keep. A photo larger than Telegram uploads as a photo is kept as the
    image document it is (Telegram's own clients send such a picture as a file too). Its
    digest is keyed (the province's blind index): equal bytes still give equal digests,
    but a copied database cannot be searched for a known picture by its plain hash."""
    kind = attachment.kind
    if kind == "photo" and len(data) > TELEGRAM_PHOTO_BYTES:
        kind = "document"
    return StoredFile(
        stored_name(event_key),
        kind,
        mime,
        attachment.filename,
        len(data),
        box.blind_index("evidence", hashlib.sha256(data).hexdigest()),
        data,
    )


def media_in(file: StoredFile) -> MediaIn:
    """The domain's view of the stored file; the same bytes sent twice are one file."""
    return MediaIn(
        file.kind, file.name, "zalo:" + file.sha256[:32], file.mime_type, file.size_bytes
    )


async def download(
    url: str, *, limit: int, seconds: float = DOWNLOAD_TIMEOUT
) -> tuple[bytes, str | None]:
    """The bytes at ``url`` and the content type the server gave; raises
    :class:`DownloadFailed`. More than ``limit`` bytes are never kept in memory."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                log.warning("zalo attachment not downloaded: HTTP %d", response.status)
                raise DownloadFailed("unreachable")
            declared = response.content_length
            if declared is not None and declared > limit:
                raise DownloadFailed("too_big", declared)
            data = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK):
                data.extend(chunk)
                if len(data) > limit:
                    raise DownloadFailed("too_big", len(data))
            content_type = response.headers.get("Content-Type")
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("zalo attachment not downloaded: %s", type(exc).__name__)
        raise DownloadFailed("unreachable") from None
    mime = content_type.split(";", 1)[0].strip().lower() if content_type else None
    return bytes(data), mime or None


def _name_of(url: str, kind: str) -> str:
    tail = urlparse(url).path.rsplit("/", 1)[-1]
    if kind == "document" and "." in tail:
        return tail
    return DEFAULT_NAME.get(kind, "file")


def _size(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


async def keep(tx: Tx, file: StoredFile, box: IdentityBox) -> None:
    """Into the database, sealed (a copied database file shows neither the bytes nor the
    file's name)."""
    await stored_files.put(tx, file, seal=box.seal_bytes)
