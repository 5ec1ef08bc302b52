"""The node's durable store: a write-ahead log with a CRC per record and group-commit fsync,
checkpointed into LMDB.

LMDB (through ``lmdb``) is the engine: a copy-on-write B+tree whose commits are atomic and
need no recovery of their own, so the log only has to cover writes since the last checkpoint.
Writes are appended to an in-memory batch; the batch is appended to the log in order, and one
fdatasync (in a worker thread, so the event loop keeps serving) makes it durable, and only
then are its callers answered. Up to ``MAX_SYNCS`` syncs are in flight at once: a batch does
not wait for the previous sync to finish, it starts its own (an fdatasync makes everything
written before it durable, so each sync's callers may be answered when it returns; the
kernel merges concurrent syncs into one journal commit). Recovery
loads LMDB, replays the log and cuts a torn or corrupt tail at the first bad record.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import hashlib
import os
import struct
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import lmdb

_HEAD = struct.Struct("<II")  # payload length, crc32 of payload
_KEYLEN = struct.Struct("<I")
TOMBSTONE = b"\x00"  # the first payload byte: 0 delete, 1 put
MAX_SYNCS = 4
SYNC_MS_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200)  # upper bounds of the sync latency histogram


def lmdb_key(key: bytes) -> bytes:
    """LMDB keys are at most 511 bytes: longer ones are stored under a digest (the full key is
    kept in the value)."""
    if 0 < len(key) <= 400:
        return key
    return b"\xffH" + hashlib.blake2b(key, digest_size=20).digest()


def encode_record(key: bytes, value: bytes | None) -> bytes:
    body = (
        TOMBSTONE + _KEYLEN.pack(len(key)) + key
        if value is None
        else b"\x01" + _KEYLEN.pack(len(key)) + key + value
    )
    return _HEAD.pack(len(body), zlib.crc32(body)) + body


def read_records(data: bytes) -> tuple[list[tuple[bytes, bytes | None]], int]:
    """The records of a log image and the length of its valid prefix (a torn tail is cut)."""
    out: list[tuple[bytes, bytes | None]] = []
    pos = 0
    while pos + _HEAD.size <= len(data):
        size, crc = _HEAD.unpack_from(data, pos)
        body = data[pos + _HEAD.size : pos + _HEAD.size + size]
        if len(body) != size or zlib.crc32(body) != crc or size < 5:
            break
        (klen,) = _KEYLEN.unpack_from(body, 1)
        key = body[5 : 5 + klen]
        out.append((key, None if body[:1] == TOMBSTONE else body[5 + klen :]))
        pos += _HEAD.size + size
    return out, pos


class DurableStore:
    """key -> bytes, durable once ``wait_durable`` resolves (or its callback runs)."""

    def __init__(
        self, directory: Path, *, fsync: bool = True, checkpoint_bytes: int = 64 << 20
    ) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self.checkpoint_bytes = checkpoint_bytes
        self.env = lmdb.open(str(self.dir / "lmdb"), map_size=8 << 30, max_dbs=0)
        self.log_path = self.dir / "wal.log"
        self._batch: list[bytes] = []
        self._waiters: list[Callable[[], None]] = []
        self._syncing = 0  # fdatasyncs in flight
        self._latest: list[Callable[[], None]] = []  # callers of the newest sync started
        self._written = 0  # batches written to the log
        self._durable = 0  # the newest batch known durable
        self._scheduled = False
        self._dirty: dict[bytes, bytes | None] = {}
        self.log_bytes = 0
        self.torn_bytes_cut = 0
        # key -> the batch holding its newest record, while some batch is not yet durable
        self._logged: dict[bytes, int] = {}
        self._fd = -1
        self._pool: ThreadPoolExecutor | None = None  # fdatasyncs run here, off the loop
        # What group commit achieves: syncs, records per sync, how long syncs take.
        self.syncs = 0
        self.synced_records = 0
        self.sync_ms_hist = [0] * (len(SYNC_MS_BUCKETS) + 1)
        self.checkpoints = 0
        self.checkpoint_ms_max = 0

    def load(self) -> dict[bytes, bytes]:
        """Everything stored: LMDB's contents with the log replayed over them."""
        data: dict[bytes, bytes] = {}
        with self.env.begin() as txn:
            for _, stored in txn.cursor():
                (klen,) = _KEYLEN.unpack_from(stored, 0)
                data[bytes(stored[4 : 4 + klen])] = bytes(stored[4 + klen :])
        raw = self.log_path.read_bytes() if self.log_path.exists() else b""
        records, valid = read_records(raw)
        self.torn_bytes_cut = len(raw) - valid
        for key, value in records:
            self._dirty[key] = value
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        self._fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.ftruncate(self._fd, valid)
        os.lseek(self._fd, valid, os.SEEK_SET)
        self.log_bytes = valid
        return data

    def put(self, key: bytes, value: bytes | None) -> None:
        """Log a write (``None``: delete). Durable after the next group commit."""
        self._batch.append(encode_record(key, value))
        self._dirty[key] = value
        self._logged[key] = self._written + 1  # the batch this record goes out in

    def durable_all(self, keys: Iterable[bytes]) -> bool:
        """Whether the newest record of each of ``keys`` is on disk (a replica read shows a
        key's versions only then, and need not wait for other keys' writes)."""
        logged = self._logged
        durable = self._durable
        for key in keys:
            seq = logged.get(key)
            if seq is not None and seq > durable:
                return False
        return True

    @property
    def _flushing(self) -> bool:
        return self._syncing > 0

    @property
    def pending(self) -> bool:
        """Whether some logged write is not yet on disk (queued, or in an fsync under way)."""
        return bool(self._batch) or self._syncing > 0

    def on_durable(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once everything logged so far is on disk."""
        if not self._batch:
            if self._durable >= self._written:
                callback()
            else:
                self._latest.append(callback)  # the newest sync covers all that is written
            return
        self._waiters.append(callback)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._start_flush)

    async def wait_durable(self) -> None:
        fut = asyncio.get_running_loop().create_future()
        self.on_durable(lambda: fut.done() or fut.set_result(None))
        await fut

    def _start_flush(self) -> None:
        self._scheduled = False
        if not self._batch:
            waiters, self._waiters = self._waiters, []
            for w in waiters:
                self.on_durable(w)
            return
        if self._syncing >= MAX_SYNCS:
            return  # started again when a sync returns
        self.syncs += 1
        self.synced_records += len(self._batch)
        batch, self._batch = b"".join(self._batch), []
        waiters, self._waiters = self._waiters, []
        os.write(self._fd, batch)  # here, in log order; only the sync waits in a thread
        self._written += 1
        if not self.fsync:
            self._durable = self._written  # written is as durable as this mode makes it
            self._logged.clear()
            for w in waiters:
                w()
            return
        self._syncing += 1
        self._latest = waiters
        seq = self._written
        if self._pool is None:
            self._pool = ThreadPoolExecutor(MAX_SYNCS, thread_name_prefix="wal-sync")
        self._pool.submit(self._sync, asyncio.get_running_loop(), waiters, seq)

    def _sync(self, loop: asyncio.AbstractEventLoop, waiters: list, seq: int) -> None:
        """In a worker thread: make the log durable, then hand back to the loop directly (an
        asyncio future around the thread's would cost a second turn before the callers hear)."""
        error: OSError | None = None
        started = time.perf_counter()
        try:
            os.fdatasync(self._fd)
        except OSError as exc:
            error = exc
        ms = (time.perf_counter() - started) * 1000
        self.sync_ms_hist[bisect.bisect_left(SYNC_MS_BUCKETS, ms)] += 1
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(self._flushed, error, waiters, seq)

    def sync_stats(self) -> list[tuple[str, int]]:
        """Group commit's figures: syncs, records logged by them, the sync latency histogram."""
        out = [("wal_syncs", self.syncs), ("wal_synced_records", self.synced_records)]
        out += [("wal_checkpoints", self.checkpoints)]
        out += [("wal_checkpoint_ms_max", self.checkpoint_ms_max)]
        bounds = [str(b) for b in SYNC_MS_BUCKETS] + ["inf"]
        out += [(f"wal_sync_ms_le_{b}", n) for b, n in zip(bounds, self.sync_ms_hist, strict=True)]
        return out

    def _write(self, batch: bytes) -> None:
        os.write(self._fd, batch)
        if self.fsync:
            os.fdatasync(self._fd)

    def _flushed(self, error: OSError | None, waiters: list[Callable[[], None]], seq: int) -> None:
        self._syncing -= 1
        if error is not None:
            raise error  # its callers are never told the writes are durable
        self._durable = max(self._durable, seq)
        if self._durable >= self._written and not self._batch:
            self._logged.clear()  # everything logged is durable
        for w in waiters:
            w()
        if self._batch and not self._scheduled:
            self._start_flush()

    def flush_now(self) -> None:
        """Write and fsync the pending batch synchronously (shutdown, tests)."""
        if self._batch:
            batch, self._batch = b"".join(self._batch), []
            self._write(batch)
            self._written += 1
            self._durable = self._written
        if self._durable >= self._written:
            self._logged.clear()
        waiters, self._waiters = self._waiters, []
        for w in waiters:
            w()

    def maybe_checkpoint(self) -> bool:
        """When the log is large, move its writes into LMDB and start an empty log."""
        size = os.fstat(self._fd).st_size if self._fd >= 0 else 0
        self.log_bytes = size
        if size < self.checkpoint_bytes or self._flushing:
            return False
        self.checkpoint()
        return True

    def checkpoint(self) -> None:
        started = time.perf_counter()
        self.flush_now()
        with self.env.begin(write=True) as txn:
            for key, value in self._dirty.items():
                if value is None:
                    txn.delete(lmdb_key(key))
                else:
                    txn.put(lmdb_key(key), _KEYLEN.pack(len(key)) + key + value)
        self.env.sync(True)
        self._dirty.clear()
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.fsync(self._fd)
        self.log_bytes = 0
        self.checkpoints += 1
        ms = int((time.perf_counter() - started) * 1000)
        self.checkpoint_ms_max = max(self.checkpoint_ms_max, ms)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # no sync still running on the descriptor
            self._pool = None
        if self._fd >= 0:
            self.flush_now()
            os.close(self._fd)
            self._fd = -1
        self.env.close()
