"""The shared event spool: batches written by a thread or by the caller, never dropped."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pytest

from services.event_spool import EventSpool
from warehouse.emitter import Emitter


class Recording:
    """A transport that keeps what it is given and can be told to refuse the next append."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.appends = 0
        self.refuse = 0

    def append(self, records: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        if self.refuse:
            self.refuse -= 1
            raise OSError("spool refused")
        self.appends += 1
        self.records.extend(records)
        return []

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def types(transport: Recording) -> list[str]:
    return [r["type"] for r in transport.records]


def test_the_caller_writes_a_full_batch_when_batch_equals_limit() -> None:
    transport = Recording()
    spool = EventSpool(Emitter(transport), "rides", batch=3, limit=3)
    spool.add("a", entity="1")
    spool.add("b", entity="2")
    assert transport.records == []
    spool.add("c", entity="3")  # the third: written before add returns, in one append
    assert types(transport) == ["a", "b", "c"] and transport.appends == 1
    spool.close()


def test_a_batch_is_written_in_the_background_and_close_writes_the_rest() -> None:
    transport = Recording()
    spool = EventSpool(Emitter(transport), "booking", batch=2, limit=100)
    for t in ("a", "b", "c"):
        spool.add(t)
    deadline = time.monotonic() + 10
    while len(transport.records) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert types(transport)[:2] == ["a", "b"]
    spool.close()
    assert types(transport) == ["a", "b", "c"]


def test_a_refused_write_keeps_the_events_in_order() -> None:
    transport = Recording()
    spool = EventSpool(Emitter(transport), "rides", batch=2, limit=2)
    spool.add("a")
    transport.refuse = 1
    with pytest.raises(OSError):
        spool.add("b")  # the caller's write fails: pushed back to the caller, kept
    spool.add("c")  # now three pending, the next write takes all of them
    assert types(transport) == ["a", "b", "c"]
    spool.close()
