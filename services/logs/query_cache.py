"""Answers to repeated identical log queries from a short-lived cache.

A dashboard that refreshes every few seconds asks the same question again and again. The
key is the query with its parameters and the lake's version (every Parquet file's path, size
and modification time), so new data, a compaction or retention misses the cache at once; the
time-to-live bounds how far a window relative to now (``--since 15m``) may lag behind it.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path

import polars as pl
from cachetools import TTLCache


def lake_version(lake_dir: Path) -> str:
    """A digest of every Parquet file under ``lake_dir``: path, size and mtime."""
    digest = hashlib.blake2b(digest_size=16)
    for root, dirs, files in os.walk(lake_dir):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".parquet", ".parquet.enc")):  # plaintext or encrypted at rest
                st = os.stat(os.path.join(root, name))
                digest.update(f"{root}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class QueryCache:
    """Results by (query, lake version), each kept ``ttl_s`` seconds, at most ``entries``."""

    def __init__(self, lake_dir: Path, *, ttl_s: float, entries: int) -> None:
        self.lake_dir = Path(lake_dir)
        self.enabled = ttl_s > 0 and entries > 0
        self._cache: TTLCache = TTLCache(max(entries, 1), max(ttl_s, 1e-9), timer=time.monotonic)
        self._lock = threading.Lock()

    def get_or_run(
        self, key: Hashable, run: Callable[[], pl.DataFrame]
    ) -> tuple[pl.DataFrame, bool]:
        """The cached answer to ``key`` on the lake as it is now, or ``run()``'s; and whether
        it came from the cache."""
        if not self.enabled:
            return run(), False
        full = (key, lake_version(self.lake_dir))
        with self._lock:
            found = self._cache.get(full)
        if found is not None:
            return found.clone(), True
        result = run()
        with self._lock:
            self._cache[full] = result
        return result.clone(), False
