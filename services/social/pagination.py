"""Opaque cursors: clients pass back what they were given and never build one themselves."""

from __future__ import annotations

import base64

from fastapi import HTTPException


def encode_cursor(value: int | None) -> str | None:
    if value is None:
        return None
    return base64.urlsafe_b64encode(f"c1:{value}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        if prefix != "c1":
            raise ValueError(prefix)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(
            400, "invalid cursor: pass back the next_cursor you were given"
        ) from exc
