"""The citizen's unfinished dialogue (a tip being written, a status code awaited, a reply
to the police), as it is kept sealed in the ``dialogues`` table between two messages.

Typed so a misspelt field is a type error rather than a silent ``None``. The sealed JSON
keeps the shape the untyped draft had (same keys, places and files as lists and objects),
so a citizen halfway through a tip while tinbao is upgraded carries on where they were;
:meth:`Draft.from_plain` reads anything an earlier version wrote and ignores what it does
not know.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.db import Tx
from storage.reporters import Reporter

# The steps of writing a tip, as opposed to a status lookup ("status_code") or a reply to
# the police ("relay"): while one of these is open, the citizen is offered to resume it.
TIP_STEPS = (
    "category",
    "urgent",
    "place",
    "place_pick",
    "place_confirm",
    "address",
    "when",
    "when_note",
    "description",
    "evidence",
    "identity",
    "phone",
    "review",
    "edit",
)


@dataclass(frozen=True)
class Candidate:
    """A commune offered for the place the citizen typed; ``alias`` is the pre-2025 name
    that matched (the button says "X, now part of Y")."""

    unit_id: int
    name: str
    alias: str | None = None


@dataclass(frozen=True)
class Nearest:
    """The commune nearest to a shared location, offered for confirmation."""

    unit_id: int
    name: str
    km: float


@dataclass(frozen=True)
class DraftFile:
    """A photo, video or document the citizen sent as evidence, known by the channel's ids."""

    kind: str
    file_id: str
    file_unique_id: str
    mime_type: str | None = None
    size_bytes: int | None = None


@dataclass
class Draft:
    draft_id: str  # the tip's idempotency key: one draft files at most one tip
    step: str
    category: str | None = None
    urgent: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    nearest: Nearest | None = None
    lat: float | None = None
    lon: float | None = None
    unit_id: int | None = None
    unit_name: str | None = None
    address: str | None = None
    occurred: str | None = None  # now | today | earlier
    occurred_note: str | None = None
    description: str | None = None
    attachments: list[DraftFile] = field(default_factory=list)
    contactable: bool = False
    phone: str | None = None
    editing: bool = False  # one field is being changed from the review card
    wanted_notice_id: int | None = None  # a sighting of this wanted person
    wanted_name: str | None = None
    tip_code: str | None = None  # the tip a relay answers

    @classmethod
    def new(cls, step: str, **fields: Any) -> Draft:
        return cls(uuid.uuid4().hex, step, **fields)

    @property
    def writing_tip(self) -> bool:
        return self.step in TIP_STEPS

    def to_plain(self) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id,
            "step": self.step,
            "category": self.category,
            "urgent": self.urgent,
            "candidates": [[c.unit_id, c.name, c.alias] for c in self.candidates],
            "nearest": (
                [self.nearest.unit_id, self.nearest.name, self.nearest.km] if self.nearest else None
            ),
            "lat": self.lat,
            "lon": self.lon,
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "address": self.address,
            "occurred": self.occurred,
            "occurred_note": self.occurred_note,
            "description": self.description,
            "attachments": [
                {
                    "kind": f.kind,
                    "file_id": f.file_id,
                    "file_unique_id": f.file_unique_id,
                    "mime_type": f.mime_type,
                    "size_bytes": f.size_bytes,
                }
                for f in self.attachments
            ],
            "contactable": self.contactable,
            "phone": self.phone,
            "editing": self.editing,
            "wanted_notice_id": self.wanted_notice_id,
            "wanted_name": self.wanted_name,
            "tip_code": self.tip_code,
        }

    @classmethod
    def from_plain(cls, plain: Mapping[str, Any]) -> Draft:
        """Tolerant of every shape tinbao has stored: keys may be missing (the untyped
        draft only set what had been asked), and unknown keys are dropped."""
        nearest = plain.get("nearest")
        return cls(
            draft_id=str(plain.get("draft_id") or uuid.uuid4().hex),
            step=str(plain.get("step") or ""),
            category=_text(plain.get("category")),
            urgent=bool(plain.get("urgent")),
            candidates=[_candidate(c) for c in plain.get("candidates") or []],
            nearest=_nearest(nearest) if nearest else None,
            lat=_number(plain.get("lat")),
            lon=_number(plain.get("lon")),
            unit_id=_integer(plain.get("unit_id")),
            unit_name=_text(plain.get("unit_name")),
            address=_text(plain.get("address")),
            occurred=_text(plain.get("occurred")),
            occurred_note=_text(plain.get("occurred_note")),
            description=_text(plain.get("description")),
            attachments=[_file(f) for f in plain.get("attachments") or []],
            contactable=bool(plain.get("contactable")),
            phone=_text(plain.get("phone")),
            editing=bool(plain.get("editing")),
            wanted_notice_id=_integer(plain.get("wanted_notice_id")),
            wanted_name=_text(plain.get("wanted_name")),
            tip_code=_text(plain.get("tip_code")),
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _integer(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _candidate(value: Any) -> Candidate:
    if isinstance(value, Mapping):
        return Candidate(int(value["unit_id"]), str(value["name"]), _text(value.get("alias")))
    unit_id, name, alias = value
    return Candidate(int(unit_id), str(name), _text(alias))


def _nearest(value: Any) -> Nearest:
    if isinstance(value, Mapping):
        return Nearest(int(value["unit_id"]), str(value["name"]), float(value["km"]))
    unit_id, name, km = value
    return Nearest(int(unit_id), str(name), float(km))


def _file(value: Mapping[str, Any]) -> DraftFile:
    size = value.get("size_bytes")
    return DraftFile(
        str(value["kind"]),
        str(value["file_id"]),
        str(value["file_unique_id"]),
        _text(value.get("mime_type")),
        None if size is None else int(size),
    )


@dataclass
class Turn:
    """One event being handled: its transaction, who sent it, and the draft as it stands
    (``None`` when no dialogue is open; set to ``None`` to end it)."""

    tx: Tx
    reporter: Reporter
    subject: str
    lang: str
    draft: Draft | None
