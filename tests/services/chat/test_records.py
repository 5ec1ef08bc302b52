"""Chat events built directly as spool records keep the form of ``Event.to_record`` (what
ingestion and the lake expect), and their cheaper ids stay unique."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime

import pytest

from services.chat.records import chat_event, event_id, stamp
from warehouse.events import Event


def test_chat_event_record_has_the_form_of_event_to_record():
    record = chat_event("delivered", "bob", "c1", device="d", seq=3, stored_at=1.5, x=None)
    expected = Event(
        system="chat",
        type="delivered",
        actor="bob",
        entity="c1",
        attrs={"device": "d", "seq": 3, "stored_at": 1.5, "x": None},
    ).to_record()
    assert record.keys() == expected.keys()
    for key in ("_table", "system", "type", "actor", "entity", "attrs"):
        assert record[key] == expected[key], key
    assert len(record["event_id"]) == 32 and int(record["event_id"], 16) >= 0
    now = datetime.now(UTC)
    assert abs((datetime.fromisoformat(record["ts"]) - now).total_seconds()) < 5


@pytest.mark.parametrize(
    "at",
    [1_700_000_000.25, 1_700_000_000.0, 1_700_000_059.999_999, 1_700_000_060.5, 86_400.000_001],
)
def test_stamp_is_the_isoformat_of_the_time(at):
    assert stamp(at) == datetime.fromtimestamp(at, UTC).isoformat()
    assert stamp(at) == stamp(at)  # formatted from the cached second too


def test_stamp_rounds_to_the_microsecond_as_datetime_does():
    rng = random.Random(5)
    for _ in range(20_000):
        at = rng.choice([rng.uniform(0, 4e9), round(rng.uniform(1.7e9, 1.8e9), 6)])
        assert stamp(at) == datetime.fromtimestamp(at, UTC).isoformat(), at


def test_stamp_now_is_now():
    before = datetime.now(UTC)
    got = datetime.fromisoformat(stamp())
    assert before <= got <= datetime.now(UTC)


def test_chat_event_keeps_a_shared_timestamp_and_stringifies_ids():
    ts = stamp(1_700_000_000.25)
    assert ts == datetime.fromtimestamp(1_700_000_000.25, UTC).isoformat()
    record = chat_event("read", 7, None, ts=ts, seq=1)
    assert record["ts"] == ts and record["actor"] == "7" and record["entity"] is None


def test_event_ids_are_unique_in_a_process_and_differ_in_a_forked_child():
    mine = [event_id() for _ in range(50_000)]
    assert len(set(mine)) == len(mine)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its ids, then out without running the parent's test teardown
        os.close(read)
        os.write(write, "\n".join(event_id() for _ in range(1000)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        theirs = pipe.read().decode().split("\n")
    os.waitpid(pid, 0)
    assert len(theirs) == 1000 and not set(theirs) & set(mine)
    assert {t[:16] for t in theirs} != {m[:16] for m in mine}
