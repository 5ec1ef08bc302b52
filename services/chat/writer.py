"""Group commit: one thread runs the store's writes, many per transaction.

Every write of the messaging store (a message, an ack, a membership change) is a function
of an open connection. Callers submit it and wait on a future (or ``send`` it with a reply
to be called: the sockets' hot path); the writer takes whatever is queued (up to
``batch``), runs it in one transaction and hands the committed results to ``on_commit`` in
commit order. So a ``seq`` is visible to fan-out only once it is durable, fan-out sees each
conversation's rows in ``seq`` order, and SQLite's single writer is not contended by many
small transactions. A second thread appends the batches' events to the spool (several
batches per append and fsync) and then tells the writes' callers, in commit order: the
spool's fsync does not hold up the next commit, and a caller hears back once its events are
in the spool.

The batch's events (the acks' ``delivered`` log above all) are stored in the batch's own
transaction, as one row of the ``chat_outbox`` table (the batch form of ``services.outbox``),
so they are exactly as durable as the cursor moves they record: a kill between the commit
and the spool append leaves the row, which the next start publishes. A published row is
deleted in the writer's next transaction (or after a short idle); rows older than
``orphan_s`` (of a process that died, or whose append failed) are published by whichever
writer sweeps first.

A ``DomainError`` from one function (a non-member posting, say) fails that write only: the
functions check before they write. Any other error rolls the batch back and reruns its
writes one per transaction, so one bad write cannot fail its neighbours.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from services.chat.records import Record
from services.chat.tables import outbox
from services.errors import DomainError
from services.outbox import Publisher, tx_put
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)

# A write: gets the connection and a list to append events and committed results to.
Write = Callable[[Connection, "Output"], Any]
# Told a write's outcome on the spool thread once it committed (or failed):
# ``(True, result)`` or ``(False, exception)``. Cheaper than a future on the hot path.
Reply = Callable[[bool, Any], None]
Sink = Future | Reply | None
Outcome = tuple[Sink, bool, Any]


class Output:
    """What one write produced besides its result: events for the lake, rows for fan-out."""

    def __init__(self) -> None:
        self.events: list[Record] = []  # spool records (``services.chat.records``)
        self.committed: list[Any] = []


class Writer:
    def __init__(
        self,
        engine: Engine,
        emitter: Emitter | None,
        *,
        batch: int = 512,
        on_commit: Callable[[list[Any]], None] | None = None,
        orphan_s: float = 10.0,
    ) -> None:
        self.engine = engine
        self.emitter = emitter
        self.batch = batch
        self.on_commit = on_commit
        self.orphan_s = orphan_s
        self.publisher = None if emitter is None else Publisher(engine, emitter, batches=outbox)
        # Committed batches to append: (outbox row or 0, its records, its outcomes).
        self._spooling: queue.SimpleQueue[tuple[int, list[dict], list[Outcome]] | None] = (
            queue.SimpleQueue()
        )
        self._spooled: queue.SimpleQueue[int] = queue.SimpleQueue()  # rows now in the spool
        self._forgettable: list[int] = []  # spooled rows to delete (the writer's thread)
        self._failed = False  # an append failed: its rows wait for a sweep
        self._swept = time.monotonic()
        self._queue: queue.SimpleQueue[tuple[Write, Sink] | None] = queue.SimpleQueue()
        self._closed = False
        self._recover(0.0)  # events a killed process committed and never appended
        self._spooler = threading.Thread(target=self._spool, name="chat-spool", daemon=True)
        self._spooler.start()
        self._thread = threading.Thread(target=self._run, name="chat-writer", daemon=True)
        self._thread.start()

    def submit(self, write: Write) -> Future:
        future: Future = Future()
        self._put(write, future)
        return future

    def send(self, write: Write, reply: Reply | None = None) -> None:
        """Submit without a future: ``reply`` (if any) hears the outcome on the spool
        thread, after the commit."""
        self._put(write, reply)

    def _put(self, write: Write, sink: Sink) -> None:
        if self._closed:
            _settle(sink, False, RuntimeError("the chat writer is closed"))
            return
        self._queue.put((write, sink))

    def call(self, write: Write, timeout: float = 60.0) -> Any:
        """Submit and wait (for synchronous callers: HTTP routes, the CLI, tests)."""
        return self.submit(write).result(timeout)

    def close(self, timeout: float = 10.0) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)

    def _recover(self, older_than_s: float) -> None:
        if self.publisher is None:
            return
        try:
            if self.publisher.recover(older_than_s):
                log.info("chat events recovered from the outbox")
        except Exception:  # noqa: BLE001 - they stay in the outbox for the next sweep
            log.error("chat outbox not published", exc_info=True)

    def _take_spooled(self) -> None:
        while not self._spooled.empty():
            self._forgettable.append(self._spooled.get_nowait())

    def _forget(self) -> None:
        """Delete the spooled outbox rows when no batch comes to do it."""
        self._take_spooled()
        if self._forgettable and self.publisher is not None:
            try:
                with self.engine.begin() as conn:
                    self.publisher.forget(conn, self._forgettable)
                self._forgettable = []
            except Exception:  # noqa: BLE001 - the next transaction retries
                log.warning("chat outbox rows not deleted", exc_info=True)

    def _next(self) -> tuple[Write, Sink] | None:
        """The next write; between writes, the upkeep of the outbox."""
        while True:
            if time.monotonic() - self._swept > self.orphan_s / 2:
                self._swept = time.monotonic()
                self._recover(self.orphan_s)
            busy = self._forgettable or not self._spooled.empty()
            try:
                return self._queue.get(timeout=0.05 if busy else self.orphan_s / 2)
            except queue.Empty:
                self._forget()

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._spooling.put(None)
            self._spooler.join()
            self._forget()
            if self._failed:
                self._recover(0.0)

    def _loop(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < self.batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            try:
                self._commit(batch)
            except Exception:  # noqa: BLE001 - rerun one by one so only the culprit fails
                log.warning(
                    "chat write batch failed; retrying its writes one by one", exc_info=True
                )
                for one in batch:
                    if not _settled(one[1]):
                        try:
                            self._commit([one])
                        except Exception as exc:  # noqa: BLE001 - the caller gets the error
                            _settle(one[1], False, exc)
            if stop:
                return

    def _commit(self, batch: list[tuple[Write, Sink]]) -> None:
        outcomes: list[Outcome] = []
        out = Output()
        records: list[dict[str, Any]] = []
        row = 0
        self._take_spooled()
        with self.engine.begin() as conn:
            for write, sink in batch:
                if _settled(sink):
                    continue
                mark_events, mark_rows = len(out.events), len(out.committed)
                try:
                    outcomes.append((sink, True, write(conn, out)))
                except DomainError as exc:
                    del out.events[mark_events:]
                    del out.committed[mark_rows:]
                    outcomes.append((sink, False, exc))
            if self.publisher is not None:
                if self._forgettable:
                    self.publisher.forget(conn, self._forgettable)
                if out.events:
                    records = out.events
                    row = tx_put(conn, outbox, records)
        # Committed: from here nothing may fail the batch, or its writes would run twice.
        self._forgettable = []
        if self.on_commit is not None and out.committed:
            try:
                self.on_commit(out.committed)
            except Exception:  # noqa: BLE001 - fan-out is best effort; resync heals it
                log.warning("chat fan-out hook failed", exc_info=True)
        self._spooling.put((row, records, outcomes))

    def _spool(self) -> None:
        """The spool thread: append committed batches' events (all that are waiting, in one
        append), then tell their writes' callers, in commit order."""
        while True:
            item = self._spooling.get()
            if item is None:
                return
            items, stop = [item], False
            while not self._spooling.empty():
                more = self._spooling.get_nowait()
                if more is None:
                    stop = True
                    break
                items.append(more)
            records = [r for _row, batch, _outcomes in items for r in batch]
            if records and self.publisher is not None:
                try:
                    self.publisher.publish(records)
                    for row, _batch, _outcomes in items:
                        if row:
                            self._spooled.put(row)
                except Exception:  # noqa: BLE001 - kept in the outbox; a sweep retries
                    self._failed = True
                    log.error("chat events not appended (%d); kept", len(records), exc_info=True)
            for _row, _batch, outcomes in items:
                for sink, ok, value in outcomes:
                    _settle(sink, ok, value)
            if stop:
                return


def _settled(sink: Sink) -> bool:
    """Whether a write already has its outcome: a future its caller cancelled. (A batch
    that fails settles none of its writes: they are rerun one by one.)"""
    return isinstance(sink, Future) and sink.done()


def _settle(sink: Sink, ok: bool, value: Any) -> None:
    if sink is None:
        return
    if isinstance(sink, Future):
        with contextlib.suppress(InvalidStateError):  # its caller cancelled it meanwhile
            if ok:
                sink.set_result(value)
            else:
                sink.set_exception(value)
        return
    try:
        sink(ok, value)
    except Exception:  # noqa: BLE001 - a reply must not fail the writes after it
        log.warning("chat write reply failed", exc_info=True)
