"""Loads the BM25 index the ``crawl_search_index`` asset wrote, reloading when it changes."""

from __future__ import annotations

import threading
from pathlib import Path

from crawlers.search_index import SearchIndex


class IndexHolder:
    """The index in one folder, loaded once and swapped when ``docs.parquet`` changes.

    The asset writes ``docs.parquet`` last, so a new modification time means a whole new
    index. The crawl service holds one of these: one loaded index per process.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: SearchIndex | None = None
        self._stamp: int | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchIndex | None:
        marker = self.folder / "docs.parquet"
        try:
            stamp = marker.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        with self._lock:
            if self._index is None or stamp != self._stamp:
                self._index = SearchIndex.load(self.folder)
                self._stamp = stamp
            return self._index
