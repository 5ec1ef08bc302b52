"""Versioned cache values for quorum reads and writes: a hybrid logical clock and an envelope.

A quorum read must tell the newest of several replicas' copies, and every replica must refuse
to go back to an older one (a late read repair or a slow writer must not undo a newer write).
So a versioned value carries its version in front of the JSON, as fixed-width lowercase hex
that orders byte-wise the same way it orders as numbers::

    b"v" + hlc (16 hex) + writer (8 hex) + expires_ms (12 hex) + b"|" + JSON

- ``hlc`` is a hybrid logical clock reading (wall milliseconds << 16 | a logical counter):
  close to real time, strictly increasing per writer, and pushed past every version the
  writer has seen, so a write that follows a read it depends on is newer than what it read.
- ``writer`` is a random 32-bit id per client: two writers with the same clock reading still
  order deterministically (the larger id wins), so every replica picks the same winner.
- ``expires_ms`` (wall clock, 0 for none) lets a read repair give the copy it writes the
  value's remaining TTL rather than a fresh one.
- An empty JSON part is a tombstone: a quorum delete, which a repair spreads like any write,
  so a replica that missed the delete cannot bring the value back.

Plain JSON (written by an eventual client) has no version and counts as older than any
versioned value; JSON never starts with ``v``, so the two cannot be confused.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

VERSION_LEN = 25  # b"v" + 16 + 8: the part that orders
HEADER_LEN = VERSION_LEN + 12 + 1
TAG = b"v"[0]
LOGICAL_BITS = 16
MAX_EXPIRES_MS = (1 << 48) - 1  # 12 hex digits: about the year 10889


def version_of(raw: bytes | None) -> bytes:
    """The order key of a stored value: its version prefix, ``b""`` for plain JSON or none."""
    if raw and raw[0] == TAG:
        return raw[:VERSION_LEN]
    return b""


def encode(hlc: int, writer: int, expires_ms: int, body: bytes) -> bytes:
    """A versioned value (``body`` empty for a tombstone)."""
    return b"v%016x%08x%012x|" % (hlc, writer, min(expires_ms, MAX_EXPIRES_MS)) + body


def body_of(raw: bytes) -> bytes | None:
    """The JSON of a stored value, or None for a tombstone."""
    if raw[0] != TAG:
        return raw
    body = raw[HEADER_LEN:]
    return body or None


def hlc_of(raw: bytes) -> int:
    """The clock reading of a versioned value (0 for plain JSON)."""
    return int(raw[1:17], 16) if raw and raw[0] == TAG else 0


def expires_ms_of(raw: bytes) -> int:
    """Wall-clock expiry in ms of a versioned value, 0 when it has none (or is plain JSON)."""
    return int(raw[VERSION_LEN : VERSION_LEN + 12], 16) if raw and raw[0] == TAG else 0


def new_writer_id() -> int:
    return secrets.randbits(32)


class HybridClock:
    """Hybrid logical clock (Kulkarni et al., 2014): ``now`` is strictly increasing, at least
    the wall time, and above every reading passed to ``observe``."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self.wall = wall
        self._last = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        physical = int(self.wall() * 1000) << LOGICAL_BITS
        with self._lock:
            self._last = max(self._last + 1, physical)
            return self._last

    def observe(self, reading: int) -> None:
        with self._lock:
            if reading > self._last:
                self._last = reading
