"""The window between a batch's commit and its spool append: a process that dies there (its
cursor moves stored, its ``delivered`` events not yet in the spool) loses none of them, and
one that dies after the append but before forgetting the outbox row duplicates none in the
lake's audit. The spool here is the real one; the death is a transport that stops working
(before, or right after, writing) until the service is started again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from services.chat.audit import EVENTS_SQL, gap_audit, verdict
from services.chat.settings import ChatSettings
from services.chat.system import build
from warehouse.emitter import Emitter
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


class Dying:
    """A transport that works until ``die`` is set: then each append fails, before writing
    (``"before"``) or after writing durably (``"after"``), as a kill -9 at that point would
    leave the spool."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.die: str | None = None
        self.deaths = 0

    def append(self, records: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        if self.die == "after":
            self.inner.append(records)
        if self.die is not None:
            self.deaths += 1
            raise RuntimeError("the process died here")
        return self.inner.append(records)

    def flush(self) -> None:
        self.inner.flush()

    def close(self) -> None:
        """The spool outlives each run of the service (the test closes it)."""


def _deliver(chat, conv: str, seqs: range) -> None:
    """Bob's two devices acknowledge ``seqs``, one ack per row (a batch of acks each)."""
    for seq in seqs:
        for device in ("b-1", "b-2"):
            msg = chat.store.message(conv, seq)
            write = chat.ack_write("bob", device, conv, seq, [(seq, msg.created_at, None)])
            chat.writer.send(write)
    chat.writer.call(lambda _conn, _out: None)  # every ack above committed


def _audit(settings, emitter: Emitter) -> tuple[dict[str, int], int]:
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    spooled = lake.query("SELECT count(*) AS n FROM chat_events WHERE type = 'delivered'")
    return verdict(gap_audit(lake.query(EVENTS_SQL))), int(spooled["n"][0])


@pytest.mark.parametrize("die", ["before", "after"])
def test_a_death_between_commit_and_spool_append_loses_and_duplicates_nothing(
    settings, emitter, clock, die
):
    dying = Dying(emitter.transport)
    chat = build(settings, Emitter(dying), conf=ChatSettings(), clock=clock)
    conv = chat.create_conversation("alice", ["bob"]).id
    seqs = [
        chat.post("alice", "a-1", conv, f"m{i}", {"text": f"m{i}"}).message.seq for i in range(30)
    ]
    _deliver(chat, conv, range(seqs[0], seqs[10]))
    dying.die = die
    _deliver(chat, conv, range(seqs[10], seqs[20]))
    assert dying.deaths > 0  # the window was hit
    assert chat.cursors("bob", "b-1")[conv][0] == seqs[19]  # the cursor moves committed
    chat.writer.close()  # nothing after the death reaches the spool
    assert chat.writer.publisher.pending() > 0  # the events wait in the database
    dying.die = None  # started again
    chat.close()
    chat = build(settings, Emitter(dying), conf=ChatSettings(), clock=clock)
    try:
        assert chat.writer.publisher.pending() == 0  # the start published what was kept
        _deliver(chat, conv, range(seqs[20], seqs[29] + 1))
    finally:
        chat.close()

    audit, spooled = _audit(settings, emitter)
    assert audit["devices"] == 2
    assert audit["delivered"] == 2 * 30
    assert (audit["duplicates"], audit["reorders"], audit["holes"]) == (0, 0, 0)
    if die == "after":  # the start published again what the spool already had
        assert spooled > 2 * 30
    else:
        assert spooled == 2 * 30
