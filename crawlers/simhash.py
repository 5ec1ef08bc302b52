"""64-bit SimHash over word shingles, with a banded index for near-duplicate lookups.

Two documents whose SimHashes differ in at most ``k`` bits share at least one of ``k + 1``
bands exactly (pigeonhole), so lookups touch one bucket per band instead of every page.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+")


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over all 64 output bits."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def simhash(text: str, shingle: int = 3) -> int:
    """The SimHash of ``text``: each bit is the sign of the vote of its word shingles.

    A shingle's hash combines stable per-word BLAKE2b hashes (cached) in numpy, so long
    pages cost one dictionary lookup per word rather than one digest per shingle; the
    votes are counted on the unpacked bits of all shingle hashes at once.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return 0
    wh = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    if len(wh) < shingle:
        wh = np.concatenate([wh, np.zeros(shingle - len(wh), dtype=np.uint64)])
    n = len(wh) - shingle + 1
    with np.errstate(over="ignore"):
        acc = wh[:n] * _MIX[0]
        for k in range(1, shingle):
            acc += wh[k : k + n] * _MIX[k % len(_MIX)]
        hashes = _mix(acc).astype("<u8", copy=False)
    bits = np.unpackbits(hashes.view(np.uint8).reshape(n, 8), axis=1, bitorder="little")
    ones = bits.sum(axis=0, dtype=np.int64)  # bit i set in how many of the n shingles
    return sum(1 << i for i in range(64) if 2 * int(ones[i]) > n)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def to_signed(h: int) -> int:
    """SQLite and Parquet store signed 64-bit integers."""
    return h - (1 << 64) if h >= 1 << 63 else h


def from_signed(h: int) -> int:
    return h + (1 << 64) if h < 0 else h


class SimHashIndex:
    """Finds a stored document within ``max_distance`` bits of a new SimHash."""

    def __init__(self, max_distance: int = 3) -> None:
        self.max_distance = max_distance
        self.bands = max_distance + 1
        self.width = 64 // self.bands
        self._buckets: list[dict[int, list[tuple[int, str]]]] = [{} for _ in range(self.bands)]

    def _keys(self, h: int) -> list[int]:
        mask = (1 << self.width) - 1
        return [(h >> (i * self.width)) & mask for i in range(self.bands)]

    def near(self, h: int) -> str | None:
        """The key of a stored near-duplicate of ``h``, if any."""
        for band, key in enumerate(self._keys(h)):
            for other, doc in self._buckets[band].get(key, ()):
                if hamming(h, other) <= self.max_distance:
                    return doc
        return None

    def add(self, h: int, doc: str) -> None:
        for band, key in enumerate(self._keys(h)):
            self._buckets[band].setdefault(key, []).append((h, doc))
