"""Builders of real Bot API update JSON for simulated citizens and police officers.

Tests and ``tinbao demo`` feed the real ``telegram.ext.Application`` with the same dicts
Telegram's servers send, rather than hand-built PTB objects: that way PTB's own
``Update.de_json`` runs on them, so a field we get wrong here (a missing ``chat.type``, an
entity length counted in code points instead of UTF-16 units) fails loudly in a test
instead of silently in production.  Nothing in this module imports PTB.

The file ids minted here are opaque-looking like Telegram's, but they encode the kind and
size of the file so that :class:`handlers.telegram.fake.botapi.FakeBotApi` can answer ``getFile``
for them
(including the real 20 MB download limit) without having seen the update.
"""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, system_clock

JSONDict = dict[str, Any]

# Process-wide counters: two factories in one test must never mint the same file id or
# callback id, exactly as two Telegram clients never do.
_serials: Iterator[int] = itertools.count(1)
_group_ids: Iterator[int] = itertools.count(1)

#: Prefixes of real file ids per media kind, so that ids look familiar in logs.
_FILE_PREFIX: Mapping[str, str] = {
    "photo": "AgAC",
    "document": "BQAC",
    "video": "BAAC",
    "voice": "AwAC",
    "audio": "CQAC",
    "sticker": "CAAC",
    "video_note": "DQAC",
    "animation": "CgAC",
}
_KIND_BY_PREFIX: Mapping[str, str] = {v: k for k, v in _FILE_PREFIX.items()}

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_URL_RE = re.compile(r"https?://[^\s<>\"]+")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}\b")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of every Bot API entity offset.

    Vietnamese precomposed letters are one unit each but emoji are two, so ``len()`` is
    wrong as soon as a citizen adds a flag or a face to a message.
    """
    return len(text.encode("utf-16-le")) // 2


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def new_file_ids(kind: str, size: int) -> tuple[str, str]:
    """Mint a fresh ``(file_id, file_unique_id)`` pair for a file of ``kind`` and ``size``.

    The pair is unique per call (as every upload is a new file), and the ``file_id``
    carries kind and size so the fake API can later serve ``getFile`` for it statelessly.
    """
    if kind not in _FILE_PREFIX:
        raise ValueError(f"unknown file kind {kind!r}")
    serial = next(_serials)
    unique = "AQAD" + _b64(f"u{serial}")
    return _FILE_PREFIX[kind] + _b64(f"{kind}|{serial}|{size}|{unique}"), unique


@dataclass(frozen=True, slots=True)
class FileRef:
    """What :func:`parse_file_id` recovers from a file id minted by :func:`new_file_ids`."""

    kind: str
    size: int
    file_unique_id: str


def parse_file_id(file_id: str) -> FileRef | None:
    """Decode a file id minted by :func:`new_file_ids`; ``None`` for anything else."""
    kind = _KIND_BY_PREFIX.get(file_id[:4])
    if kind is None:
        return None
    body = file_id[4:]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        got_kind, _serial, size, unique = raw.split("|")
        ref = FileRef(kind=got_kind, size=int(size), file_unique_id=unique)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None
    return ref if ref.kind == kind else None


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Telegram account (a citizen, an officer, or the bot itself with ``is_bot``)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "vi"
    is_bot: bool = False

    def __post_init__(self) -> None:
        if self.id <= 0:
            raise ValueError("user ids are positive")

    def to_dict(self) -> JSONDict:
        """The ``User`` object as it appears in ``from`` fields."""
        out: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name is not None:
            out["last_name"] = self.last_name
        if self.username is not None:
            out["username"] = self.username
        if self.language_code is not None and not self.is_bot:
            out["language_code"] = self.language_code
        return out

    @property
    def chat(self) -> FakeChat:
        """The private chat between this user and the bot (its id is the user id)."""
        return FakeChat.private(self)


@dataclass(frozen=True, slots=True)
class FakeChat:
    """A chat: private (id = user id > 0) or group/supergroup/channel (id < 0, titled)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def __post_init__(self) -> None:
        if self.type == "private":
            if self.id <= 0:
                raise ValueError("private chat ids are positive (the user id)")
        elif self.type in ("group", "supergroup", "channel"):
            if self.id >= 0:
                raise ValueError(f"{self.type} ids are negative")
            if not self.title:
                raise ValueError(f"a {self.type} needs a title")
        else:
            raise ValueError(f"unknown chat type {self.type!r}")

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        """The private chat Telegram creates when ``user`` presses Start."""
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    @classmethod
    def group(cls, title: str, id: int | None = None) -> FakeChat:
        """A basic group; ids look like real ones (``-4xxxxxxxxx``)."""
        chat_id = id if id is not None else -(4_000_000_000 + next(_group_ids))
        return cls(id=chat_id, type="group", title=title)

    @classmethod
    def supergroup(cls, title: str, id: int | None = None, username: str | None = None) -> FakeChat:
        """A supergroup; ids look like real ones (``-100xxxxxxxxxx``)."""
        chat_id = id if id is not None else -(1_000_000_000_000 + next(_group_ids))
        return cls(id=chat_id, type="supergroup", title=title, username=username)

    @classmethod
    def channel(cls, title: str, id: int | None = None, username: str | None = None) -> FakeChat:
        """A channel (same id space as supergroups)."""
        chat_id = id if id is not None else -(1_000_000_000_000 + next(_group_ids))
        return cls(id=chat_id, type="channel", title=title, username=username)

    def to_dict(self) -> JSONDict:
        """The ``Chat`` object as it appears in ``message.chat``."""
        out: JSONDict = {"id": self.id}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["type"] = self.type
        return out


#: Rights of an administrator when none are given: what a group owner grants by default
#: when promoting, plus posting and pinning, which tinbao needs in police groups.
DEFAULT_ADMIN_RIGHTS: Mapping[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_pin_messages": True,
    "can_manage_topics": False,
}

_RESTRICTED_FIELDS: Sequence[str] = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
)


def chat_member_json(user: JSONDict, status: str, **rights: bool) -> JSONDict:
    """A ``ChatMember`` object with every field the Bot API (and PTB 22.8) requires.

    ``rights`` override the defaults: for ``administrator`` see
    :data:`DEFAULT_ADMIN_RIGHTS`; for ``restricted`` every permission defaults to ``True``
    except those given.
    """
    member: JSONDict = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = rights.get("is_anonymous", False)
    elif status == "administrator":
        member.update(DEFAULT_ADMIN_RIGHTS)
        member.update(rights)
    elif status == "restricted":
        member["is_member"] = rights.get("is_member", True)
        member.update({key: rights.get(key, True) for key in _RESTRICTED_FIELDS})
        member["until_date"] = 0
    elif status == "kicked":
        member["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    return member


def text_entities(text: str) -> list[JSONDict]:
    """The entities Telegram's servers detect in a plain text message.

    A ``bot_command`` only when the text starts with a valid command (``/`` followed by
    Latin letters, digits or ``_``, optionally ``@botname``: ``/đăng`` is *not* one, as on
    Telegram), plus ``url`` and ``mention`` entities; offsets and lengths are in UTF-16 units.
    """
    found: list[tuple[int, int, str]] = []
    command = _COMMAND_RE.match(text)
    if command and (command.end() == len(text) or not text[command.end()].isalnum()):
        found.append((0, command.end(), "bot_command"))
    found.extend((m.start(), m.end(), "url") for m in _URL_RE.finditer(text))
    found.extend((m.start(), m.end(), "mention") for m in _MENTION_RE.finditer(text))
    found.sort()
    return [
        {"offset": utf16_len(text[:start]), "length": utf16_len(text[start:end]), "type": kind}
        for start, end, kind in found
    ]


class UpdateFactory:
    """Builds ``Update`` dicts with increasing ``update_id`` for simulated users.

    ``message_ids`` allocates a message id for a chat; bind it to
    :meth:`handlers.telegram.fake.botapi.FakeBotApi.allocate_message_id` so that citizen messages
    and bot
    replies share one id sequence per chat, as on Telegram (``FakeBotApi.factory()`` does
    that).  ``observe`` is called with every update built, so the fake API can store the
    inbound messages that the bot later copies, forwards or replies to; ``update_ids``
    replaces the internal ``update_id`` counter (the fake API shares its own).
    """

    def __init__(
        self,
        *,
        bot: FakeUser | None = None,
        first_update_id: int = 1,
        message_ids: Callable[[int], int] | None = None,
        observe: Callable[[JSONDict], None] | None = None,
        clock: Clock = system_clock,
        update_ids: Callable[[], int] | None = None,
    ) -> None:
        self.bot = bot
        self.clock = clock
        self._update_ids: Callable[[], int] = (
            update_ids or itertools.count(first_update_id).__next__
        )
        self._message_ids = message_ids
        self._observe = observe
        self._own_ids: dict[int, Iterator[int]] = {}

    # -- plumbing -------------------------------------------------------------------------

    def next_update_id(self) -> int:
        """The next ``update_id``; Telegram's are strictly increasing."""
        return self._update_ids()

    def _next_message_id(self, chat_id: int) -> int:
        if self._message_ids is not None:
            return self._message_ids(chat_id)
        return next(self._own_ids.setdefault(chat_id, itertools.count(1)))

    def _emit(self, update: JSONDict) -> JSONDict:
        if self._observe is not None:
            self._observe(update)
        return update

    def message(self, user: FakeUser, chat: FakeChat | None = None, **content: Any) -> JSONDict:
        """A ``message`` update from ``user`` in ``chat`` (their private chat by default)
        with arbitrary Bot API message ``content`` fields."""
        where = chat if chat is not None else user.chat
        msg: JSONDict = {
            "message_id": self._next_message_id(where.id),
            "from": user.to_dict(),
            "chat": where.to_dict(),
            "date": int(self.clock().timestamp()),
        }
        msg.update(content)
        return self._emit({"update_id": self.next_update_id(), "message": msg})

    # -- text-like ------------------------------------------------------------------------

    def text(
        self,
        user: FakeUser,
        text: str,
        chat: FakeChat | None = None,
        *,
        reply_to: JSONDict | None = None,
    ) -> JSONDict:
        """A text message; ``reply_to`` is a message dict the user replied to."""
        content: JSONDict = {"text": text}
        entities = text_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            content["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        return self.message(user, chat, **content)

    def contact(
        self,
        user: FakeUser,
        phone: str,
        own: bool = True,
        chat: FakeChat | None = None,
        *,
        first_name: str | None = None,
    ) -> JSONDict:
        """A shared contact; ``own`` (the "share my phone number" button) sets
        ``user_id`` to the sender's id, which is how a bot tells the two apart."""
        contact: JSONDict = {
            "phone_number": phone,
            "first_name": first_name or user.first_name,
        }
        if own:
            if user.last_name is not None:
                contact["last_name"] = user.last_name
            contact["user_id"] = user.id
        return self.message(user, chat, contact=contact)

    def location(
        self, user: FakeUser, lat: float, lon: float, chat: FakeChat | None = None
    ) -> JSONDict:
        """A one-off location pin."""
        return self.message(user, chat, location={"latitude": lat, "longitude": lon})

    # -- media ----------------------------------------------------------------------------

    def _with_caption(self, content: JSONDict, caption: str | None) -> JSONDict:
        if caption is not None:
            content["caption"] = caption
            entities = [e for e in text_entities(caption) if e["type"] != "bot_command"]
            if entities:
                content["caption_entities"] = entities
        return content

    def photo(
        self,
        user: FakeUser,
        caption: str | None = None,
        size: int = 50_000,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """A photo: like Telegram, several ``PhotoSize`` entries, largest last, each a
        distinct file; ``size`` is the largest one's byte size."""
        return self.message(user, chat, **self._with_caption({"photo": photo_sizes(size)}, caption))

    def video(
        self,
        user: FakeUser,
        caption: str | None = None,
        size: int = 5_000_000,
        duration: int = 12,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """A video recorded on a phone (H.264 MP4, portrait)."""
        file_id, unique = new_file_ids("video", size)
        video: JSONDict = {
            "duration": duration,
            "width": 720,
            "height": 1280,
            "file_name": f"VID_{unique[-6:]}.mp4",
            "mime_type": "video/mp4",
            "thumbnail": photo_sizes(max(size // 200, 1_000))[0],
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        return self.message(user, chat, **self._with_caption({"video": video}, caption))

    def voice(
        self,
        user: FakeUser,
        duration: int = 7,
        size: int = 30_000,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """A voice note (Opus in OGG, as every Telegram client records)."""
        file_id, unique = new_file_ids("voice", size)
        voice = {
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        return self.message(user, chat, voice=voice)

    def audio(
        self,
        user: FakeUser,
        file_name: str = "ghi_am.mp3",
        size: int = 900_000,
        duration: int = 60,
        chat: FakeChat | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """An audio file sent as music (not a voice note)."""
        file_id, unique = new_file_ids("audio", size)
        audio = {
            "duration": duration,
            "file_name": file_name,
            "mime_type": "audio/mpeg",
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        return self.message(user, chat, **self._with_caption({"audio": audio}, caption))

    def document(
        self,
        user: FakeUser,
        file_name: str,
        mime_type: str,
        size: int,
        chat: FakeChat | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """A file sent "as document" (uncompressed); ``size`` may exceed 20 MB, which the
        Bot API lets a bot receive but not download."""
        file_id, unique = new_file_ids("document", size)
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        return self.message(user, chat, **self._with_caption({"document": document}, caption))

    def sticker(self, user: FakeUser, emoji: str = "👍", chat: FakeChat | None = None) -> JSONDict:
        """A static sticker from a pack."""
        file_id, unique = new_file_ids("sticker", 24_000)
        sticker = {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "set_name": "HotCherry",
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": 24_000,
        }
        return self.message(user, chat, sticker=sticker)

    def animation(
        self,
        user: FakeUser,
        size: int = 400_000,
        chat: FakeChat | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """A GIF.  As the Bot API documents, ``document`` is set too, to the same file."""
        file_id, unique = new_file_ids("animation", size)
        animation = {
            "file_name": "giphy.mp4",
            "mime_type": "video/mp4",
            "duration": 3,
            "width": 480,
            "height": 270,
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        document = {
            "file_name": "giphy.mp4",
            "mime_type": "video/mp4",
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        content = self._with_caption({"animation": animation, "document": document}, caption)
        return self.message(user, chat, **content)

    def video_note(
        self,
        user: FakeUser,
        duration: int = 9,
        size: int = 600_000,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """A round video message."""
        file_id, unique = new_file_ids("video_note", size)
        note = {
            "duration": duration,
            "length": 384,
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        return self.message(user, chat, video_note=note)

    # -- buttons --------------------------------------------------------------------------

    def callback(
        self,
        user: FakeUser,
        message: JSONDict,
        data: str,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """A ``callback_query``: ``user`` pressed an inline button carrying ``data`` on
        ``message`` (a stored message dict, e.g. from ``FakeBotApi.sent_to``).

        ``chat`` only matters when ``message`` lacks its ``chat``; ``chat_instance`` is a
        stable token per chat, as Telegram's is.
        """
        msg = dict(message)
        if "chat" not in msg:
            msg["chat"] = (chat or user.chat).to_dict()
        chat_id = int(msg["chat"]["id"])
        query: JSONDict = {
            "id": str((user.id << 16) + next(_serials)),
            "from": user.to_dict(),
            "message": msg,
            "chat_instance": str((chat_id * 2_654_435_761) % (1 << 63) - (1 << 62)),
            "data": data,
        }
        return self._emit({"update_id": self.next_update_id(), "callback_query": query})

    # -- membership -----------------------------------------------------------------------

    def new_chat_members(
        self, actor: FakeUser, chat: FakeChat, members: Sequence[FakeUser]
    ) -> JSONDict:
        """The service message Telegram posts when ``actor`` adds ``members`` to a group
        (``members == [actor]`` means the actor joined).  Telegram still sends the legacy
        ``new_chat_participant``/``new_chat_member`` fields; so do we."""
        if chat.type == "private":
            raise ValueError("members join groups, not private chats")
        users = [m.to_dict() for m in members]
        return self.message(
            actor,
            chat,
            new_chat_participant=users[0],
            new_chat_member=users[0],
            new_chat_members=users,
        )

    def migration(self, actor: FakeUser, old: FakeChat, new: FakeChat) -> tuple[JSONDict, JSONDict]:
        """The two service messages Telegram posts when ``actor`` upgrades the basic group
        ``old`` to the supergroup ``new``: in the old group one with ``migrate_to_chat_id``,
        in the new supergroup one with ``migrate_from_chat_id``."""
        if old.type != "group" or new.type != "supergroup":
            raise ValueError("a basic group migrates to a supergroup")
        return (
            self.message(actor, old, migrate_to_chat_id=new.id),
            self.message(actor, new, migrate_from_chat_id=old.id),
        )

    def my_chat_member(
        self,
        actor: FakeUser,
        chat: FakeChat,
        new_status: str = "member",
        old_status: str = "left",
        **rights: bool,
    ) -> JSONDict:
        """A ``my_chat_member`` update: ``actor`` changed the bot's status in ``chat``
        (default: added it as a plain member).  ``rights`` apply to ``new_status``.
        In a private chat, ``new_status="kicked"`` is the user blocking the bot."""
        if self.bot is None:
            raise ValueError("UpdateFactory(bot=...) is needed for my_chat_member")
        bot = self.bot.to_dict()
        change = {
            "chat": chat.to_dict(),
            "from": actor.to_dict(),
            "date": int(self.clock().timestamp()),
            "old_chat_member": chat_member_json(bot, old_status),
            "new_chat_member": chat_member_json(bot, new_status, **rights),
        }
        return self._emit({"update_id": self.next_update_id(), "my_chat_member": change})

    def chat_member(
        self,
        actor: FakeUser,
        chat: FakeChat,
        user: FakeUser,
        new_status: str = "member",
        old_status: str = "left",
        **rights: bool,
    ) -> JSONDict:
        """A ``chat_member`` update: ``actor`` changed ``user``'s status in ``chat``.
        Telegram only sends these to admin bots that list ``chat_member`` in
        ``allowed_updates``; the fake API withholds them otherwise, as Telegram does."""
        change = {
            "chat": chat.to_dict(),
            "from": actor.to_dict(),
            "date": int(self.clock().timestamp()),
            "old_chat_member": chat_member_json(user.to_dict(), old_status),
            "new_chat_member": chat_member_json(user.to_dict(), new_status, **rights),
        }
        return self._emit({"update_id": self.next_update_id(), "chat_member": change})


def photo_sizes(size: int) -> list[JSONDict]:
    """The ``PhotoSize`` array of one photo whose largest rendition has ``size`` bytes."""
    out: list[JSONDict] = []
    for width, share in ((90, 0.02), (320, 0.12), (800, 0.5), (1280, 1.0)):
        part = max(int(size * share), 1)
        file_id, unique = new_file_ids("photo", part)
        out.append(
            {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_size": part,
                "width": width,
                "height": width * 3 // 4,
            }
        )
    return out
