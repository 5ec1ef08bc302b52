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

import contextlib
import hashlib
import mmap
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from fastcdc.fastcdc_cy import fastcdc_cy as _fastcdc

from services.files import cdc_process

#: Average chunk size by default (min = avg/4, max = avg*8, FastCDC's normalised defaults).
DEFAULT_AVG = 64 * 1024
MIN_AVG = 256
MAX_AVG = 4 * 1024 * 1024
#: Pieces at least this long are copied without the GIL (numpy); shorter ones cost less
#: copied in place than the call would.
_NOGIL_COPY = 64 * 1024


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


def _copy_into(dst: memoryview, src: memoryview) -> None:
    """``dst[:] = src``, without the GIL for large pieces (numpy releases it while copying),
    so the event loop and the sealing thread run while a socket's bytes are gathered."""
    if len(src) >= _NOGIL_COPY:
        np.copyto(np.frombuffer(dst, np.uint8), np.frombuffer(src, np.uint8))
    else:
        dst[:] = src


class _InProcess:
    """Finds a buffer's chunks at once and hashes them on two worker threads."""

    def __init__(self, avg: int) -> None:
        self.avg = avg
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="files-hash")
        self.cuts: dict[int, tuple[memoryview, list[tuple[int, int]], list[Future]]] = {}

    def request(self, index: int, buf: memoryview, start: int, end: int, final: bool) -> None:
        data = buf[start:end]
        spans = list(boundaries(data, self.avg))
        done = spans if final else spans[:-1]
        half = len(done) // 2
        jobs = [self.pool.submit(self._hashed, data, part) for part in (done[:half], done[half:])]
        self.cuts[index] = (data, spans, jobs)

    @staticmethod
    def _hashed(data: memoryview, spans: list[tuple[int, int]]) -> list[tuple[str, memoryview]]:
        return [(sha256_hex(data[o : o + n]), data[o : o + n]) for o, n in spans]

    def rest(self, index: int) -> memoryview:
        data, spans, _ = self.cuts[index]
        return data[spans[-1][0] :] if spans else data[:0]

    def batch(self, index: int) -> list[tuple[str, memoryview]]:
        _, _, jobs = self.cuts.pop(index)
        return [c for job in jobs for c in job.result()]

    def close(self) -> None:
        self.pool.shutdown(wait=True)


class _InChild:
    """The same, in a child process (:mod:`services.files.cdc_process`): a request returns
    at once, and its chunks are asked for only when the next buffer is full."""

    def __init__(self, child: cdc_process.ChunkerProcess, avg: int) -> None:
        self.child, self.avg = child, avg
        self.cuts: dict[int, tuple[memoryview, bool, list[tuple[int, int]] | None]] = {}

    def request(self, index: int, buf: memoryview, start: int, end: int, final: bool) -> None:
        self.child.cut(index, start, end - start, self.avg, final)
        self.cuts[index] = (buf[start:end], final, None)

    def _spans(self, index: int) -> list[tuple[int, int]]:
        data, final, spans = self.cuts[index]
        if spans is None:
            spans, at = [], 0
            for n in self.child.spans(index):
                spans.append((at, n))
                at += n
            self.cuts[index] = (data, final, spans)
        return spans

    def rest(self, index: int) -> memoryview:
        spans, data = self._spans(index), self.cuts[index][0]
        return data[spans[-1][0] :] if spans else data[:0]

    def batch(self, index: int) -> list[tuple[str, memoryview]]:
        spans = self._spans(index)
        data, final, _ = self.cuts.pop(index)
        digests = self.child.digests(index)
        done = spans if final else spans[:-1]
        return [
            (digests[32 * i : 32 * i + 32].hex(), data[o : o + n]) for i, (o, n) in enumerate(done)
        ]

    def close(self) -> None:
        """The child is given back by :func:`child_chunker`, once its views are let go."""


def _shape(avg: int, buffer_bytes: int, buffers: int) -> tuple[int, int, int]:
    """(body, head, count) of the buffers :func:`stream_chunks` uses."""
    size = max(buffer_bytes, 16 * _check_avg(avg))
    return size, 8 * avg, max(2, buffers)  # head: FastCDC's largest chunk


@contextlib.contextmanager
def child_chunker(
    avg: int = DEFAULT_AVG, *, buffer_bytes: int = 8 * 1024 * 1024, buffers: int = 2
) -> Iterator[cdc_process.ChunkerProcess | None]:
    """A child process for :func:`stream_chunks` with the same arguments (None when none can
    start), given back when the block ends: batches are views of its shared buffers, so the
    block must hold everything that still reads them (the threads sealing them)."""
    size, head, count = _shape(avg, buffer_bytes, buffers)
    child = cdc_process.acquire(count, head + size)
    try:
        yield child
    finally:
        if child is not None:
            cdc_process.release(child)


def stream_chunks(
    pieces: Iterable[bytes | list[bytes]],
    avg: int = DEFAULT_AVG,
    *,
    buffer_bytes: int = 8 * 1024 * 1024,
    buffers: int = 2,
    child: cdc_process.ChunkerProcess | None = None,
) -> Iterator[list[tuple[str, memoryview]]]:
    """Chunk a byte stream as it arrives: batches of ``(sha256, bytes)`` in stream order,
    with the same boundaries as :func:`chunk_bytes` over the whole stream. A piece may be a
    list of pieces (a batch handed over at once).

    Pieces are copied once, into the body of a buffer of ``buffer_bytes`` (at least two
    largest chunks); every chunk of a full buffer but the last is final, because FastCDC
    finds a boundary from the start of its chunk only. The last one (perhaps cut short by the
    buffer's end) is copied into the head of the next of ``buffers`` buffers (at least 2),
    used in turn, just before that buffer's own bytes, once the next buffer is full; so the
    chunks of one buffer are found while the next one fills. A buffer's chunks are hashed on
    two worker threads (hashlib releases the GIL) and handed out once hashed: a batch's views
    stay valid until ``buffers - 2`` more batches have been asked for (a caller may seal and
    write that many on another thread), and memory stays bounded by the buffers whatever the
    stream's length. ``child``: chunk and hash in that child process (from
    :func:`child_chunker` with the same arguments), over its shared buffers, so the scan does
    not hold this process's GIL.
    """
    size, head, count = _shape(avg, buffer_bytes, buffers)
    if child is not None:
        if (child.buffers, child.size) != (count, head + size):
            raise ValueError("the child's buffers are not of this stream's shape")
        ring, cutter = child.views, _InChild(child, avg)
    else:
        ring = [memoryview(bytearray(head + size)) for _ in range(count)]
        cutter = _InProcess(avg)  # type: ignore[assignment]

    def flat() -> Iterator[bytes]:
        for piece in pieces:
            if isinstance(piece, list):
                yield from piece
            else:
                yield piece

    def send(prev: int | None, final: bool) -> None:
        """Carry ``prev``'s unfinished chunk into the head of this buffer; ask for its chunks."""
        rest = cutter.rest(prev) if prev is not None else ring[turn][:0]
        start = head - len(rest)
        _copy_into(ring[turn][start:head], rest)
        cutter.request(turn, ring[turn], start, head + fill, final)

    turn, fill, prev = 0, 0, None
    try:
        for piece in flat():
            mv = memoryview(piece).cast("B")
            while mv:
                n = min(len(mv), size - fill)
                _copy_into(ring[turn][head + fill : head + fill + n], mv[:n])
                fill += n
                mv = mv[n:]
                if fill == size:
                    send(prev, final=False)
                    if prev is not None:
                        yield cutter.batch(prev)
                    prev, turn, fill = turn, (turn + 1) % len(ring), 0
        send(prev, final=True)
        if prev is not None:
            yield cutter.batch(prev)
        last = cutter.batch(turn)
        if last:
            yield last
    finally:
        cutter.close()


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
