"""The emitter services call to record events, over interchangeable durable transports.

``SpoolTransport`` (the embedded default) appends to the local spool; ``NatsTransport``
(scale-out) publishes to a JetStream subject with ``Nats-Msg-Id`` set to ``source:seq`` so the
server de-duplicates retries. ``emit`` returns only once the event is durable, and raises
``SpoolFull`` (or the transport's error) instead of dropping it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

from warehouse.at_rest import write_key
from warehouse.events import Event
from warehouse.settings import Settings, get_settings
from warehouse.spool import SpoolWriter


class Transport(Protocol):
    def append(self, records: Sequence[dict[str, Any]]) -> list[tuple[str, int]]: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class SpoolTransport:
    """The local durable spool."""

    def __init__(self, settings: Settings, name: str = "app") -> None:
        self.writer = SpoolWriter(
            settings.spool_dir,
            name,
            segment_bytes=settings.spool_segment_bytes,
            max_bytes=settings.spool_max_bytes,
            key=write_key(settings.data_dir, settings),
        )

    def append(self, records: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        return self.writer.append(records)

    def flush(self) -> None:
        self.writer.seal()

    def seal_idle(self, idle_s: float) -> bool:
        return self.writer.seal_if_idle(idle_s)

    def close(self) -> None:
        self.writer.close()


class Emitter:
    """Records events and other spooled rows (logs) for the lake."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def emit(
        self,
        system: str,
        type: str,
        *,
        actor: str | int | None = None,
        entity: str | int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> Event:
        """Record one event durably and return it."""
        event = Event(
            system=system,
            type=type,
            actor=None if actor is None else str(actor),
            entity=None if entity is None else str(entity),
            attrs=attrs or {},
        )
        self.transport.append([event.to_record()])
        return event

    def emit_events(self, events: Sequence[Event]) -> None:
        self.transport.append([e.to_record() for e in events])

    def emit_records(self, records: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        """Record events already in spool form (``Event.to_record``), as an outbox keeps
        them."""
        return self.transport.append(records)

    def append_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        """Spool rows for another lake table (for example ``logs``)."""
        return self.transport.append([{**row, "_table": table} for row in rows])

    def flush(self) -> None:
        """Make everything emitted so far visible to ingestion."""
        self.transport.flush()

    def seal_idle(self, idle_s: float) -> bool:
        """Seal a spool segment that has been quiet for ``idle_s`` seconds (transports that
        publish each event at once, like NATS, have nothing to seal)."""
        seal = getattr(self.transport, "seal_idle", None)
        return bool(seal(idle_s)) if seal is not None else False

    def close(self) -> None:
        self.transport.close()


_lock = threading.Lock()
_default: Emitter | None = None


def make_transport(settings: Settings, name: str = "app") -> Transport:
    if settings.nats_url:
        from warehouse.nats_transport import NatsTransport

        return NatsTransport(settings.nats_url, name)
    return SpoolTransport(settings, name)


def get_emitter(settings: Settings | None = None) -> Emitter:
    """The process-wide emitter (created on first use)."""
    global _default
    with _lock:
        if _default is None:
            _default = Emitter(make_transport(settings or get_settings()))
        return _default


def reset_emitter() -> None:
    """Close the process-wide emitter; the next ``get_emitter`` opens a fresh one."""
    global _default
    with _lock:
        if _default is not None:
            _default.close()
        _default = None
