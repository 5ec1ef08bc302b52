"""The check a replica runs on the version blobs a peer sends before it stores them.

A replica holds a replicated write as it arrived, encoded (``replica.Held``), and decodes it
only when something reads it; and the peers' commands share the clients' port. So a blob cut
short, padded, past the sibling bound, or naming a node in bytes that are not UTF-8 must be
refused on arrival: accepted, it would fail a read long after the request that sent it.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.kv.versions import MAX_SIBLINGS, TAIL_SIZE

_LENGTH_AT = TAIL_SIZE - 4  # where in a version's tail its value's length (4 bytes) is


def check_blobs(blobs: Iterable[bytes]) -> None:
    """Raise ``ValueError`` unless every blob is a whole encoding of 1 to ``MAX_SIBLINGS``
    versions (``versions.encode``)."""
    for blob in blobs:
        size = len(blob)
        if size == 0 or not 1 <= blob[0] <= MAX_SIBLINGS:
            raise ValueError("malformed versions")
        pos = 1
        for _ in range(blob[0]):
            pos = _checked_name(blob, pos, size) + 8  # the dot: node, counter
            if pos >= size:
                raise ValueError("malformed versions")
            count = blob[pos]
            pos += 1
            for _ in range(count):
                pos = _checked_name(blob, pos, size) + 8
            if pos + TAIL_SIZE > size:
                raise ValueError("malformed versions")
            at = pos + _LENGTH_AT
            pos += TAIL_SIZE + int.from_bytes(blob[at : at + 4], "little")
        if pos != size:
            raise ValueError("malformed versions")


def _checked_name(blob: bytes, pos: int, size: int) -> int:
    """Where the node name at ``pos`` ends, once it is known to fit and to be UTF-8."""
    if pos >= size or pos + 1 + blob[pos] > size:
        raise ValueError("malformed versions")
    end = pos + 1 + blob[pos]
    blob[pos + 1 : end].decode()
    return end
