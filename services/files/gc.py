"""The chunk garbage collector: deletes chunks no version references, without ever deleting
one that a commit can still reference.

Three steps, each safe to crash after, and resumed by the next run:

1. **claim**: one transaction marks chunks with no references that nobody has touched for
   the grace period as ``deleting``. A commit that wants such a chunk from now on fails (the
   commit takes references only on ``live`` rows) and asks the client to send it again; an
   upload of it waits until the chunk is gone and then stores it afresh.
2. **unlink**: the claimed chunks' blobs are deleted.
3. **forget**: their rows are deleted.
4. **compact** (pack stores): packs mostly made of deleted chunks are rewritten, empty ones
   and those a crashed writer left are removed (see :mod:`services.files.packs`).

A crash after step 1 or 2 leaves rows in ``deleting``; the next run finishes them first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.files.chunkstore import ChunkStore
from services.files.store import FileStore


@dataclass(frozen=True)
class GcReport:
    claimed: int
    deleted: int
    packs: dict | None = None

    def public(self) -> dict:
        return {"claimed": self.claimed, "deleted": self.deleted}


def collect(
    store: FileStore,
    chunkstore: ChunkStore,
    now: float,
    grace_s: float,
    *,
    limit: int = 10_000,
    fault: Callable[[str], None] | None = None,
) -> GcReport:
    """One collection. ``fault(step)`` is called after each step (tests inject crashes)."""
    claimed = store.gc_claim(now - grace_s, limit)
    if fault:
        fault("claimed")
    doomed = store.gc_deleting(limit)
    for h in doomed:
        chunkstore.delete(h)
        if fault:
            fault("unlinked-one")
    if fault:
        fault("unlinked")
    store.gc_forget(doomed)
    compact = getattr(chunkstore.blobs, "compact", None)
    packs = compact(older_than_s=grace_s) if compact is not None else None
    return GcReport(len(claimed), len(doomed), packs)
