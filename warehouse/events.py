"""The event record every service emits, and its lake schema."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

from warehouse.systems import EVENT_SOURCES

EVENTS_TABLE = "events"

EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("system", pa.string()),
        ("type", pa.string()),
        ("actor", pa.string()),
        ("entity", pa.string()),
        ("attrs", pa.string()),  # JSON text; DuckDB reads it with json_extract
        ("source", pa.string()),
        ("seq", pa.int64()),
    ]
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Event:
    """A small immutable record of one interaction.

    ``source`` and ``seq`` are assigned by the transport when the event is made durable; the
    pair is unique and is what ingestion de-duplicates on.
    """

    system: str
    type: str
    actor: str | None = None
    entity: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    ts: datetime = field(default_factory=utcnow)
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        if self.system not in EVENT_SOURCES:
            known = ", ".join(sorted(EVENT_SOURCES))
            raise ValueError(f"unknown event system {self.system!r}; known: {known}")

    def to_record(self) -> dict[str, Any]:
        """The spool form: JSON-friendly, with the target table named."""
        return {
            "_table": EVENTS_TABLE,
            "event_id": self.event_id,
            "ts": self.ts.astimezone(UTC).isoformat(),
            "system": self.system,
            "type": self.type,
            "actor": None if self.actor is None else str(self.actor),
            "entity": None if self.entity is None else str(self.entity),
            "attrs": orjson.dumps(self.attrs, default=str).decode(),
        }
