"""A durable, append-only segment log on local disk: the event buffer between services and the lake.

Each writer owns a directory ``spool/<source>/`` and a lock file inside it, so any number of
processes can write without coordinating. One ``append`` call writes one frame: a header
holding the payload's length and crc32, then the payload, the batch as NDJSON. A torn or
corrupt frame is detected by its checksum. The header is written in JSON whitespace (see
``encode_frame``), so an intact segment is itself an NDJSON file: ingestion checks the
checksums over a read-only map and hands the file to a columnar JSON reader, with no copy
and no parsing record by record. A record carries its ``seq``; its ``source`` is the
writer's directory, which ingestion fills in (segments relayed from NATS carry their own),
so a constant is not repeated on every line. ``append`` returns only after the bytes are
fsynced; concurrent callers share one fsync (group commit). Segments roll by size or age: the
open file ``N.open`` is fsynced and renamed to ``N.seg`` ("sealed"), and only sealed segments
are ingested.
With ``BLUEPRINT_ENCRYPT_AT_REST`` on, each frame's payload is sealed with AES-GCM bound to its
writer, segment and offset (``warehouse.at_rest``); such a segment is no longer NDJSON, so
ingestion reads it decrypted into memory, and a frame that fails authentication raises
``FrameTampered`` instead of being read.
A writer that died leaves an ``.open`` file whose lock is free: ``recover_abandoned`` truncates
its torn tail and seals it. When the spool holds more than ``max_bytes`` not yet ingested,
``append`` raises ``SpoolFull``: the producer is pushed back, nothing is dropped.
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from warehouse.at_rest import (
    FROM_SETTINGS,
    FrameTampered,
    KeyArg,
    KeyMissing,
    frame_aad,
    is_sealed,
    resolve_read,
    resolve_write,
)

# A frame header is 8 bytes (length and crc32, big-endian) spelled as 32 base-4 digits in
# the four JSON whitespace characters, then a newline: JSON readers skip it as blank lines.
_WHITESPACE = b" \t\n\r"
_HEADER_SIZE = 33
_SPELL = [bytes(_WHITESPACE[(b >> shift) & 3] for shift in (6, 4, 2, 0)) for b in range(256)]
_DIGITS = bytes.maketrans(_WHITESPACE, b"0123")
# Segments written before the header was whitespace: ``length | crc32`` as little-endian u32.
_LEGACY_HEADER = struct.Struct("<II")
Frames = bytes | mmap.mmap  # a whole segment, read or mapped
LOCK_NAME = "LOCK"


class SpoolFull(RuntimeError):
    """The spool is over its byte budget; retry after ingestion catches up."""

    def __init__(self, used: int, limit: int, retry_after_s: int = 5) -> None:
        super().__init__(f"spool full: {used} bytes pending, limit {limit}")
        self.used = used
        self.limit = limit
        self.retry_after_s = retry_after_s


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encode_frame(lines: Sequence[bytes]) -> bytes:
    body = b"\n".join(lines)
    header = struct.pack(">II", len(body), zlib.crc32(body))
    return b"".join(_SPELL[b] for b in header) + b"\n" + body


def encode_sealed_frame(lines: Sequence[bytes], key, aad: bytes) -> bytes:
    """A frame whose payload is ``lines`` sealed by ``key`` (an ``AtRestKey``) with ``aad``."""
    body = key.seal(b"\n".join(lines), aad)
    header = struct.pack(">II", len(body), zlib.crc32(body))
    return b"".join(_SPELL[b] for b in header) + b"\n" + body


def _header(buf: Frames, offset: int) -> tuple[int, int] | None:
    spelled = bytes(buf[offset : offset + _HEADER_SIZE - 1])
    if buf[offset + _HEADER_SIZE - 1] != 0x0A or spelled.translate(None, _WHITESPACE):
        return None
    value = int(spelled.translate(_DIGITS), 4)
    return value >> 32, value & 0xFFFFFFFF


def _legacy_header(buf: Frames, offset: int) -> tuple[int, int] | None:
    return _LEGACY_HEADER.unpack_from(buf, offset)


def _scan(buf: Frames) -> tuple[list[tuple[int, int]], int, bool]:
    """``(start, end)`` of every intact frame payload, where intact data ends, and whether
    the headers are the legacy binary ones. Stops at the first short or corrupt frame."""
    size = len(buf)
    view = memoryview(buf)
    try:
        for legacy, size_of, parse in (
            (False, _HEADER_SIZE, _header),
            (True, _LEGACY_HEADER.size, _legacy_header),
        ):
            frames, offset = [], 0
            while offset + size_of <= size:
                header = parse(buf, offset)
                start = offset + size_of
                if header is None or start + header[0] > size:
                    break
                end = start + header[0]
                if zlib.crc32(view[start:end]) != header[1]:
                    break
                frames.append((start, end))
                offset = end
            if frames or size == 0:
                return frames, offset, legacy
        return [], 0, False
    finally:
        view.release()


def _segment_place(path: Path) -> tuple[str, int]:
    """The writer and segment index a segment's frames are bound to."""
    return path.parent.name, int(path.name.split(".")[0])


def _open_sealed(
    path: Path, data: Frames, frames: list[tuple[int, int]], legacy: bool, key: KeyArg
) -> list[bytes] | None:
    """The plaintext frames of a sealed segment, or ``None`` for a plaintext one."""
    if legacy or not frames or not is_sealed(data[frames[0][0] : frames[0][0] + 8]):
        return None
    # spool/<source>/<index>.seg under the data directory
    resolved = resolve_read(key, path.parent.parent.parent)
    if resolved is None:
        raise KeyMissing(
            f"spool segment {path} is encrypted and no at-rest key is configured "
            "(BLUEPRINT_AT_REST_KEY or <data_dir>/secrets/at_rest_key)"
        )
    source, index = _segment_place(path)
    out = []
    for start, end in frames:
        body = data[start:end]
        if not is_sealed(body):
            raise FrameTampered(f"plaintext frame at byte {start} of encrypted segment {path}")
        out.append(resolved.open(body, frame_aad(source, index, start - _HEADER_SIZE)))
    return out


def read_frames(path: Path, key: KeyArg = FROM_SETTINGS) -> tuple[list[bytes], int]:
    """Every intact frame payload of a segment (decrypted if sealed), and the byte offset
    where intact data ends.

    Reading stops at the first short or corrupt frame: that is a torn tail.
    """
    data = path.read_bytes()
    frames, offset, legacy = _scan(data)
    opened = _open_sealed(path, data, frames, legacy, key)
    if opened is not None:
        return opened, offset
    return [data[start:end] for start, end in frames], offset


def intact_length(path: Path) -> int:
    """Where a segment's intact frames end (checksums only: no key needed)."""
    return _scan(path.read_bytes())[1]


def read_payload(path: Path, key: KeyArg = FROM_SETTINGS) -> bytes:
    """Every intact frame of a segment as one NDJSON buffer, for ``pl.read_ndjson``."""
    data = path.read_bytes()
    frames, offset, legacy = _scan(data)
    opened = _open_sealed(path, data, frames, legacy, key)
    if opened is not None:
        return b"\n".join(opened)
    if not legacy:
        return data[:offset]  # the whitespace headers are blank lines to a JSON reader
    return b"\n".join(data[start:end] for start, end in frames)


def ndjson_source(path: Path, key: KeyArg = FROM_SETTINGS) -> Path | bytes:
    """What to hand a JSON-lines reader for a sealed segment: the file itself when every
    frame in it is intact (checked over a read-only map, without copying it), otherwise the
    intact frames as a buffer (a legacy segment, one damaged after it was sealed, or an
    encrypted one, decrypted)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return b""
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            frames, offset, legacy = _scan(mm)
            sealed = bool(frames) and not legacy and is_sealed(mm[frames[0][0] : frames[0][0] + 8])
    if sealed:
        return read_payload(path, key)
    return path if offset == size and not legacy else read_payload(path, key)


def read_records(path: Path, key: KeyArg = FROM_SETTINGS) -> list[dict[str, Any]]:
    """Every intact record of a segment, decoded, with its source (for tools and tests)."""
    frames, _ = read_frames(path, key)
    records = [orjson.loads(line) for frame in frames for line in frame.split(b"\n") if line]
    for record in records:
        record.setdefault("source", path.parent.name)
    return records


def spool_bytes(root: Path) -> int:
    """Bytes waiting in the spool (open and sealed segments of every writer)."""
    total = 0
    if not root.exists():
        return 0
    for source_dir in root.iterdir():
        if source_dir.is_dir():
            for entry in os.scandir(source_dir):
                if entry.name.endswith((".seg", ".open")):
                    total += entry.stat().st_size
    return total


class SpoolWriter:
    """One process's append handle on the spool. Thread-safe."""

    def __init__(
        self,
        root: Path,
        name: str = "app",
        *,
        segment_bytes: int = 8 * 1024 * 1024,
        max_bytes: int = 256 * 1024 * 1024,
        max_segment_age_s: float = 5.0,
        key: KeyArg = FROM_SETTINGS,
    ) -> None:
        self.root = Path(root)
        # The data directory's key when encryption at rest is on; None: plaintext frames.
        self._key = resolve_write(key, self.root.parent)
        self.source = f"{name}-{uuid.uuid4().hex[:12]}"
        self.dir = self.root / self.source
        self.dir.mkdir(parents=True, exist_ok=True)
        self.segment_bytes = segment_bytes
        self.max_bytes = max_bytes
        self.max_segment_age_s = max_segment_age_s
        self._lock_fd = self._acquire_lock()
        self._write_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._seq = 0
        self._segment_index = 0
        self._fd: int | None = None
        self._written = 0  # bytes written to the open segment
        self._synced = 0  # bytes of the open segment known durable
        self._opened_at = 0.0
        self._last_write = 0.0
        self._pending_estimate = spool_bytes(self.root)
        self._closed = False

    def _acquire_lock(self) -> int:
        """Create and lock this writer's LOCK file. Ingestion tidies away directories of dead
        writers, so retry if the directory or the file vanished while we were starting."""
        lock = self.dir / LOCK_NAME
        for _ in range(20):
            self.dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
            except FileNotFoundError:
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            os.close(fd)  # we locked a file that was unlinked meanwhile: start over
        raise RuntimeError(f"could not lock spool directory {self.dir}")

    # -- segment lifecycle -------------------------------------------------------------
    def _open_path(self, index: int) -> Path:
        return self.dir / f"{index:012d}.open"

    def _open_segment(self) -> None:
        self._segment_index += 1
        self._fd = os.open(
            self._open_path(self._segment_index), os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644
        )
        _fsync_dir(self.dir)
        self._written = 0
        self._synced = 0
        self._opened_at = time.monotonic()

    def _seal_locked(self) -> None:
        if self._fd is None:
            return
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        open_path = self._open_path(self._segment_index)
        if self._written == 0:
            open_path.unlink(missing_ok=True)
        else:
            open_path.rename(open_path.with_suffix(".seg"))
        _fsync_dir(self.dir)

    def seal(self) -> None:
        """Make everything written so far visible to ingestion."""
        with self._write_lock, self._sync_lock:
            self._seal_locked()

    def seal_if_idle(self, idle_s: float) -> bool:
        """Seal the open segment when it holds records and nothing was appended for
        ``idle_s`` seconds (or it is older than ``max_segment_age_s``), so a quiet writer's
        last events reach ingestion without waiting for more traffic. True when it sealed."""
        with self._write_lock:
            if self._fd is None or self._written == 0:
                return False
            now = time.monotonic()
            if now - self._last_write < idle_s and now - self._opened_at <= self.max_segment_age_s:
                return False
            with self._sync_lock:
                self._seal_locked()
            return True

    # -- appending ---------------------------------------------------------------------
    def append(self, records: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        """Append records durably; returns each record's ``(source, seq)``.

        Raises ``SpoolFull`` before writing anything when the spool is over budget.
        """
        if not records:
            return []
        with self._write_lock:
            if self._closed:
                raise RuntimeError("spool writer is closed")
            if self._pending_estimate > self.max_bytes:
                self._pending_estimate = spool_bytes(self.root)
                if self._pending_estimate > self.max_bytes:
                    raise SpoolFull(self._pending_estimate, self.max_bytes)
            if self._fd is not None and (
                self._written >= self.segment_bytes
                or time.monotonic() - self._opened_at > self.max_segment_age_s
            ):
                with self._sync_lock:
                    self._seal_locked()
            if self._fd is None:
                self._open_segment()
            ids = []
            lines = []
            for record in records:
                self._seq += 1
                ids.append((self.source, self._seq))
                if "source" in record:  # the writer's directory names the source
                    record = {k: v for k, v in record.items() if k != "source"}
                lines.append(orjson.dumps({**record, "seq": self._seq}))
            if self._key is None:
                blob = encode_frame(lines)
            else:
                aad = frame_aad(self.source, self._segment_index, self._written)
                blob = encode_sealed_frame(lines, self._key, aad)
            os.write(self._fd, blob)
            self._last_write = time.monotonic()
            self._written += len(blob)
            self._pending_estimate += len(blob)
            target = self._written
            fd = self._fd
            index = self._segment_index
        self._sync(fd, index, target)
        return ids

    def _sync(self, fd: int, index: int, target: int) -> None:
        # Group commit: whoever holds the sync lock fsyncs for everyone who wrote before it.
        with self._sync_lock:
            if index != self._segment_index or self._fd != fd:
                return  # the segment was sealed (and so fsynced) meanwhile
            if self._synced >= target:
                return
            written = self._written
            os.fsync(fd)
            self._synced = written

    def close(self) -> None:
        with self._write_lock, self._sync_lock:
            if self._closed:
                return
            self._seal_locked()
            self._closed = True
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
        # An empty writer directory holds nothing worth keeping.
        try:
            (self.dir / LOCK_NAME).unlink()
            self.dir.rmdir()
        except OSError:
            pass


@dataclass(frozen=True)
class Segment:
    source: str
    index: int
    path: Path


def _writer_alive(source_dir: Path) -> bool:
    lock = source_dir / LOCK_NAME
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def recover_abandoned(root: Path) -> int:
    """Seal the open segments of writers that died, cutting any torn tail. Returns how many."""
    recovered = 0
    if not root.exists():
        return 0
    for source_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if _writer_alive(source_dir):
            continue
        for open_path in sorted(source_dir.glob("*.open")):
            good = intact_length(open_path)
            if good == 0:
                open_path.unlink()
                continue
            with open(open_path, "r+b") as fh:
                fh.truncate(good)
                fh.flush()
                os.fsync(fh.fileno())
            open_path.rename(open_path.with_suffix(".seg"))
            _fsync_dir(source_dir)
            recovered += 1
    return recovered


def sealed_segments(root: Path) -> Iterator[Segment]:
    """Sealed segments in (source, index) order: the ingestion work list."""
    if not root.exists():
        return
    for source_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for seg in sorted(source_dir.glob("*.seg")):
            yield Segment(source_dir.name, int(seg.stem), seg)


def remove_dead_writer_dirs(root: Path) -> None:
    """Tidy directories of writers that are gone and left nothing behind.

    The LOCK is held while deleting, so a live writer can never lose its directory; a writer
    starting at that moment notices and starts over (see ``SpoolWriter._acquire_lock``).
    """
    if not root.exists():
        return
    for source_dir in root.iterdir():
        if not source_dir.is_dir():
            continue
        lock = source_dir / LOCK_NAME
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            with contextlib.suppress(OSError):
                source_dir.rmdir()  # only succeeds when empty
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer
            if any(source_dir.glob("*.seg")) or any(source_dir.glob("*.open")):
                continue
            lock.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                source_dir.rmdir()
        finally:
            os.close(fd)
