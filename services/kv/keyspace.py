"""One node's keyspace: string values with absolute expiry times, expired lazily and actively.

Commands (``services.kv.commands``) run against the small interface below, so the same code
answers for a single node (this class) and for the cluster (a view over quorum reads,
``services.kv.coordinator``). Every mutation goes through ``journal`` so the write-ahead log
(``services.kv.wal``) sees it before the reply is sent.
"""

from __future__ import annotations

import hashlib
import heapq
import random
import time
from collections.abc import Callable, Iterable

Journal = Callable[[bytes, bytes | None, int | None], None]


def now_ms() -> int:
    return int(time.time() * 1000)


def scan_hash(key: bytes) -> int:
    """A key's place in ``SCAN`` order: stable across calls and nodes, never 0."""
    return (int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") >> 1) + 1


def scan_page(keys: Iterable[bytes], cursor: int, count: int) -> tuple[int, list[bytes]]:
    """The ``count`` keys after ``cursor`` in hash order, and the cursor that follows them.

    A key present for the whole scan is returned exactly once, whatever is added or removed
    meanwhile (Redis promises at least once).
    """
    page = heapq.nsmallest(count, ((h, k) for k in keys if (h := scan_hash(k)) > cursor))
    if len(page) < count:
        return 0, [k for _, k in page]
    return page[-1][0], [k for _, k in page]


class Keyspace:
    """Strings in a dict, expiry times in another (as Redis keeps them)."""

    def __init__(self, journal: Journal | None = None, clock: Callable[[], int] = now_ms) -> None:
        self.data: dict[bytes, bytes] = {}
        self.expires: dict[bytes, int] = {}
        self.journal = journal
        self.clock = clock
        self.expired_count = 0

    def now_ms(self) -> int:
        return self.clock()

    def _expire_if_due(self, key: bytes) -> bool:
        at = self.expires.get(key)
        if at is not None and at <= self.clock():
            self.delete(key)
            self.expired_count += 1
            return True
        return False

    def lookup(self, key: bytes) -> bytes | None:
        if self.expires and key in self.expires:
            self._expire_if_due(key)
        return self.data.get(key)

    def get_expire(self, key: bytes) -> int | None:
        return self.expires.get(key)

    def store(self, key: bytes, value: bytes, expire_ms: int | None) -> None:
        """Set ``key`` to ``value`` with that absolute expiry (None: no expiry)."""
        self.data[key] = value
        if expire_ms is None:
            self.expires.pop(key, None)
        else:
            self.expires[key] = expire_ms
        if self.journal is not None:
            self.journal(key, value, expire_ms)

    def set_expire(self, key: bytes, expire_ms: int | None) -> None:
        self.store(key, self.data[key], expire_ms)

    def delete(self, key: bytes) -> bool:
        if key not in self.data:
            return False
        del self.data[key]
        self.expires.pop(key, None)
        if self.journal is not None:
            self.journal(key, None, None)
        return True

    def live_keys(self) -> list[bytes]:
        now = self.clock()
        return [k for k in self.data if self.expires.get(k, now + 1) > now]

    def size(self) -> int:
        return len(self.data)

    def flush(self) -> None:
        for key in list(self.data):
            self.delete(key)

    def random_key(self) -> bytes | None:
        for _ in range(100):
            if not self.data:
                return None
            key = random.choice(list(self.data)) if len(self.data) < 64 else self._sample()
            if not self._expire_if_due(key):
                return key
        return None

    def _sample(self) -> bytes:
        it = iter(self.data)
        skip = random.randrange(min(len(self.data), 1024))
        for _ in range(skip):
            next(it)
        return next(it)

    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        return scan_page(self.live_keys(), cursor, count)

    def active_expire(self, budget: int = 200) -> int:
        """Delete up to ``budget`` expired keys (called periodically, as Redis's cron does)."""
        now = self.clock()
        due = [k for k, at in self.expires.items() if at <= now][:budget]
        for key in due:
            self.delete(key)
        self.expired_count += len(due)
        return len(due)
