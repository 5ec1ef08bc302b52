"""Trace-driven cache simulator: replay one key per request through a policy, count hits.

FIFO, LRU, LFU and W-TinyLFU are the serving policies themselves (``services.cache.policies``);
ARC and LIRS are classic references, and Belady's OPT (evict the key used furthest in the
future, or do not admit the new key when it is that key) gives the upper bound.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.cache.lirs import LIRSPolicy
from services.cache.policies import POLICIES, make_policy
from warehouse.compressed import CODEC_ERRORS, is_compressed, open_published

SIM_POLICIES = ("fifo", "lru", "lfu", "arc", "lirs", "wtinylfu", "opt")


@dataclass(frozen=True)
class SimResult:
    policy: str
    size: int
    requests: int
    hits: int

    @property
    def hit_ratio(self) -> float:
        """Hits per request, 0..1."""
        return self.hits / self.requests if self.requests else 0.0


class ARCPolicy:
    """Adaptive Replacement Cache (Megiddo and Modha, FAST 2003), keys only."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.p = 0
        self.t1: OrderedDict[Hashable, None] = OrderedDict()
        self.t2: OrderedDict[Hashable, None] = OrderedDict()
        self.b1: OrderedDict[Hashable, None] = OrderedDict()
        self.b2: OrderedDict[Hashable, None] = OrderedDict()

    def _replace(self, key: Hashable) -> None:
        if self.t1 and (len(self.t1) > self.p or (key in self.b2 and len(self.t1) == self.p)):
            old, _ = self.t1.popitem(last=False)
            self.b1[old] = None
        else:
            old, _ = self.t2.popitem(last=False)
            self.b2[old] = None

    def access(self, key: Hashable) -> bool:
        c = self.capacity
        t1, t2, b1, b2 = self.t1, self.t2, self.b1, self.b2
        if key in t1:
            del t1[key]
            t2[key] = None
            return True
        if key in t2:
            t2.move_to_end(key)
            return True
        if key in b1:
            self.p = min(c, self.p + max(len(b2) // max(len(b1), 1), 1))
            self._replace(key)
            del b1[key]
            t2[key] = None
            return False
        if key in b2:
            self.p = max(0, self.p - max(len(b1) // max(len(b2), 1), 1))
            self._replace(key)
            del b2[key]
            t2[key] = None
            return False
        l1 = len(t1) + len(b1)
        if l1 == c:
            if len(t1) < c:
                b1.popitem(last=False)
                self._replace(key)
            else:
                t1.popitem(last=False)
        elif l1 < c:
            total = l1 + len(t2) + len(b2)
            if total >= c:
                if total == 2 * c:
                    b2.popitem(last=False)
                self._replace(key)
        t1[key] = None
        return False


class OptimalPolicy:
    """Belady's clairvoyant policy; needs the whole trace up front."""

    def __init__(self, capacity: int, trace: Sequence[Hashable]) -> None:
        self.capacity = capacity
        n = len(trace)
        self._next = [n] * n
        last: dict[Hashable, int] = {}
        for i in range(n - 1, -1, -1):
            k = trace[i]
            self._next[i] = last.get(k, n + i)  # never used again: beyond every real use
            last[k] = i
        self._pos = 0
        self._when: dict[Hashable, int] = {}
        self._heap: list[tuple[int, Hashable]] = []

    def access(self, key: Hashable) -> bool:
        nxt = self._next[self._pos]
        self._pos += 1
        hit = key in self._when
        self._when[key] = nxt
        heapq.heappush(self._heap, (-nxt, key))
        if not hit and len(self._when) > self.capacity:
            while True:
                neg, victim = heapq.heappop(self._heap)
                if self._when.get(victim) == -neg:
                    del self._when[victim]
                    break
        if len(self._heap) > 4 * self.capacity + 64:
            self._heap = [(-w, k) for k, w in self._when.items()]
            heapq.heapify(self._heap)
        return hit


def _key_id(key: object) -> int:
    """A well-mixed 62-bit id, the same in every process (``hash(str)`` is salted per run)."""
    digest = hashlib.blake2b(str(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2


def intern_keys(keys: Iterable[Hashable]) -> list[int]:
    """Any key stream as stable mixed ints, so simulations are deterministic across runs."""
    ids: dict[Hashable, int] = {}
    out = []
    for k in keys:
        i = ids.get(k)
        if i is None:
            i = ids[k] = _key_id(k)
        out.append(i)
    return out


# libCacheSim's oracleGeneral binary records (its public trace collections ship in it):
# uint32 clock time, uint64 object id, uint32 object size, int64 next access (vtime),
# little-endian and packed, 24 bytes each.
ORACLE_GENERAL = np.dtype([("time", "<u4"), ("id", "<u8"), ("size", "<u4"), ("next", "<i8")])
TRACE_FORMATS = ("auto", "text", "oracleGeneral")


def read_trace(path: Path, column: int | None = None, fmt: str = "auto") -> list[int]:
    """Keys of a trace file as stable ints (see ``intern_keys``): one per line, or with
    ``column`` the field at that index of comma-separated lines (``#`` lines skipped), or the
    object ids of an ``oracleGeneral`` binary trace (``auto``: when its name says so, as
    libCacheSim names them). A ``.gz``, ``.bz2``, ``.xz`` or ``.zst`` file is decompressed as
    it is read; a file that is not what its name says, or a row without that column, is a
    ``ValueError``."""
    path = Path(path)
    if fmt not in TRACE_FORMATS:
        raise ValueError(f"unknown trace format {fmt!r}; use one of {', '.join(TRACE_FORMATS)}")
    binary = fmt == "oracleGeneral" or (fmt == "auto" and "oraclegeneral" in path.name.lower())
    try:
        if binary:
            out = intern_keys(_oracle_ids(path).tolist())
        else:
            with open_published(path, "rt", encoding="utf-8") as fh:
                lines = (line.strip() for line in fh)
                if column is None:
                    out = intern_keys(k for k in lines if k)
                else:
                    rows = (line for line in lines if line and not line.startswith("#"))
                    out = intern_keys(_field(row, column) for row in rows)
    except CODEC_ERRORS as exc:
        if not is_compressed(path):
            raise
        raise ValueError(f"{path}: not a readable {path.suffix} archive ({exc})") from exc
    if not out:
        raise ValueError(f"{path}: the trace holds no keys")
    return out


def _oracle_ids(path: Path) -> np.ndarray:
    """The object ids of an oracleGeneral trace, in request order."""
    with open_published(path, "rb") as fh:
        data = fh.read()
    if len(data) % ORACLE_GENERAL.itemsize:
        raise ValueError(
            f"{path}: {len(data)} bytes is not a whole number of oracleGeneral records "
            f"({ORACLE_GENERAL.itemsize} bytes each)"
        )
    return np.frombuffer(data, dtype=ORACLE_GENERAL)["id"]


def _field(row: str, column: int) -> str:
    fields = row.split(",", column + 1)
    if len(fields) <= column:
        raise ValueError(f"a row has no field {column} (0-based): {row[:80]!r}")
    return fields[column].strip()


def simulate(trace: Sequence[Hashable], size: int, policy: str) -> SimResult:
    """Replay ``trace`` through a cache of ``size`` entries evicting by ``policy``."""
    if size < 1:
        raise ValueError("size must be at least 1")
    if policy == "opt":
        cache = OptimalPolicy(size, trace)
    elif policy == "arc":
        cache = ARCPolicy(size)
    elif policy == "lirs":
        cache = LIRSPolicy(size)
    elif policy in POLICIES:
        cache = make_policy(policy, size)
    else:
        raise ValueError(f"unknown policy {policy!r}; use one of {', '.join(SIM_POLICIES)}")
    access = cache.access
    hits = sum(1 for k in trace if access(k))
    return SimResult(policy, size, len(trace), hits)
