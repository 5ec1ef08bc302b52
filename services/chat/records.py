"""The ``chat`` events for the lake, built directly in their spool form.

Every delivered row becomes one ``delivered`` event, so building events is on the hot path
of every message. ``warehouse.events.Event`` builds a frozen dataclass, draws a uuid4 (a
``urandom`` call) and converts itself with ``to_record``; here the record dict the spool
and the outbox keep is built at once, in the same form (the test suite checks it against
``Event.to_record``), with cheaper ids and one timestamp per write.

Event ids: a random 64-bit prefix drawn once per process (and again in a forked child)
followed by a 64-bit counter, as 32 hex digits like a uuid4's ``hex``. Ids are unique as
long as no two processes draw the same prefix (odds about n² / 2⁶⁵ for n processes), and a
record published again from the outbox keeps its id, so the lake counts it once.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from warehouse.events import EVENTS_TABLE

Record = dict[str, Any]


class _Ids:
    """Process-unique event ids: a random prefix and a counter."""

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):016x}"


_ids = _Ids()
os.register_at_fork(after_in_child=_ids.reseed)


def event_id() -> str:
    """A new event id (32 hex digits), unique across processes."""
    return _ids.next()


_second: tuple[int, str] = (0, "1970-01-01T00:00:00")  # the last whole second formatted


def stamp(at: float | None = None) -> str:
    """The lake timestamp (ISO 8601, UTC, to the microsecond) of ``at`` seconds since the
    epoch (default: now), as ``Event.to_record`` writes it. The date and time of day are
    formatted once per second, not once per event."""
    global _second
    part, whole = math.modf(time.time() if at is None else at)
    second, fraction = int(whole), round(part * 1e6)  # as ``datetime.fromtimestamp`` rounds
    if fraction >= 1_000_000:
        second, fraction = second + 1, fraction - 1_000_000
    elif fraction < 0:
        second, fraction = second - 1, fraction + 1_000_000
    last, prefix = _second
    if second != last:
        prefix = datetime.fromtimestamp(second, UTC).isoformat()[:19]
        _second = (second, prefix)
    return f"{prefix}.{fraction:06d}+00:00" if fraction else f"{prefix}+00:00"


def chat_event(
    type_: str, actor: str | None, entity: str | None, /, *, ts: str | None = None, **attrs: Any
) -> Record:
    """One ``chat`` event as a spool record. ``ts`` (from ``stamp``) lets the events of one
    write share one timestamp; by default it is now."""
    return {
        "_table": EVENTS_TABLE,
        "event_id": _ids.next(),
        "ts": stamp() if ts is None else ts,
        "system": "chat",
        "type": type_,
        "actor": None if actor is None else str(actor),
        "entity": None if entity is None else str(entity),
        "attrs": orjson.dumps(attrs, default=str).decode(),
    }
