"""Plain records of the messaging domain and the wire form of a stored message."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson

# Kinds of rows in a conversation's log. ``message`` carries content; the others are events.
CONTENT = "message"
EDIT = "edit"
DELETE = "delete"
CREATED = "created"
MEMBER_ADDED = "member_added"
MEMBER_REMOVED = "member_removed"
RETENTION = "retention"
KINDS = (CONTENT, EDIT, DELETE, CREATED, MEMBER_ADDED, MEMBER_REMOVED, RETENTION)
SCRUB = ("scrub",)  # a commit that removed text: the store's files are scrubbed after it


@dataclass(frozen=True)
class Conversation:
    id: str
    kind: str
    title: str | None
    created_by: str
    created_at: float
    encrypted: bool
    retention_s: float | None
    last_seq: int
    purged_through: int
    direct_key: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "encrypted": self.encrypted,
            "retention_s": self.retention_s,
            "last_seq": self.last_seq,
            "purged_through": self.purged_through,
        }


@dataclass(frozen=True)
class Message:
    conv_id: str
    seq: int
    kind: str
    sender: str
    device: str | None
    client_id: str | None
    body: str | None  # JSON text
    ref_seq: int | None
    created_at: float
    edited_at: float | None = None
    deleted: bool = False

    def frame(self) -> dict[str, Any]:
        """The ``msg`` frame every device receives for this row."""
        return {
            "type": "msg",
            "conv": self.conv_id,
            "seq": self.seq,
            "kind": self.kind,
            "sender": self.sender,
            "device": self.device,
            "client_id": self.client_id,
            "body": None if self.body is None else orjson.loads(self.body),
            "ref_seq": self.ref_seq,
            "ts": self.created_at,
            "edited_at": self.edited_at,
            "deleted": self.deleted,
        }

    @cached_property
    def wire(self) -> str:
        """``frame()`` as JSON text, encoded once however many devices it goes to."""
        return orjson.dumps(self.frame()).decode()


@dataclass(frozen=True)
class Posted:
    """What a send stored: the row, and whether it was a resend of one already stored."""

    message: Message
    duplicate: bool


def entitled(seq: int, intervals: list[tuple[int, int | None]]) -> bool:
    """Whether a member whose membership spans ``intervals`` may see ``seq`` (a removed
    member still sees its own removal)."""
    return any(joined <= seq and (left is None or seq <= left) for joined, left in intervals)
