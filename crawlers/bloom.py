"""A Bloom filter sized for a target false-positive rate, in front of the persistent seen-set.

m = -n ln p / (ln 2)^2 bits and k = (m / n) ln 2 hashes; the k positions come from one
128-bit BLAKE2b digest by double hashing (Kirsch-Mitzenmacher). The bits live in a
``bytearray``: indexing it yields plain ints, several times cheaper than numpy scalars here.
"""

from __future__ import annotations

import hashlib
import math


class BloomFilter:
    """Set membership with no false negatives and about ``fpr`` false positives at ``capacity``."""

    def __init__(self, capacity: int, fpr: float = 0.001) -> None:
        if capacity <= 0 or not 0 < fpr < 1:
            raise ValueError("capacity must be > 0 and 0 < fpr < 1")
        self.capacity = capacity
        self.fpr = fpr
        self.nbits = max(64, math.ceil(-capacity * math.log(fpr) / math.log(2) ** 2))
        self.nhashes = max(1, round(self.nbits / capacity * math.log(2)))
        self._bits = bytearray((self.nbits + 7) // 8)
        self.count = 0

    def _positions(self, item: str) -> list[int]:
        d = hashlib.blake2b(item.encode("utf-8"), digest_size=16).digest()
        h1 = int.from_bytes(d[:8], "little")
        h2 = int.from_bytes(d[8:], "little") | 1
        return [(h1 + i * h2) % self.nbits for i in range(self.nhashes)]

    def add(self, item: str) -> bool:
        """Add ``item``; return True if it was (probably) already present."""
        present = True
        bits = self._bits
        for pos in self._positions(item):
            byte, mask = pos >> 3, 1 << (pos & 7)
            if not bits[byte] & mask:
                present = False
                bits[byte] |= mask
        if not present:
            self.count += 1
        return present

    def __contains__(self, item: str) -> bool:
        bits = self._bits
        for pos in self._positions(item):  # noqa: SIM110 - a plain loop beats all(genexpr)
            if not bits[pos >> 3] & (1 << (pos & 7)):
                return False
        return True

    @property
    def nbytes(self) -> int:
        return len(self._bits)


def measure_fpr(capacity: int, fpr: float, probes: int = 100_000) -> float:
    """Fill a filter to capacity with distinct keys, then probe with keys never added."""
    bf = BloomFilter(capacity, fpr)
    for i in range(capacity):
        bf.add(f"http://in.example/{i}")
    hits = sum(f"http://out.example/{i}" in bf for i in range(probes))
    return hits / probes
