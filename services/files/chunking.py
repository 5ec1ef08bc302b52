"""Content-defined chunking (FastCDC) with a SHA-256 per chunk.

Chunk boundaries come from the ``fastcdc`` package's compiled (Cython) FastCDC, measured before
use: in one thread it chunks and hashes at about half the speed of plain SHA-256 over the same
bytes (``make bench-files``), which is the bound when chunking and hashing share one core.
:func:`chunk_pipelined` hashes on a second thread (hashlib releases the GIL) while the chunker
finds the next boundaries. Because boundaries depend only on content, an insertion moves the
boundaries of the one or two chunks around it and every other chunk keeps its hash: that is what
makes deduplication across versions and delta sync work.
"""

from __future__ import annotations

import hashlib
import mmap
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fastcdc.fastcdc_cy import fastcdc_cy as _fastcdc

#: Average chunk size by default (min = avg/4, max = avg*8, FastCDC's normalised defaults).
DEFAULT_AVG = 64 * 1024
MIN_AVG = 256
MAX_AVG = 4 * 1024 * 1024


@dataclass(frozen=True)
class Chunk:
    """One chunk of a file: where it lies, how long it is, and its SHA-256 (hex)."""

    offset: int
    size: int
    hash: str


def sha256_hex(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_avg(avg: int) -> int:
    if not MIN_AVG <= avg <= MAX_AVG:
        raise ValueError(f"average chunk size must be in [{MIN_AVG}, {MAX_AVG}], got {avg}")
    return avg


def boundaries(data: bytes | memoryview, avg: int = DEFAULT_AVG) -> Iterator[tuple[int, int]]:
    """``(offset, size)`` of each content-defined chunk of ``data`` (nothing for empty data)."""
    if len(data) == 0:
        return
    for c in _fastcdc(data, avg_size=_check_avg(avg)):
        yield c.offset, c.length


def chunk_bytes(data: bytes | memoryview, avg: int = DEFAULT_AVG) -> list[Chunk]:
    """The chunks of ``data`` with their SHA-256, in one thread."""
    view = memoryview(data)
    return [Chunk(o, n, sha256_hex(view[o : o + n])) for o, n in boundaries(view, avg)]


def chunk_pipelined(data: bytes | memoryview, avg: int = DEFAULT_AVG) -> list[Chunk]:
    """As :func:`chunk_bytes`, hashing on a worker thread while boundaries are found."""
    view = memoryview(data)
    with ThreadPoolExecutor(max_workers=1) as pool:
        batch: list[tuple[int, int]] = []
        futures = []

        def flush() -> None:
            spans = list(batch)
            futures.append(
                pool.submit(lambda: [Chunk(o, n, sha256_hex(view[o : o + n])) for o, n in spans])
            )
            batch.clear()

        for span in boundaries(view, avg):
            batch.append(span)
            if len(batch) >= 16:
                flush()
        if batch:
            flush()
        return [c for f in futures for c in f.result()]


def stream_chunks(
    pieces: Iterable[bytes | list[bytes]],
    avg: int = DEFAULT_AVG,
    *,
    buffer_bytes: int = 8 * 1024 * 1024,
    buffers: int = 1,
) -> Iterator[list[tuple[str, memoryview]]]:
    """Chunk a byte stream as it arrives: batches of ``(sha256, bytes)`` in stream order,
    with the same boundaries as :func:`chunk_bytes` over the whole stream. A piece may be a
    list of pieces (a batch handed over at once).

    Pieces are copied once, into a buffer of ``buffer_bytes`` (at least two largest chunks);
    every chunk of a full buffer but the last is final, because FastCDC finds a boundary from
    the start of its chunk only. The last one (perhaps cut short by the buffer's end) moves to
    the front and starts the next fill, in the next of ``buffers`` buffers used in turn: a
    batch's views stay valid until ``buffers`` more batches have been asked for, so a caller
    can seal and write earlier batches on another thread while this one chunks the next
    (reusing buffers, not allocating one per fill, spares the page faults of fresh memory).
    Memory stays bounded by the buffers whatever the stream's length. Hashing is split over
    this thread and one more, as in :func:`chunk_pipelined`."""
    size = max(buffer_bytes, 16 * _check_avg(avg))
    ring = [memoryview(bytearray(size)) for _ in range(max(1, buffers))]
    turn = 0
    view = ring[turn]
    fill = 0
    pool = ThreadPoolExecutor(max_workers=1)

    def hashed(data: memoryview, spans: list[tuple[int, int]]) -> list[tuple[str, memoryview]]:
        return [(sha256_hex(data[o : o + n]), data[o : o + n]) for o, n in spans]

    def cut(final: bool) -> list[tuple[str, memoryview]]:
        nonlocal fill
        data = view[:fill]
        spans = list(boundaries(data, avg))
        keep = spans.pop() if not final and spans else None
        # Half the hashing on a second thread (hashlib releases the GIL), half on this one.
        half = len(spans) // 2
        later = pool.submit(hashed, data, spans[half:])
        out = hashed(data, spans[:half]) + later.result()
        return out if keep is None else [*out, ("", data[keep[0] : keep[0] + keep[1]])]

    def flat() -> Iterator[bytes]:
        for piece in pieces:
            if isinstance(piece, list):
                yield from piece
            else:
                yield piece

    try:
        for piece in flat():
            mv = memoryview(piece)
            while mv:
                n = min(len(mv), size - fill)
                view[fill : fill + n] = mv[:n]
                fill += n
                mv = mv[n:]
                if fill == size:
                    found = cut(False)
                    _, rest = found.pop()
                    yield found
                    tail = len(rest)
                    turn = (turn + 1) % len(ring)
                    view = ring[turn]
                    view[:tail] = rest.tobytes() if len(ring) == 1 else rest
                    fill = tail
        if fill:
            yield cut(True)
    finally:
        pool.shutdown(wait=True)


def chunk_file(path: Path, avg: int = DEFAULT_AVG) -> list[Chunk]:
    """The chunks of the file at ``path`` (memory-mapped, so large files need no copy)."""
    with path.open("rb") as fh:
        if path.stat().st_size == 0:
            return []
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return chunk_pipelined(mm, avg)


def fixed_chunks(data: bytes | memoryview, size: int = 4096) -> list[Chunk]:
    """Fixed-size blocks (the baseline content-defined chunking is measured against)."""
    view = memoryview(data)
    return [
        Chunk(o, len(view[o : o + size]), sha256_hex(view[o : o + size]))
        for o in range(0, len(view), size)
    ]
