"""Switching a SQLite database to WAL when several processes open it at once."""

from __future__ import annotations

import sqlite3
import time


def enable_wal(db: sqlite3.Connection, timeout: float = 30.0) -> None:
    """Put ``db``'s database in WAL mode.

    The switch takes an exclusive lock, and SQLite answers a switch that races another
    connection's with "database is locked" at once instead of waiting out the busy timeout,
    so processes that open one database together (crawl shards, an app and its workers)
    retry until ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
