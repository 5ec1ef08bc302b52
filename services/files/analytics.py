"""File-sharing analytics: deduplication per user and overall, delta-sync efficiency from the
lake, and the chunker sweep (which average chunk size stores a sample of real files cheapest).

Deduplication is read from the store: *logical* bytes are what users hold (every kept
version, at its full size); *stored* bytes are the distinct chunks those versions reference.
A user's ratio counts only chunks within their own versions; the overall ratio also counts
what users share with each other.
"""

from __future__ import annotations

import json
from collections import defaultdict

import polars as pl
from sqlalchemy import select

from services.files import chunking
from services.files.service import FilesService
from services.files.tables import chunks, entries, versions
from warehouse.lake import Lake

#: Bytes each chunk costs besides its content: its row (hash, size, count, state, lease), its
#: entry in every chunk list that names it, and the blob's file-system overhead. An estimate
#: of this store's own layout; the sweep's recommendation moves with it (see the asset).
CHUNK_OVERHEAD_BYTES = 160
SWEEP_SIZES = (4096, 8192, 16384, 32768, 65536, 131072, 262144)


def dedup_table(svc: FilesService) -> pl.DataFrame:
    """One row per user and one ``*`` row overall: logical, stored bytes, their ratio."""
    sizes: dict[str, int] = {}
    with svc.store.engine.connect() as conn:
        for row in conn.execute(select(chunks.c.hash, chunks.c.size)):
            sizes[row.hash] = row.size
        logical: dict[str, int] = defaultdict(int)
        unique: dict[str, set[str]] = defaultdict(set)
        for row in conn.execute(select(versions.c.owner, versions.c.size, versions.c.chunks)):
            logical[row.owner] += row.size
            unique[row.owner].update(h for h, _ in json.loads(row.chunks))
    rows = []
    for owner in sorted(logical):
        stored = sum(sizes.get(h, 0) for h in unique[owner])
        rows.append((owner, logical[owner], stored, len(unique[owner])))
    every = set().union(*unique.values()) if unique else set()
    total_stored = sum(sizes.get(h, 0) for h in every)
    rows.append(("*", sum(logical.values()), total_stored, len(every)))
    df = pl.DataFrame(
        rows, schema=["user", "logical_bytes", "stored_bytes", "chunks"], orient="row"
    )
    return df.with_columns(
        dedup_ratio=pl.when(pl.col("stored_bytes") > 0)
        .then(pl.col("logical_bytes") / pl.col("stored_bytes"))
        .otherwise(1.0)
    )


def sync_efficiency(lake: Lake) -> pl.DataFrame:
    """Per device: syncs, bytes of the new versions, bytes sent, and bytes changed as the
    clients reported them (``sync`` events)."""
    if "events" not in lake.tables():
        return pl.DataFrame()
    return lake.query(
        """
        SELECT coalesce(attrs->>'device', '') AS device, count(*) AS syncs,
               sum(TRY_CAST(attrs->>'bytes_total' AS BIGINT)) AS bytes_total,
               sum(TRY_CAST(attrs->>'bytes_sent' AS BIGINT)) AS bytes_sent,
               sum(greatest(TRY_CAST(attrs->>'bytes_changed' AS BIGINT), 0)) AS bytes_changed
        FROM events WHERE system = 'files' AND type = 'sync'
        GROUP BY 1 ORDER BY 1
        """
    )


def sample_files(svc: FilesService, max_files: int, max_bytes: int) -> list[bytes]:
    """Current contents of up to ``max_files`` live files (at most ``max_bytes`` in all),
    largest first, read back through the verified chunk path."""
    with svc.store.engine.connect() as conn:
        rows = conn.execute(
            select(entries.c.version_id)
            .where(entries.c.kind == "file", entries.c.trash_id.is_(None), entries.c.size > 0)
            .order_by(entries.c.size.desc())
            .limit(max_files)
        ).all()
    out: list[bytes] = []
    total = 0
    for row in rows:
        ver = svc.store.version(row.version_id)
        if ver is None or total + ver.size > max_bytes:
            continue
        out.append(b"".join(svc.read_version(ver)))
        total += ver.size
    return out


def chunker_sweep(
    files: list[bytes], sizes: tuple[int, ...] = SWEEP_SIZES, overhead: int = CHUNK_OVERHEAD_BYTES
) -> pl.DataFrame:
    """For each average size: distinct chunks and bytes over ``files``, and the cost
    (stored bytes plus ``overhead`` per distinct chunk and per chunk-list entry)."""
    rows = []
    raw = sum(len(f) for f in files)
    for avg in sizes:
        seen: dict[str, int] = {}
        refs = 0
        for data in files:
            for c in chunking.chunk_bytes(data, avg):
                seen[c.hash] = c.size
                refs += 1
        stored = sum(seen.values())
        cost = stored + overhead * (len(seen) + refs)
        rows.append((avg, raw, stored, len(seen), refs, cost))
    return pl.DataFrame(
        rows,
        schema=["avg_chunk_bytes", "raw_bytes", "stored_bytes", "chunks", "chunk_refs", "cost"],
        orient="row",
    )


def recommend(sweep: pl.DataFrame) -> int:
    """The average chunk size of least cost."""
    return int(sweep.sort(["cost", "avg_chunk_bytes"]).row(0, named=True)["avg_chunk_bytes"])
