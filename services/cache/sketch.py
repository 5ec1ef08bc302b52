"""A count-min sketch of 4-bit counters with periodic aging, as in Caffeine's FrequencySketch.

TinyLFU only needs to know which of two keys was used more often *recently*, so counters
saturate at 15 and are all halved after ``sample_size`` increments (the "reset" that ages
history). Four rows of ``width`` counters each, kept in ``bytearray`` so halving is one
C-level ``translate`` call.
"""

from __future__ import annotations

from collections.abc import Hashable

_M64 = (1 << 64) - 1
_SEEDS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
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
        self._shift = 64 - (width.bit_length() - 1)
        self.rows = [bytearray(width) for _ in range(4)]
        self.sample_size = max(10, sample_factor * max(1, capacity))
        self.size = 0
        self.resets = 0

    def _indexes(self, key: Hashable) -> tuple[int, int, int, int]:
        h = hash(key) & _M64
        h = ((h ^ (h >> 31)) * 0xBF58476D1CE4E5B9) & _M64
        s = self._shift
        return (
            ((h * _SEEDS[0]) & _M64) >> s,
            ((h * _SEEDS[1]) & _M64) >> s,
            ((h * _SEEDS[2]) & _M64) >> s,
            ((h * _SEEDS[3]) & _M64) >> s,
        )

    def frequency(self, key: Hashable) -> int:
        """The estimated recent use count of ``key`` (0..15); never low until aged."""
        a, b, c, d = self._indexes(key)
        r = self.rows
        return min(r[0][a], r[1][b], r[2][c], r[3][d])

    def increment(self, key: Hashable) -> None:
        """Count one use; every ``sample_size`` counted uses halve all counters."""
        idx = self._indexes(key)
        if self.conservative:
            rows = self.rows
            lo = min(rows[0][idx[0]], rows[1][idx[1]], rows[2][idx[2]], rows[3][idx[3]])
            if lo >= 15:
                return
            for row, i in zip(rows, idx, strict=True):
                if row[i] == lo:
                    row[i] = lo + 1
            self.size += 1
            if self.size >= self.sample_size:
                self.reset()
            return
        added = False
        for row, i in zip(self.rows, idx, strict=True):
            v = row[i]
            if v < 15:
                row[i] = v + 1
                added = True
        if added:
            self.size += 1
            if self.size >= self.sample_size:
                self.reset()

    def reset(self) -> None:
        """Age the history: halve every counter (recent popularity wins over old)."""
        for i, row in enumerate(self.rows):
            self.rows[i] = bytearray(row.translate(_HALVE))
        self.size //= 2
        self.resets += 1
