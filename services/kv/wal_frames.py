"""The write-ahead log's frames: one CRC-checked frame per batch of writes, and reading a log
back, whole or a stretch at a time.

A frame is ``<payload length><crc32 of payload>`` and the payload. A frame is acknowledged
only once all of it is on disk, so a torn one at the tail was never acknowledged: reading
stops at the first frame that is short or fails its CRC, and cuts it and everything after.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

_HEAD = struct.Struct("<II")  # payload length, crc32 of payload
# The first payload byte: 0 a delete, 1 a put (a frame of one record, as logs before batch
# frames hold), 2 a batch: then per record its kind (0 delete, 1 put), key and value lengths.
TOMBSTONE = b"\x00"
_BATCH = b"\x02"
_ENTRY = struct.Struct("<BII")
_KEYLEN = struct.Struct("<I")


def encode_batch(writes: list[tuple[bytes, bytes | None]]) -> bytes:
    """One log frame holding ``writes`` (``(key, value)``; None: a delete), in order."""
    pack = _ENTRY.pack
    parts = [_BATCH]
    for key, value in writes:
        if value is None:
            parts += (pack(0, len(key), 0), key)
        else:
            parts += (pack(1, len(key), len(value)), key, value)
    body = b"".join(parts)
    return _HEAD.pack(len(body), zlib.crc32(body)) + body


def encode_record(key: bytes, value: bytes | None) -> bytes:
    """A frame of one write."""
    return encode_batch([(key, value)])


def read_records(data: bytes) -> tuple[list[tuple[bytes, bytes | None]], int]:
    """The records of a log image and the length of its valid prefix (a torn or corrupt
    frame and everything after it are cut)."""
    out: list[tuple[bytes, bytes | None]] = []
    pos = 0
    while pos + _HEAD.size <= len(data):
        size, crc = _HEAD.unpack_from(data, pos)
        body = data[pos + _HEAD.size : pos + _HEAD.size + size]
        if len(body) != size or zlib.crc32(body) != crc or size < 5:
            break
        if body[:1] == _BATCH:
            out += _batch_records(body)
        else:  # a frame of one record
            (klen,) = _KEYLEN.unpack_from(body, 1)
            key = body[5 : 5 + klen]
            out.append((key, None if body[:1] == TOMBSTONE else body[5 + klen :]))
        pos += _HEAD.size + size
    return out, pos


def replay_log(
    path: Path, apply: Callable[[list[tuple[bytes, bytes | None]]], None], chunk: int = 8 << 20
) -> tuple[int, int]:
    """Hand the records of the log at ``path`` to ``apply``, a list per stretch of about
    ``chunk`` bytes, so that memory is bounded by the stretch (and the largest frame), never
    by the log. Returns the length of the valid prefix and of the file: a torn or corrupt
    frame and everything after it are cut, as ``read_records`` cuts them."""
    if not path.exists():
        return 0, 0
    valid = 0
    carry = b""
    with path.open("rb") as log:
        while True:
            block = log.read(chunk)
            data = carry + block if carry else block
            records, used = read_records(data)
            apply(records)
            valid += used
            carry = data[used:]
            if not block or (carry and _complete_frame(carry)):  # the end, or a bad frame
                break
    return valid, path.stat().st_size


def _complete_frame(data: bytes) -> bool:
    """Whether ``data`` opens with a whole frame (one ``read_records`` refused: corrupt)."""
    if len(data) < _HEAD.size:
        return False
    size, _ = _HEAD.unpack_from(data, 0)
    return len(data) >= _HEAD.size + size


def _batch_records(body: bytes) -> list[tuple[bytes, bytes | None]]:
    out: list[tuple[bytes, bytes | None]] = []
    pos = 1
    while pos < len(body):
        kind, klen, vlen = _ENTRY.unpack_from(body, pos)
        pos += _ENTRY.size
        key = body[pos : pos + klen]
        pos += klen
        out.append((key, body[pos : pos + vlen] if kind else None))
        pos += vlen
    return out
