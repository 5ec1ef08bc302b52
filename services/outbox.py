"""Transactional outbox: lake events made durable by the transaction that causes them.

A service that commits a change and then appends its events to the spool loses them if the
process dies in between. Here the events are rows of the service's own database, written in
the same transaction as the change, and published afterwards; progress is recorded only once
the spool append returned (it is durable then), so a crash anywhere re-publishes instead of
losing. A re-publish emits the same event ids, and the lake's readers count each id once.

Two forms of the one pattern:

- **Cursor** (``Publisher.drain``): the service's tables are already logs with increasing
  ids (the shop's stock ledger, order transitions, payments). The publisher emits the rows
  past a stored cursor (``cursor_table``), in id order, with event ids derived from the row
  id, then moves the cursor. Sound while ids become visible in id order (one writer).
- **Batch** (``tx_put`` / ``Publisher.publish`` / ``Publisher.recover``): events that exist
  nowhere else (the messaging service's ``delivered`` log). One row of ``batch_table`` holds
  every event of one transaction, as spool records; a published row is deleted. Rows are
  never skipped, so several processes may commit concurrently (PostgreSQL).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine

from warehouse.emitter import Emitter
from warehouse.events import Event

log = logging.getLogger(__name__)

# A reader of the cursor form: the events of the next rows past ``after``, each with its id.
Read = Callable[[Connection, int], list[tuple[int, Event]]]
Record = dict[str, Any]


def cursor_table(metadata: MetaData, name: str) -> Table:
    """How far each of a service's logs has been published (cursor form)."""
    return Table(
        name,
        metadata,
        Column("name", String(32), primary_key=True),
        Column("last_id", BigInteger, nullable=False),
    )


def batch_table(metadata: MetaData, name: str) -> Table:
    """Events committed but not yet published (batch form): one row per transaction."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("created_at", Float, nullable=False),
        Column("records", Text, nullable=False),  # JSON list of spool records
    )


def tx_put(conn: Connection, table: Table, records: Sequence[Record]) -> int:
    """Record spool records (``Event.to_record``) in the caller's transaction; the row's id,
    to ``forget`` once they are published."""
    return conn.execute(
        insert(table)
        .values(created_at=time.time(), records=orjson.dumps(records).decode())
        .returning(table.c.id)
    ).scalar_one()


class Publisher:
    """Moves committed events from the database to the lake's spool, exactly once as the
    lake's readers count (by event id)."""

    def __init__(
        self,
        engine: Engine,
        emitter: Emitter,
        *,
        cursors: Table | None = None,
        batches: Table | None = None,
        batch: int = 2000,
    ) -> None:
        self.engine = engine
        self.emitter = emitter
        self.cursors = cursors
        self.batches = batches
        self.batch = batch
        self._lock = threading.Lock()

    # -- cursor form ---------------------------------------------------------------------
    def cursor(self, name: str) -> int:
        assert self.cursors is not None, "a publisher of the cursor form needs its table"
        with self.engine.connect() as conn:
            row = conn.execute(
                select(self.cursors.c.last_id).where(self.cursors.c.name == name)
            ).first()
        return -1 if row is None else int(row.last_id)

    def _advance(self, name: str, last: int) -> None:
        assert self.cursors is not None
        c = self.cursors.c
        with self.engine.begin() as conn:
            if not conn.execute(
                update(self.cursors).where(c.name == name).values(last_id=last)
            ).rowcount:
                conn.execute(insert(self.cursors).values(name=name, last_id=last))

    def drain(self, name: str, read: Read) -> int:
        """Emit the events ``read(conn, after)`` makes of the next rows past the cursor
        ``name`` (each with its row id, in id order), batch after batch, moving the cursor
        only once a batch is emitted; how many went out."""
        sent = 0
        while True:
            after = self.cursor(name)
            with self.engine.connect() as conn:
                rows = read(conn, after)
            if not rows:
                return sent
            self.emitter.emit_events([event for _id, event in rows])
            self._advance(name, rows[-1][0])
            sent += len(rows)

    # -- batch form ----------------------------------------------------------------------
    def publish(self, records: Sequence[Record]) -> None:
        """Append records whose outbox rows the caller just committed, in one append (the
        caller then ``forget``s the rows). Raises if the append fails: the rows stay, and
        ``recover`` publishes them later."""
        if records:
            self.emitter.emit_records(records)

    def forget(self, conn: Connection, ids: Sequence[int]) -> None:
        """Delete published rows, in the caller's transaction (a group-commit writer folds
        this into its next one, so publishing costs no transaction of its own)."""
        assert self.batches is not None, "a publisher of the batch form needs its table"
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(delete(self.batches).where(self.batches.c.id.in_(chunk)))

    def recover(self, older_than_s: float = 0.0) -> int:
        """Publish rows committed at least ``older_than_s`` ago and still here: those of a
        process that died between its commit and its append (or whose append failed).
        With several processes on one database a peer's rows in flight may be published
        twice; the event ids make that harmless. How many events went out."""
        assert self.batches is not None, "a publisher of the batch form needs its table"
        if not self._lock.acquire(blocking=False):
            return 0
        try:
            sent = 0
            after = 0
            b = self.batches.c
            while True:
                with self.engine.connect() as conn:
                    rows = conn.execute(
                        select(b.id, b.records)
                        .where(b.id > after, b.created_at <= time.time() - older_than_s)
                        .order_by(b.id)
                        .limit(max(1, self.batch // 100))
                    ).all()
                if not rows:
                    return sent
                records = [rec for r in rows for rec in orjson.loads(r.records)]
                if records:
                    self.emitter.emit_records(records)
                with self.engine.begin() as conn:
                    self.forget(conn, [r.id for r in rows])
                sent += len(records)
                after = rows[-1].id
        finally:
            self._lock.release()

    def pending(self) -> int:
        """Outbox rows committed and not yet forgotten."""
        assert self.batches is not None
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(self.batches)).scalar_one())
