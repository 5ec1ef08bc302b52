"""Host-sharded crawling over several processes (one Scrapy engine each).

Each host belongs to one shard (seed hosts round-robin, others by CRC-32 of ``host:port``),
so politeness stays per process.
A link to another shard's host goes to this shard's ``outbox`` in the same transaction as
the page that found it, then is pumped into the owner's frontier (``INSERT OR IGNORE``, with
``origin`` set); the owner polls for such rows. A shard stops when it has nothing queued or
in flight, its outbox is empty and every shard says so in ``shards.sqlite``.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path

from crawlers.store import CrawlStore, connect_wal


def shard_of(host: str, shards: int, pinned: dict[str, int] | None = None) -> int:
    """Seed hosts are spread round-robin (balanced); any other host by CRC-32."""
    if pinned and host in pinned:
        return pinned[host]
    return zlib.crc32(host.lower().encode("utf-8")) % shards


def pin_hosts(hosts: list[str], shards: int) -> dict[str, int]:
    """The same assignment in every shard process: sorted seed hosts, round-robin."""
    return {h: i % shards for i, h in enumerate(sorted(set(hosts)))}


def shard_dir(root: Path, shard: int) -> Path:
    return root / f"shard-{shard}"


class ShardLink:
    """Shard ``index`` of ``count``: forwarding, inbox polling and the idle handshake."""

    def __init__(
        self, root: Path, index: int, count: int, seed_hosts: list[str] | None = None
    ) -> None:
        self.root, self.index, self.count = Path(root), index, count
        self.pinned = pin_hosts(seed_hosts or [], count)
        self.coord = connect_wal(self.root / "shards.sqlite")
        self.coord.execute(
            "CREATE TABLE IF NOT EXISTS shards (shard INTEGER PRIMARY KEY, idle INTEGER, "
            "gen INTEGER NOT NULL DEFAULT 0)"
        )
        self.coord.execute("INSERT OR IGNORE INTO shards (shard, idle) VALUES (?, 0)", (index,))
        self._peers: dict[int, CrawlStore] = {}
        self.set_idle(False)

    def owner(self, host: str) -> int:
        return shard_of(host, self.count, self.pinned)

    def _peer(self, shard: int) -> CrawlStore:
        if shard not in self._peers:
            self._peers[shard] = CrawlStore(shard_dir(self.root, shard) / "crawl.sqlite")
        return self._peers[shard]

    def pump(self, store: CrawlStore) -> int:
        """Move this shard's outbox into the owners' frontiers; returns rows moved."""
        rows = store.db.execute(
            "SELECT rowid, shard, url, host, depth, priority, parent FROM outbox"
        ).fetchall()
        if not rows:
            return 0
        now = time.time()
        for shard in {r[1] for r in rows}:
            peer = self._peer(shard)
            with peer.db:
                peer.db.execute("BEGIN IMMEDIATE")
                peer.db.executemany(
                    "INSERT OR IGNORE INTO frontier (url, host, depth, priority, parent, "
                    "added_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (r[2], r[3], r[4], r[5], r[6], now, self.index)
                        for r in rows
                        if r[1] == shard
                    ],
                )
            self._mark_busy(shard)  # after the insert: the owner will poll and find it
        with store.db:
            store.db.execute("BEGIN IMMEDIATE")
            store.db.execute("DELETE FROM outbox WHERE rowid <= ?", (max(r[0] for r in rows),))
        return len(rows)

    def _mark_busy(self, shard: int) -> None:
        self.coord.execute("UPDATE shards SET idle = 0, gen = gen + 1 WHERE shard = ?", (shard,))

    def set_idle(self, idle: bool) -> None:
        if idle:
            self.coord.execute("UPDATE shards SET idle = 1 WHERE shard = ?", (self.index,))
        else:
            self._mark_busy(self.index)

    def snapshot(self) -> tuple[bool, int]:
        """(every shard registered and idle, sum of busy generations)."""
        n, busy, gen = self.coord.execute(
            "SELECT count(*), coalesce(sum(1 - idle), 0), coalesce(sum(gen), 0) FROM shards"
        ).fetchone()
        return n == self.count and busy == 0, gen

    def close(self) -> None:
        for peer in self._peers.values():
            peer.close()
        self.coord.close()
