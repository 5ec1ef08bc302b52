"""The crawl's durable state in one SQLite file: frontier, pages, links, errors.

A page, its out-links, the URLs it adds to the frontier and its ``done`` mark are written in
one transaction, so a crawl killed with ``kill -9`` resumes without re-fetching a stored page
and without losing one. The ``frontier`` table doubles as the persistent seen-set.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from warehouse.sqlite_wal import enable_wal

SCHEMA = """
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY, host TEXT NOT NULL, depth INTEGER NOT NULL,
    priority REAL NOT NULL, state TEXT NOT NULL DEFAULT 'queued', parent TEXT,
    added_at REAL NOT NULL, origin INTEGER
);
CREATE TABLE IF NOT EXISTS outbox (
    shard INTEGER NOT NULL, url TEXT NOT NULL, host TEXT NOT NULL, depth INTEGER NOT NULL,
    priority REAL NOT NULL, parent TEXT
);
CREATE INDEX IF NOT EXISTS frontier_state ON frontier(state);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, final_url TEXT, status INTEGER, fetched_at REAL, content_type TEXT,
    bytes INTEGER, content_hash TEXT, simhash INTEGER, near_dup_of TEXT, title TEXT,
    text TEXT, lang TEXT, canonical TEXT, noindex INTEGER, nofollow INTEGER,
    outlinks INTEGER, depth INTEGER, host TEXT
);
CREATE TABLE IF NOT EXISTS links (
    from_url TEXT NOT NULL, to_url TEXT NOT NULL, anchor TEXT, nofollow INTEGER
);
CREATE TABLE IF NOT EXISTS errors (
    url TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fetch_log (url TEXT NOT NULL, host TEXT, at REAL NOT NULL);
"""

PAGE_COLUMNS = (
    "url",
    "final_url",
    "status",
    "fetched_at",
    "content_type",
    "bytes",
    "content_hash",
    "simhash",
    "near_dup_of",
    "title",
    "text",
    "lang",
    "canonical",
    "noindex",
    "nofollow",
    "outlinks",
    "depth",
    "host",
)


def connect_wal(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    """An autocommit connection to ``path`` in WAL mode (shards open theirs together)."""
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        enable_wal(db, timeout)
    except sqlite3.OperationalError:
        db.close()
        raise
    return db


class CrawlStore:
    """One crawl's SQLite file (WAL; ``synchronous=NORMAL``: survives kill -9, not power loss)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = connect_wal(self.path)
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def known_urls(self) -> Iterator[str]:
        for (url,) in self.db.execute("SELECT url FROM frontier"):
            yield url

    def queued(self) -> list[tuple[str, str, int, float]]:
        """Every URL not yet done or failed: the work a resumed crawl still has."""
        return self.db.execute(
            "SELECT url, host, depth, priority FROM frontier WHERE state = 'queued'"
        ).fetchall()

    def max_rowid(self) -> int:
        return self.db.execute("SELECT coalesce(max(rowid), 0) FROM frontier").fetchone()[0]

    def forwarded_since(self, rowid: int) -> list[tuple[int, str, str, int, float]]:
        """Queued URLs other shards inserted after ``rowid`` (their ``origin`` is set)."""
        return self.db.execute(
            "SELECT rowid, url, host, depth, priority FROM frontier "
            "WHERE rowid > ? AND origin IS NOT NULL AND state = 'queued' ORDER BY rowid",
            (rowid,),
        ).fetchall()

    def is_known(self, url: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM frontier WHERE url = ?", (url,)).fetchone() is not None
        )

    def count(self, table: str, where: str = "1=1") -> int:
        return self.db.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]

    def add_urls(self, rows: Iterable[tuple[str, str, int, float, str | None]]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._insert_urls(rows)

    def _insert_urls(self, rows: Iterable[tuple[str, str, int, float, str | None]]) -> None:
        now = time.time()
        self.db.executemany(
            "INSERT OR IGNORE INTO frontier (url, host, depth, priority, parent, added_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(*r, now) for r in rows],
        )

    def record_page(
        self,
        page: dict[str, Any],
        links: list[tuple[str, str, str, int]],
        new_urls: list[tuple[str, str, int, float, str | None]],
        aliases: list[tuple[str, str, int, float, str | None]] = (),
        outbox: list[tuple[int, str, str, int, float, str | None]] = (),
    ) -> None:
        """Store a page and its links, enqueue its new URLs and mark it done: all or nothing."""
        cols = ", ".join(PAGE_COLUMNS)
        marks = ", ".join("?" for _ in PAGE_COLUMNS)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            # ``links`` has no index on from_url (an index would cost every insert): delete,
            # a full scan, only when the page was stored before.
            if self.db.execute("SELECT 1 FROM pages WHERE url = ?", (page["url"],)).fetchone():
                self.db.execute("DELETE FROM links WHERE from_url = ?", (page["url"],))
            self.db.execute(
                f"INSERT OR REPLACE INTO pages ({cols}) VALUES ({marks})",
                [page.get(c) for c in PAGE_COLUMNS],
            )
            self.db.executemany(
                "INSERT INTO links (from_url, to_url, anchor, nofollow) VALUES (?, ?, ?, ?)", links
            )
            self._insert_urls(new_urls)
            self._insert_urls(aliases)
            self.db.executemany(
                "INSERT INTO outbox (shard, url, host, depth, priority, parent) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                outbox,
            )
            self.db.executemany(
                "UPDATE frontier SET state = 'alias' WHERE url = ? AND state = 'queued'",
                [(r[0],) for r in aliases],
            )
            self.db.execute("UPDATE frontier SET state = 'done' WHERE url = ?", (page["url"],))
            self.db.execute(
                "INSERT INTO fetch_log (url, host, at) VALUES (?, ?, ?)",
                (page["url"], page.get("host"), page.get("fetched_at") or time.time()),
            )

    def record_error(self, url: str, kind: str, reason: str, final: bool = True) -> None:
        """Record why ``url`` failed; ``final`` takes it out of the frontier for this crawl."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO errors (url, kind, reason, at) VALUES (?, ?, ?, ?)",
                (url, kind, reason[:500], time.time()),
            )
            if final:
                self.db.execute(
                    "UPDATE frontier SET state = 'error' WHERE url = ? AND state = 'queued'",
                    (url,),
                )

    def simhashes(self) -> list[tuple[int, str]]:
        return self.db.execute(
            "SELECT simhash, url FROM pages WHERE simhash IS NOT NULL AND near_dup_of IS NULL"
        ).fetchall()
