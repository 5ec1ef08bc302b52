"""Notification state changes as lake events (``system="notify"``), emitted in batches.

Batching matters for the worker: each ``emit_events`` call is one fsync of the spool.
"""

from __future__ import annotations

from typing import Any

from warehouse.emitter import Emitter
from warehouse.events import Event

SYSTEM = "notify"


def event(type: str, user_id: str | None, delivery_id: str | None, **attrs: Any) -> Event:
    return Event(system=SYSTEM, type=type, actor=user_id, entity=delivery_id, attrs=attrs)


def emit_all(emitter: Emitter | None, events: list[Event]) -> None:
    if emitter is not None and events:
        emitter.emit_events(events)
