"""Which cache fills overlapped an invalidation of their own URL.

A fill that was in flight while its URL was purged (or invalidated by an unsafe method, RFC
9111 §4.4) may be served to the client that asked, but must not be stored: it may predate the
change. Only purges of the same URL count, so a POST to one URL (or any other URL's purge)
does not stop unrelated fills from being stored. Memory is bounded: the oldest URLs are
forgotten, and a fill older than the newest forgotten purge is treated as overlapped.
"""

from __future__ import annotations

from collections import OrderedDict

#: URLs whose last purge is remembered exactly.
DEFAULT_CAPACITY = 10_000


class PurgeLog:
    """Purge sequence numbers per URL; ``mark()`` before a fill, ``overlapped()`` after it."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.seq = 0
        self._by_url: OrderedDict[str, int] = OrderedDict()
        self._forgotten = 0  # sequence number of the newest purge no longer listed
        self._everything = 0  # sequence number of the newest prefix purge

    def mark(self) -> int:
        """The point a fill starts from."""
        return self.seq

    def purged(self, url: str) -> None:
        """``url`` (every variant of it) was just invalidated."""
        self.seq += 1
        self._by_url[url] = self.seq
        self._by_url.move_to_end(url)
        while len(self._by_url) > self.capacity:
            _, seq = self._by_url.popitem(last=False)
            self._forgotten = max(self._forgotten, seq)

    def purged_prefix(self) -> None:
        """A prefix purge: every fill in flight counts as overlapped."""
        self.seq += 1
        self._everything = self.seq

    def overlapped(self, url: str, since: int) -> bool:
        """Was ``url`` invalidated after ``since`` (a ``mark()``)?"""
        last = self._by_url.get(url, self._forgotten)
        return max(last, self._everything) > since
