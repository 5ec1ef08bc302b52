"""Bounded key-value stores that differ only in whom they evict: FIFO, LRU, LFU and W-TinyLFU.

All four share one small interface (``get``/``put``/``pop``/``access``) so the cache nodes and
the trace simulator use the very same code: what the simulator measures is what is served.
Values are opaque; ``put`` returns the evicted ``(key, value)`` pairs so callers can count them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any, Protocol

from services.cache.wtinylfu import WTinyLFUPolicy

MISSING: Any = object()

__all__ = [
    "MISSING",
    "FIFOPolicy",
    "LFUPolicy",
    "LRUPolicy",
    "Policy",
    "WTinyLFUPolicy",
    "make_policy",
]


class Policy(Protocol):
    capacity: int

    def get(self, key: Hashable, default: Any = None) -> Any: ...

    def put(self, key: Hashable, value: Any) -> list[tuple[Hashable, Any]]: ...

    def pop(self, key: Hashable, default: Any = None) -> Any: ...

    def access(self, key: Hashable) -> bool: ...

    def __contains__(self, key: object) -> bool: ...

    def __len__(self) -> int: ...

    def keys(self) -> Iterator[Hashable]: ...


class FIFOPolicy:
    """First in, first out: evict the key inserted longest ago, whatever its hits.

    Hits and overwrites leave the order alone (an overwrite keeps the key's first insertion
    time), so a hit costs one dict lookup and no reordering: the cheapest policy, and the
    baseline the others must beat on the miss-ratio curve. A key that is evicted or deleted
    and then put again counts as a new insertion.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._data: dict[Hashable, Any] = {}  # dicts keep insertion order

    def get(self, key: Hashable, default: Any = None) -> Any:
        return self._data.get(key, default)

    def put(self, key: Hashable, value: Any) -> list[tuple[Hashable, Any]]:
        data = self._data
        if key in data:
            data[key] = value  # same slot: an overwrite does not refresh the key
            return []
        data[key] = value
        if len(data) > self.capacity:
            oldest = next(iter(data))
            return [(oldest, data.pop(oldest))]
        return []

    def pop(self, key: Hashable, default: Any = None) -> Any:
        return self._data.pop(key, default)

    def access(self, key: Hashable) -> bool:
        if key in self._data:
            return True
        self.put(key, None)
        return False

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> Iterator[Hashable]:
        return iter(list(self._data))


class LRUPolicy:
    """Least recently used, on one ordered dict (C-level ``move_to_end``)."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._data: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, default: Any = None) -> Any:
        data = self._data
        try:
            value = data[key]
        except KeyError:
            return default
        data.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> list[tuple[Hashable, Any]]:
        data = self._data
        if key in data:
            data.move_to_end(key)
            data[key] = value
            return []
        data[key] = value
        if len(data) > self.capacity:
            return [data.popitem(last=False)]
        return []

    def pop(self, key: Hashable, default: Any = None) -> Any:
        return self._data.pop(key, default)

    def access(self, key: Hashable) -> bool:
        if self.get(key, MISSING) is MISSING:
            self.put(key, None)
            return False
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> Iterator[Hashable]:
        return iter(list(self._data))


class LFUPolicy:
    """Least frequently used in O(1): frequency buckets, LRU order inside a bucket."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._values: dict[Hashable, Any] = {}
        self._freq: dict[Hashable, int] = {}
        self._buckets: dict[int, OrderedDict[Hashable, None]] = {}
        self._min = 0

    def _touch(self, key: Hashable) -> None:
        f = self._freq[key]
        bucket = self._buckets[f]
        del bucket[key]
        if not bucket:
            del self._buckets[f]
            if self._min == f:
                self._min = f + 1
        self._freq[key] = f + 1
        self._buckets.setdefault(f + 1, OrderedDict())[key] = None

    def get(self, key: Hashable, default: Any = None) -> Any:
        if key not in self._values:
            return default
        self._touch(key)
        return self._values[key]

    def put(self, key: Hashable, value: Any) -> list[tuple[Hashable, Any]]:
        if key in self._values:
            self._values[key] = value
            self._touch(key)
            return []
        evicted = []
        if len(self._values) >= self.capacity:
            bucket = self._buckets[self._min]
            victim, _ = bucket.popitem(last=False)
            if not bucket:
                del self._buckets[self._min]
            del self._freq[victim]
            evicted.append((victim, self._values.pop(victim)))
        self._values[key] = value
        self._freq[key] = 1
        self._buckets.setdefault(1, OrderedDict())[key] = None
        self._min = 1
        return evicted

    def pop(self, key: Hashable, default: Any = None) -> Any:
        if key not in self._values:
            return default
        f = self._freq.pop(key)
        bucket = self._buckets[f]
        del bucket[key]
        if not bucket:
            del self._buckets[f]
            if self._min == f:
                self._min = min(self._buckets, default=0)
        return self._values.pop(key)

    def access(self, key: Hashable) -> bool:
        if key in self._values:
            self._touch(key)
            return True
        self.put(key, None)
        return False

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> Iterator[Hashable]:
        return iter(list(self._values))


POLICIES = {"fifo": FIFOPolicy, "lru": LRUPolicy, "lfu": LFUPolicy, "wtinylfu": WTinyLFUPolicy}


def make_policy(name: str, capacity: int) -> Policy:
    """A fresh store of ``capacity`` entries evicting by ``name`` (fifo, lru, lfu or wtinylfu)."""
    try:
        return POLICIES[name](capacity)
    except KeyError:
        raise ValueError(
            f"unknown eviction policy {name!r}; use one of {sorted(POLICIES)}"
        ) from None
