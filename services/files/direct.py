"""A new file appended to through page-aligned buffers and written in whole blocks with
``O_DIRECT`` where the file system allows it.

Writing a pack through the page cache cost the uploading process about as much CPU as the
kernel spends copying into and reclaiming cache pages (0.3 to 2.4 CPU-s per GiB, measured on
the test machines, against 0.1 to 0.2 written directly), and a GiB of dirty pages throttles
every writer of the machine until writeback catches up. Packs are written once and read back
rarely (a download reads the chunks it needs), so caching them on the way in buys nothing.

Callers reserve room in the current buffer and fill it in place (a chunk is sealed straight
into it), so the bytes are copied once, by the cipher, between the request body and the disk.
A full buffer is written by a writer thread while the next one fills (a direct write waits
for the device: done in line, it stalled the sealing thread for as long as the disk took);
:meth:`AlignedAppender.finish` waits for those, writes the last, partial block padded with
zeros, truncates the file to its real length and fsyncs it. Where ``O_DIRECT`` is refused
(tmpfs, some network or FUSE file systems), the same writes go through the page cache.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

#: Offsets and lengths of direct writes are multiples of this (the largest logical block
#: size of common devices; buffers from ``mmap`` are page-aligned).
ALIGN = 4096
#: Bytes gathered before a write (a buffer grows for a larger record). A fresh buffer per
#: pack is faulted in page by page: 8 MiB cost twice the CPU of 1 MiB per GiB written (0.37
#: against 0.18 CPU-s, buffer filling included), for no faster disk.
BLOCK = 1024 * 1024
#: Buffers per file: one filling while the others are written.
DEPTH = 4
_O_DIRECT = getattr(os, "O_DIRECT", 0)
_lock = threading.Lock()
_free: list[mmap.mmap] = []  # buffers of BLOCK bytes kept for the next file (no page faults)
_KEEP = 16
_pool: ThreadPoolExecutor | None = None


def _round_up(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def _writers() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="files-direct")
        return _pool


def _take(size: int) -> mmap.mmap:
    with _lock:
        if size == BLOCK and _free:
            return _free.pop()
    return mmap.mmap(-1, size)


def _give(buf: mmap.mmap) -> None:
    with _lock:
        if len(buf) == BLOCK and len(_free) < _KEEP:
            _free.append(buf)


class AlignedAppender:
    """Appends to a new file at ``path`` (created exclusively, mode 0600) through aligned
    buffers; see the module docstring. One thread fills it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        self.direct = bool(_O_DIRECT)
        try:
            self._fd = os.open(path, flags | _O_DIRECT, 0o600)
        except OSError as exc:
            if exc.errno != errno.EINVAL or not _O_DIRECT:
                raise
            self.direct = False  # the file system refuses O_DIRECT: it was not created
            self._fd = os.open(path, flags, 0o600)
        self._bufs: list[mmap.mmap | None] = [None] * DEPTH
        self._writes: list[Future | None] = [None] * DEPTH
        self._cur = 0
        self._bufs[0] = _take(BLOCK)
        self._view = memoryview(self._bufs[0])
        self._fill = 0  # bytes in the current buffer not yet written
        self._base = 0  # file offset of the current buffer's first byte (a multiple of ALIGN)

    @property
    def size(self) -> int:
        """Bytes appended so far (written or still in a buffer)."""
        return self._base + self._fill

    def reserve(self, n: int) -> memoryview:
        """A view of the next ``n`` bytes of the file, to fill before :meth:`advance`; valid
        until the next call that changes the buffer."""
        if self._fill + n > len(self._view):
            self._spill()
            if self._fill + n > len(self._view):
                self._grow(self._fill + n)
        return self._view[self._fill : self._fill + n]

    def advance(self, n: int) -> None:
        """The ``n`` bytes reserved last are filled: they belong to the file now."""
        self._fill += n

    def finish(self) -> None:
        """Write what is buffered, set the file's length, fsync and close it."""
        try:
            self._settle(raising=True)
            end = _round_up(self._fill)
            self._view[self._fill : end] = bytes(end - self._fill)
            self._write(self._view[:end], self._base)
            if end != self._fill:
                os.ftruncate(self._fd, self._base + self._fill)
            os.fsync(self._fd)
        finally:
            self.close()

    def close(self) -> None:
        """Close the file without writing what is buffered (the caller drops the file)."""
        self._settle(raising=False)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._view = memoryview(b"")
        for i, buf in enumerate(self._bufs):
            if buf is not None:
                _give(buf)
                self._bufs[i] = None
        self._fill = 0

    def _settle(self, raising: bool) -> None:
        """Wait for every write under way; the first failure is raised when ``raising``."""
        failure: BaseException | None = None
        for i, job in enumerate(self._writes):
            if job is not None:
                self._writes[i] = None
                try:
                    job.result()
                except BaseException as exc:  # every write is waited for before one is raised
                    failure = failure or exc
        if failure is not None and raising:
            raise failure

    def _spill(self) -> None:
        """Hand the current buffer's whole blocks to a writer; go on in the next buffer,
        starting with the partial block."""
        whole = self._fill // ALIGN * ALIGN
        if not whole:
            return
        self._writes[self._cur] = _writers().submit(self._write, self._view[:whole], self._base)
        nxt = (self._cur + 1) % DEPTH
        job = self._writes[nxt]
        if job is not None:  # that buffer is still being written: wait for it
            self._writes[nxt] = None
            job.result()
        if self._bufs[nxt] is None:
            self._bufs[nxt] = _take(BLOCK)
        view = memoryview(self._bufs[nxt])  # type: ignore[arg-type]
        rest = self._fill - whole
        view[:rest] = self._view[whole : self._fill]
        self._cur, self._view = nxt, view
        self._base += whole
        self._fill = rest

    def _grow(self, need: int) -> None:
        buf = mmap.mmap(-1, _round_up(max(need, 2 * len(self._view))))
        view = memoryview(buf)
        view[: self._fill] = self._view[: self._fill]
        old = self._bufs[self._cur]
        self._bufs[self._cur], self._view = buf, view
        if old is not None:
            _give(old)

    def _write(self, data: memoryview, offset: int) -> None:
        while data:
            try:
                done = os.pwrite(self._fd, data, offset)
            except OSError as exc:
                if exc.errno != errno.EINVAL or not self.direct:
                    raise
                # Opened with O_DIRECT, refused on write: go on through the page cache.
                flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
                fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~_O_DIRECT)
                self.direct = False
                continue
            data = data[done:]
            offset += done
