"""Loads the BM25 index the ``crawl_search_index`` asset wrote, reloading when it changes."""

from __future__ import annotations

import threading
from pathlib import Path

from crawlers.search_index import SearchIndex


class IndexHolder:
    """One loaded index per folder, swapped atomically when ``tf.npz`` gets a new mtime."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: SearchIndex | None = None
        self._stamp: float | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchIndex | None:
        marker = self.folder / "docs.parquet"
        if not marker.exists():
            return None
        stamp = marker.stat().st_mtime
        with self._lock:
            if self._index is None or stamp != self._stamp:
                self._index = SearchIndex.load(self.folder)
                self._stamp = stamp
            return self._index


_holders: dict[Path, IndexHolder] = {}


def holder_for(folder: Path) -> IndexHolder:
    folder = folder.resolve()
    if folder not in _holders:
        _holders[folder] = IndexHolder(folder)
    return _holders[folder]
