"""Opaque cursors: clients pass back what they were given and never build one themselves."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from services.social.model import MAX_ID, InvalidCursor

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the cursor of the next (``None`` on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(value: int | None) -> str | None:
    if value is None:
        return None
    return base64.urlsafe_b64encode(f"c1:{value}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The position in ``cursor``, or ``InvalidCursor`` (400) for anything not handed out
    (including positions outside 0 to 2**63 - 1, which no store could hold)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        if prefix != "c1":
            raise ValueError(prefix)
        position = int(value)
        if not 0 <= position <= MAX_ID:
            raise ValueError(position)
        return position
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("invalid cursor: pass back the next_cursor you were given") from exc


def keyset_page(items: list[T], limit: int, key: Callable[[T], int]) -> Page[T]:
    """A page whose next cursor is the key of its last item (a full page may have a next)."""
    nxt = encode_cursor(key(items[-1])) if items and len(items) == limit else None
    return Page(items, nxt)
