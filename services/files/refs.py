"""Chunk metadata: which chunks exist, how many versions reference each, leases that keep
a chunk while a delta-sync client is between planning and committing, the collector's claims,
and per-user wrapped chunk keys. Mixed into :class:`~services.files.store.FileStore`, whose
commits take and drop references inside their own transactions.

A commit takes its references with one conditional update per batch of chunks
(``refs = refs + 1 WHERE state = 'live'``): if the garbage collector has claimed a chunk, the
update misses it and the commit fails, naming the chunks to send again. The collector claims
a chunk with the mirror-image update (``state = 'deleting' WHERE refs = 0 AND touched <
cutoff``), so of a commit and a collection that race for one chunk exactly one wins, in
SQLite (one writer) and in PostgreSQL (row locks) alike.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from services.errors import Conflict, NotFound
from services.files.bulk import can_skip_existing, insert_rows
from services.files.tables import chunk_keys, chunks, plans, versions

_BATCH = 400


def _in(column):  # a cached statement's "column IN (:hashes)", the list bound per call
    return column.in_(bindparam("hashes", expanding=True))


# The statements an upload runs per batch of chunks, built once: building ``in_(batch)`` anew
# coerces every value of the batch into its own bound literal, each time.
_LEASE = (
    update(chunks)
    .where(_in(chunks.c.hash), chunks.c.state == "live")
    .values(touched=bindparam("now"))
)
_STATES = select(chunks.c.hash, chunks.c.state).where(_in(chunks.c.hash))
_TAKE = (
    update(chunks)
    .where(_in(chunks.c.hash), chunks.c.state == "live")
    .values(refs=chunks.c.refs + 1)
)
_LIVE = select(chunks.c.hash).where(_in(chunks.c.hash), chunks.c.state == "live")
_HELD_KEYS = select(chunk_keys.c.hash).where(
    chunk_keys.c.owner == bindparam("owner"), _in(chunk_keys.c.hash)
)


class MissingChunks(Conflict):
    """A commit names chunks the server does not hold (409); ``missing`` lists them."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{len(missing)} chunk(s) must be uploaded before this commit")
        self.missing = missing


def _batches(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _BATCH):
        yield items[i : i + _BATCH]


class ChunkRefs:
    """Reads and writes of the chunk, plan and key tables (see the module docstring)."""

    engine: Engine

    # ---- chunks -------------------------------------------------------------------------
    def touch_chunks(self, sizes: dict[str, int], now: float) -> list[str]:
        """Record chunks as present (or refresh their lease); returns those the collector is
        deleting right now, which the caller must not write until it has finished."""
        busy: list[str] = []
        with self.engine.begin() as conn:
            hashes = sorted(sizes)
            for batch in _batches(hashes):
                conn.execute(_LEASE, {"hashes": batch, "now": now})
                rows = conn.execute(_STATES, {"hashes": batch}).all()
                known = {r.hash: r.state for r in rows}
                busy += [h for h in batch if known.get(h) == "deleting"]
                fresh = [h for h in batch if h not in known]
                insert_rows(
                    conn,
                    chunks,
                    ("hash", "size", "refs", "state", "touched"),
                    [(h, sizes[h], 0, "live", now) for h in fresh],
                )
        return busy

    def live_chunks(self, hashes: Iterable[str]) -> set[str]:
        """Which of ``hashes`` are recorded live."""
        wanted = sorted(set(hashes))
        out: set[str] = set()
        with self.engine.connect() as conn:
            for batch in _batches(wanted):
                out.update(conn.execute(_LIVE, {"hashes": batch}).scalars())
        return out

    def _take_refs(self, conn: Connection, hashes: list[str]) -> None:
        taken = 0
        for batch in _batches(hashes):
            taken += conn.execute(_TAKE, {"hashes": batch}).rowcount
        if taken != len(hashes):
            live: set[str] = set()
            for batch in _batches(hashes):
                live.update(conn.execute(_LIVE, {"hashes": batch}).scalars())
            raise MissingChunks([h for h in hashes if h not in live])

    def _drop_refs(self, conn: Connection, version_rows: Sequence[Any], now: float) -> None:
        for row in version_rows:
            hashes = sorted({h for h, _ in json.loads(row.chunks)})
            for batch in _batches(hashes):
                conn.execute(
                    update(chunks)
                    .where(chunks.c.hash.in_(batch))
                    .values(refs=chunks.c.refs - 1, touched=now)
                )
        ids = [r.id for r in version_rows]
        for batch in _batches(ids):
            conn.execute(delete(versions).where(versions.c.id.in_(batch)))

    # ---- delta-sync plans ----------------------------------------------------------------
    def save_plan(self, owner: str, path: str, pairs: Sequence[tuple[str, int]], now: float) -> str:
        plan_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                insert(plans).values(
                    id=plan_id,
                    owner=owner,
                    path=path,
                    chunks=json.dumps([[h, n] for h, n in pairs]),
                    created=now,
                )
            )
        return plan_id

    def load_plan(self, owner: str, plan_id: str) -> tuple[str, list[tuple[str, int]]]:
        """The path and chunk list of one of ``owner``'s plans (404 for anyone else's)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(plans).where(plans.c.id == plan_id, plans.c.owner == owner)
            ).first()
        if row is None:
            raise NotFound(f"no plan {plan_id}: plan again")
        return row.path, [(h, n) for h, n in json.loads(row.chunks)]

    def forget_plans(self, before: float) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(plans).where(plans.c.created < before)).rowcount

    # ---- garbage collection --------------------------------------------------------------
    def gc_claim(self, cutoff: float, limit: int) -> list[str]:
        """Mark up to ``limit`` unreferenced chunks untouched since ``cutoff`` as deleting."""
        with self.engine.begin() as conn:
            candidates = list(
                conn.execute(
                    select(chunks.c.hash)
                    .where(chunks.c.refs <= 0, chunks.c.state == "live", chunks.c.touched < cutoff)
                    .limit(limit)
                ).scalars()
            )
            claimed = []
            for h in candidates:
                res = conn.execute(
                    update(chunks)
                    .where(
                        chunks.c.hash == h,
                        chunks.c.refs <= 0,
                        chunks.c.state == "live",
                        chunks.c.touched < cutoff,
                    )
                    .values(state="deleting")
                )
                if res.rowcount == 1:
                    claimed.append(h)
        return claimed

    def gc_deleting(self, limit: int) -> list[str]:
        """Chunks claimed for deletion (by this run or by one that crashed)."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(chunks.c.hash).where(chunks.c.state == "deleting").limit(limit)
                ).scalars()
            )

    def gc_forget(self, hashes: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            for batch in _batches(list(hashes)):
                conn.execute(
                    delete(chunks).where(chunks.c.hash.in_(batch), chunks.c.state == "deleting")
                )
                conn.execute(delete(chunk_keys).where(chunk_keys.c.hash.in_(batch)))

    def _keep_keys(self, conn: Connection, owner: str, wrapped: dict[str, bytes]) -> None:
        if can_skip_existing(conn):  # one statement, no lookups first: the commit's tail
            rows = [(owner, h, w) for h, w in wrapped.items()]
            insert_rows(conn, chunk_keys, ("owner", "hash", "wrapped"), rows, skip_existing=True)
            return
        have: set[str] = set()
        for batch in _batches(sorted(wrapped)):
            have.update(conn.execute(_HELD_KEYS, {"owner": owner, "hashes": batch}).scalars())
        rows = [(owner, h, w) for h, w in wrapped.items() if h not in have]
        insert_rows(conn, chunk_keys, ("owner", "hash", "wrapped"), rows)

    def chunk_keys(self, owner: str, hashes: Iterable[str]) -> dict[str, bytes]:
        """``owner``'s wrapped keys of ``hashes`` (chunks referenced before wrapping: none)."""
        out: dict[str, bytes] = {}
        with self.engine.connect() as conn:
            for batch in _batches(sorted(set(hashes))):
                rows = conn.execute(
                    select(chunk_keys.c.hash, chunk_keys.c.wrapped).where(
                        chunk_keys.c.owner == owner, chunk_keys.c.hash.in_(batch)
                    )
                )
                out.update({r.hash: bytes(r.wrapped) for r in rows})
        return out

    def chunk_rows(self) -> dict[str, tuple[int, str]]:
        """hash -> (refs, state) of every chunk row (for checks and tests)."""
        with self.engine.connect() as conn:
            return {r.hash: (r.refs, r.state) for r in conn.execute(select(chunks))}
