"""A count-min sketch of 4-bit counters with periodic aging, as in Caffeine's FrequencySketch.

TinyLFU only needs to know which of two keys was used more often *recently*, so counters
saturate at 15 and are all halved after ``sample_size`` increments (the "reset" that ages
history). Four rows of ``width`` counters each, kept in ``bytearray`` so halving is one
C-level ``translate`` call.
"""

from __future__ import annotations

from collections.abc import Hashable

_HALVE = bytes(i >> 1 for i in range(256))


def _ceil_pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


class FrequencySketch:
    """Popularity estimates for an unbounded key stream in ``O(capacity)`` memory."""

    def __init__(
        self,
        capacity: int,
        sample_factor: int = 10,
        width_factor: int = 4,
        conservative: bool = False,
    ) -> None:
        width = _ceil_pow2(max(16, capacity)) * width_factor
        self.conservative = conservative
        self.width = width
        self._mask = width - 1
        self.rows = [bytearray(width) for _ in range(4)]
        self.sample_size = max(10, sample_factor * max(1, capacity))
        self.size = 0
        self.resets = 0

    def _indexes(self, key: Hashable) -> tuple[int, int, int, int]:
        # Double hashing (Kirsch-Mitzenmacher) on the key's own hash: four row indexes for the
        # price of one. Keys must hash well: str does (SipHash); the simulator feeds mixed ints.
        h = hash(key)
        m = self._mask
        a = h & m
        b = (h >> 32) | 1
        return a, (a + b) & m, (a + 2 * b) & m, (a + 3 * b) & m

    def frequency(self, key: Hashable) -> int:
        """The estimated recent use count of ``key`` (0..15); never low until aged."""
        h = hash(key)
        m = self._mask
        a = h & m
        b = (h >> 32) | 1
        r = self.rows
        return min(r[0][a], r[1][(a + b) & m], r[2][(a + 2 * b) & m], r[3][(a + 3 * b) & m])

    def increment(self, key: Hashable) -> None:
        """Count one use; every ``sample_size`` counted uses halve all counters."""
        h = hash(key)
        m = self._mask
        a = h & m
        b = (h >> 32) | 1
        r0, r1, r2, r3 = self.rows
        i1, i2, i3 = (a + b) & m, (a + 2 * b) & m, (a + 3 * b) & m
        c0, c1, c2, c3 = r0[a], r1[i1], r2[i2], r3[i3]
        if self.conservative:
            lo = min(c0, c1, c2, c3)
            if lo >= 15:
                return
            if c0 == lo:
                r0[a] = lo + 1
            if c1 == lo:
                r1[i1] = lo + 1
            if c2 == lo:
                r2[i2] = lo + 1
            if c3 == lo:
                r3[i3] = lo + 1
        else:
            if c0 >= 15 and c1 >= 15 and c2 >= 15 and c3 >= 15:
                return
            if c0 < 15:
                r0[a] = c0 + 1
            if c1 < 15:
                r1[i1] = c1 + 1
            if c2 < 15:
                r2[i2] = c2 + 1
            if c3 < 15:
                r3[i3] = c3 + 1
        self.size += 1
        if self.size >= self.sample_size:
            self.reset()

    def reset(self) -> None:
        """Age the history: halve every counter (recent popularity wins over old)."""
        for i, row in enumerate(self.rows):
            self.rows[i] = bytearray(row.translate(_HALVE))
        self.size //= 2
        self.resets += 1
