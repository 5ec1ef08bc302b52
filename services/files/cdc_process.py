"""Chunking and hashing in a child process, over buffers shared with it.

The ``fastcdc`` chunker holds the GIL while it scans (about 0.5 CPU-s per GiB), and an upload
has other Python work that needs the GIL at the same time: the event loop receiving the body,
sealing, metadata. On a busy machine a thread holding the GIL that the scheduler puts aside
stops every other thread of the server, so an upload went at the pace of one thread's share
of the cores. A child process has a GIL of its own: it finds each buffer's boundaries
(answering them at once, so the parent can carry the unfinished last chunk over) and then
their SHA-256s on two threads (hashlib releases the GIL), while the parent gathers the next
buffer. Boundaries and hashes are the same ``fastcdc`` and ``hashlib`` results as in process.

The buffers are one anonymous shared mapping (``memfd_create``) handed to the child as a file
descriptor, so there are no names to clean up; requests and answers are small messages over
the child's standard input and output. The child exits when its input closes, so it never
outlives its parent. :func:`acquire` hands out an idle child (or starts one); :func:`release`
keeps a few for the next upload.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import mmap
import os
import struct
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

#: A request: buffer index, start in the mapping, length, average chunk size, final (1).
_REQ = struct.Struct("<IQQIB")
#: An answer: kind (0: chunk lengths, 1: digests), buffer index, payload bytes.
_ANS = struct.Struct("<BIQ")
_SPANS, _DIGESTS = 0, 1
_GONE = "the chunking process ended unexpectedly"
#: Idle children kept for the next upload (their buffers' pages are given back meanwhile).
KEEP = 2
_idle: list[ChunkerProcess] = []
_idle_lock = threading.Lock()


class ChunkerProcess:
    """One child and its ``buffers`` shared buffers of ``size`` bytes (see the module
    docstring). One upload uses it at a time."""

    def __init__(self, buffers: int, size: int) -> None:
        self.buffers, self.size = buffers, size
        fd = os.memfd_create("files-cdc", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, buffers * size)
            self._map = mmap.mmap(fd, buffers * size)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "services.files.cdc_process", str(fd), str(buffers * size)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                pass_fds=(fd,),
                bufsize=0,
            )
        finally:
            os.close(fd)
        view = memoryview(self._map)
        self.views = [view[i * size : (i + 1) * size] for i in range(buffers)]
        self._stash: dict[tuple[int, int], bytes] = {}
        self.owed = 0  # answers asked for and not read yet

    def drop_pages(self) -> None:
        """Give the buffers' memory back while the child is idle (they read as zeros and
        are faulted in again when next filled)."""
        with contextlib.suppress(AttributeError, OSError):  # without MADV_REMOVE: kept
            self._map.madvise(mmap.MADV_REMOVE)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def cut(self, index: int, start: int, length: int, avg: int, final: bool) -> None:
        """Ask for the chunks of ``views[index][start:start + length]``."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(_REQ.pack(index, index * self.size + start, length, avg, final))
        except OSError as exc:  # the child is gone: its pipe is broken
            raise OSError(_GONE) from exc
        self.owed += 2

    def spans(self, index: int) -> list[int]:
        """The chunk lengths of the last request on ``index`` (waits for them)."""
        return array.array("I", self._answer(_SPANS, index)).tolist()

    def digests(self, index: int) -> bytes:
        """The SHA-256s (32 bytes each, in order) of those chunks (waits for them)."""
        return self._answer(_DIGESTS, index)

    def _answer(self, kind: int, index: int) -> bytes:
        assert self.proc.stdout is not None
        while (kind, index) not in self._stash:
            head = self._read(_ANS.size)
            got_kind, got_index, n = _ANS.unpack(head)
            self._stash[(got_kind, got_index)] = self._read(n)
        self.owed -= 1
        return self._stash.pop((kind, index))

    def _read(self, n: int) -> bytes:
        assert self.proc.stdout is not None
        parts, left = [], n
        while left:
            part = self.proc.stdout.read(left)
            if not part:
                raise OSError(_GONE)
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    def close(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck child
            self.proc.kill()
            self.proc.wait(timeout=5)


def acquire(buffers: int, size: int) -> ChunkerProcess | None:
    """An idle child with buffers of this shape, or a new one; None when none can start."""
    with _idle_lock:
        while _idle:
            child = _idle.pop()
            if child.alive() and (child.buffers, child.size) == (buffers, size):
                return child
            child.close()
    try:
        return ChunkerProcess(buffers, size)
    except (OSError, AttributeError):  # AttributeError: no os.memfd_create (not Linux)
        return None


def release(child: ChunkerProcess) -> None:
    """Give a child back once nothing reads its buffers any more; kept for the next upload
    when it owes no answers (a stream that failed half-way: closed)."""
    with _idle_lock:
        if not child.owed and child.alive() and len(_idle) < KEEP:
            child.drop_pages()
            _idle.append(child)
            return
    child.close()


# ---- the child ---------------------------------------------------------------------------
def _serve(fd: int, length: int) -> None:
    from fastcdc.fastcdc_cy import fastcdc_cy

    shared = memoryview(mmap.mmap(fd, length))
    out = sys.stdout.buffer
    lock = threading.Lock()
    pool = ThreadPoolExecutor(max_workers=2)

    def send(kind: int, index: int, payload: bytes) -> None:
        with lock:
            out.write(_ANS.pack(kind, index, len(payload)) + payload)
            out.flush()

    def hashed(data: memoryview, spans: list[tuple[int, int]]) -> bytes:
        return b"".join(hashlib.sha256(data[o : o + n]).digest() for o, n in spans)

    def finish(index: int, jobs: list) -> None:
        send(_DIGESTS, index, b"".join(job.result() for job in jobs))

    writer = ThreadPoolExecutor(max_workers=1)  # sends digests in request order
    src = sys.stdin.buffer
    while head := src.read(_REQ.size):
        if len(head) < _REQ.size:
            break
        index, start, size, avg, final = _REQ.unpack(head)
        data = shared[start : start + size]
        spans = [(c.offset, c.length) for c in fastcdc_cy(data, avg_size=avg)] if size else []
        lengths = array.array("I", [n for _, n in spans])
        send(_SPANS, index, lengths.tobytes())
        if not final and spans:
            spans.pop()  # carried over by the parent: hashed with the next buffer
        half = len(spans) // 2
        jobs = [pool.submit(hashed, data, part) for part in (spans[:half], spans[half:])]
        writer.submit(finish, index, jobs)
    writer.shutdown(wait=True)
    pool.shutdown(wait=True)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
