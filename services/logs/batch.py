"""Reading an ingest body: a JSON array (or one object), NDJSON, or plain text lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from services.logs.errors import MalformedBatch


@dataclass(frozen=True)
class Batch:
    """The items of one body: structured records and raw lines (``kind="json"``), or text
    lines (``kind="lines"``)."""

    items: list[Any]
    kind: str
    #: NDJSON lines that are not JSON, each with the reason: quarantined one by one, so one
    #: bad line does not cost the batch its good ones.
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def decode_batch(body: bytes, content_type: str) -> Batch:
    """Split ``body`` into items by its content type; an unreadable body raises
    ``MalformedBatch`` (400). Items that are neither objects nor strings are the processor's
    to quarantine."""
    content_type = content_type.lower()
    if content_type.startswith("text/plain"):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedBatch(f"body is not UTF-8: {exc}") from exc
        return Batch(text.splitlines(), "lines")
    stripped = body.lstrip()
    if not stripped:
        raise MalformedBatch("empty body: send a JSON array, NDJSON or text lines")
    ndjson = "ndjson" in content_type or "jsonlines" in content_type
    if not ndjson and stripped[:1] == b"[":
        try:
            items = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise MalformedBatch(f"request body is not valid JSON: {exc}") from exc
        return Batch(items, "json")
    if not ndjson:
        try:
            return Batch([orjson.loads(body)], "json")
        except orjson.JSONDecodeError:
            pass  # more than one document: NDJSON
    items: list[Any] = []
    unreadable: list[tuple[str, str]] = []
    lines = [line for line in body.split(b"\n") if line.strip()]
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.strip():
            try:
                items.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                if not ndjson and len(lines) == 1:  # one document that is not JSON
                    raise MalformedBatch(f"request body is not valid JSON: {exc}") from exc
                raw = line.decode("utf-8", errors="replace")
                unreadable.append((raw, f"NDJSON line {number} is not valid JSON: {exc}"))
    return Batch(items, "json", unreadable)
