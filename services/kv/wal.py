"""The node's durable store: a write-ahead log of CRC-checked batches and group-commit fsync,
checkpointed into LMDB.

LMDB (through ``lmdb``) is the engine: a copy-on-write B+tree whose commits are atomic and
need no recovery of their own, so the log only has to cover writes since the last checkpoint.
Writes are appended to an in-memory batch; the batch is appended to the log in order as one
frame with one CRC (``wal_frames``; about 0.2 us a record to encode, against 0.5 for a frame
per record). A frame is acknowledged only once all of it is on disk, so a torn one at the tail
was never acknowledged and recovery drops it whole. An fdatasync in the log's own thread
(``_Syncer``, so the event loop keeps serving) makes the batch durable, and only then are its
callers answered. Batches are written as they come, while a sync runs, and the next sync makes
every one of them durable at once (group commit). The thread is handed batches through a
``queue.SimpleQueue``, whose put and get are C; a ``threading.Condition`` (Python code under
the interpreter's lock on both sides) cost 7% of a replica's samples under pipelined SETs.
A pool that started a sync per batch (up to four at once) woke a worker thread per batch:
its ``submit`` was 8-12% of the samples holding the interpreter's lock on a replica (py-spy),
and two interleaved A/B runs (five and six rounds) gave 10-14% less CPU per request without
it, within this machine's run-to-run noise of about 15%.
Recovery loads LMDB, replays the log and cuts a torn or corrupt tail at the first bad frame.

A checkpoint never stalls the event loop: when the log is large and every record in it is
durable (no sync in flight), the log is renamed ``wal.old.log`` and a fresh ``wal.log`` takes
the new writes at once, while a child process (``fold_directory``)
writes each key's newest write in the old log into LMDB and syncs it, and only then is the
old log deleted. On the loop, the checkpoint of a 100k-key log held it for 1-2.4 s on every
node at once; in a worker thread, keeping the newest writes in a dict and writing them held
the interpreter's lock for about half a second a checkpoint, in 5 ms turns with the loop.
The child runs at a lower CPU priority (``FOLD_NICENESS``): a fold of a 50 MB log costs
0.65 s of CPU, every replica of the keys folds at about the same time, and at normal
priority the folds took cores from the nodes serving the writes that filled the logs.
The directory is synced before any record of the fresh log is acknowledged. Recovery replays
``wal.old.log`` (if a crash left one) before ``wal.log``, then finishes that checkpoint
before serving.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import hashlib
import os
import queue
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import lmdb

from services.kv.wal_frames import encode_batch, replay_log

_KEYLEN = struct.Struct("<I")
# A checkpoint folds the log when it reaches this size. Folding costs about 1.8 us of CPU per
# record logged since the last one (0.67 s for 380k records of 100 bytes), on every replica
# at once: at 64 MB, pipelined SETs into a 3-node cluster folded every few seconds, and an
# interleaved A/B without checkpoints served 25% more SETs. PostgreSQL's max_wal_size (1 GB)
# and RocksDB's WAL cap (a few hundred MB by default) are of this order; recovery replays a
# log of this size in about 2 s (``replay_log`` streams it, so memory does not grow with it).
CHECKPOINT_BYTES = 256 << 20
FOLD_NICENESS = 10  # a checkpoint's child yields the CPU to the node serving requests
SYNC_MS_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200)  # upper bounds of the sync latency histogram


def lmdb_key(key: bytes) -> bytes:
    """LMDB keys are at most 511 bytes: longer ones are stored under a digest (the full key is
    kept in the value)."""
    if 0 < len(key) <= 400:
        return key
    return b"\xffH" + hashlib.blake2b(key, digest_size=20).digest()


class DurableStore:
    """key -> bytes, durable once ``wait_durable`` resolves (or its callback runs)."""

    def __init__(
        self,
        directory: Path,
        *,
        fsync: bool = True,
        checkpoint_bytes: int = CHECKPOINT_BYTES,
    ) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self.checkpoint_bytes = checkpoint_bytes
        self.env = open_lmdb(self.dir)
        self.log_path = self.dir / "wal.log"
        self.old_path = self.dir / "wal.old.log"  # a log being checkpointed (by a worker)
        self._batch: list[tuple[bytes, bytes | None]] = []  # writes not yet in the log
        self._waiters: list[Callable[[], None]] = []
        self._syncing = 0  # batches handed to the sync thread and not yet known durable
        self._latest: list[Callable[[], None]] = []  # callers of the newest batch handed over
        self._written = 0  # batches written to the log
        self._durable = 0  # the newest batch known durable
        self._scheduled = False
        self._folding = False  # a child process is moving the old log into LMDB
        self.fold_command = [sys.executable, "-c", FOLD_CHILD, str(self.dir)]
        self._rotations = 0  # fresh logs started; their directory entries need a sync
        self._dir_synced = 0  # rotations whose directory entry is known durable
        self.log_bytes = 0
        self.torn_bytes_cut = 0
        # The batches written but not known durable: [batch number, its writes, their keys
        # (a set, made when first asked for: ``durable_all``)].
        self._unsynced: list[list] = []
        self._fd = -1
        self._syncer: _Syncer | None = None  # fdatasyncs run here, off the loop
        self._pool: ThreadPoolExecutor | None = None  # checkpoints run here, off the loop
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
        self.torn_bytes_cut = 0
        valid = 0

        def replay(records: list[tuple[bytes, bytes | None]]) -> None:
            for key, value in records:
                if value is None:
                    data.pop(key, None)
                else:
                    data[key] = value

        for path in (self.old_path, self.log_path):  # older first
            valid, size = replay_log(path, replay)
            self.torn_bytes_cut += size - valid
        self._fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.ftruncate(self._fd, valid)
        os.lseek(self._fd, valid, os.SEEK_SET)
        self.log_bytes = valid
        if self.old_path.exists():
            self.checkpoint()  # the one a crash interrupted: done before serving
        return data

    def put(self, key: bytes, value: bytes | None) -> None:
        """Log a write (``None``: delete). Durable after the next group commit."""
        self._batch.append((key, value))

    def put_many(self, keys: list[bytes], values: list[bytes]) -> None:
        """``put`` of each key with its value (none a delete), in one call."""
        self._batch += zip(keys, values, strict=True)

    def durable_all(self, keys: Iterable[bytes]) -> bool:
        """Whether the newest record of each of ``keys`` is on disk (a replica read shows a
        key's versions only then, and need not wait for other keys' writes)."""
        pending = [entry for entry in self._unsynced if entry[0] > self._durable]
        if not pending and not self._batch:
            return True
        held = [entry[2] or _keys_of(entry) for entry in pending]
        if self._batch:  # still growing: its keys are not kept
            held.append({key for key, _ in self._batch})
        return not any(key in s for key in keys for s in held)

    @property
    def _flushing(self) -> bool:
        return self._syncing > 0

    @property
    def pending(self) -> bool:
        """Whether some logged write is not yet on disk (queued, or in an fsync under way)."""
        return bool(self._batch) or self._syncing > 0

    def on_durable(self, callback: Callable[[], None], at_once: bool = False) -> None:
        """Run ``callback`` once everything logged so far is on disk. ``at_once``: write the
        pending batch now rather than at the end of this turn of the event loop (a caller
        that is itself the turn's batch of writes)."""
        if not self._batch:
            if self._durable >= self._written:
                callback()
            else:
                self._latest.append(callback)  # the newest sync covers all that is written
            return
        self._waiters.append(callback)
        if at_once:
            self._start_flush()
        elif not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._scheduled_flush)

    def durable_future(self, result: Any = None, at_once: bool = False) -> asyncio.Future:
        """A future of ``result``, settled by the log's own callback once everything logged so
        far is on disk (a task would cost another turn of the event loop before a reply
        leaves). ``at_once`` as for ``on_durable``."""
        fut = asyncio.get_running_loop().create_future()

        def settle() -> None:
            if not fut.done():
                fut.set_result(result)

        self.on_durable(settle, at_once)
        return fut

    async def wait_durable(self) -> None:
        await self.durable_future()

    def _scheduled_flush(self) -> None:
        self._scheduled = False
        self._start_flush()

    def _start_flush(self) -> None:
        if not self._batch:
            waiters, self._waiters = self._waiters, []
            for w in waiters:
                self.on_durable(w)
            return
        self.synced_records += len(self._batch)
        writes, self._batch = self._batch, []
        waiters, self._waiters = self._waiters, []
        os.write(self._fd, encode_batch(writes))  # here, in log order; the sync in a thread
        self._written += 1
        if not self.fsync:
            self._durable = self._written  # written is as durable as this mode makes it
            for w in waiters:
                w()
            return
        self._unsynced.append([self._written, writes, None])
        self._syncing += 1
        self._latest = waiters
        if self._syncer is None:
            self._syncer = _Syncer(self, asyncio.get_running_loop())
        self._syncer.request(waiters, self._written, self._fd)

    def _workers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="wal-checkpoint")
        return self._pool

    def sync_stats(self) -> list[tuple[str, int]]:
        """Group commit's figures: syncs, records logged by them, the sync latency histogram."""
        out = [("wal_syncs", self.syncs), ("wal_synced_records", self.synced_records)]
        out += [("wal_checkpoints", self.checkpoints)]
        out += [("wal_checkpoint_ms_max", self.checkpoint_ms_max)]
        bounds = [str(b) for b in SYNC_MS_BUCKETS] + ["inf"]
        out += [(f"wal_sync_ms_le_{b}", n) for b, n in zip(bounds, self.sync_ms_hist, strict=True)]
        return out

    def _sync_dir_if_rotated(self) -> None:
        """Make the directory entries of the fresh logs durable (before their records are
        acknowledged): in a worker thread."""
        wanted = self._rotations
        if self._dir_synced < wanted:
            self._sync_dir()
            self._dir_synced = max(self._dir_synced, wanted)

    def _sync_dir(self) -> None:
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write(self, batch: bytes) -> None:
        os.write(self._fd, batch)
        if self.fsync:
            os.fdatasync(self._fd)

    def _synced(self, error: OSError | None, requests: list[tuple[list, int, int]]) -> None:
        """On the loop: one sync returned; it made every batch it was handed durable."""
        for waiters, seq, _ in requests:
            self._flushed(error, waiters, seq)

    def _flushed(self, error: OSError | None, waiters: list[Callable[[], None]], seq: int) -> None:
        self._syncing -= 1
        if error is not None:
            raise error  # its callers are never told the writes are durable
        self._durable = durable = max(self._durable, seq)
        unsynced = self._unsynced
        while unsynced and unsynced[0][0] <= durable:
            del unsynced[0]
        for w in waiters:
            w()
        if self._batch and not self._scheduled:
            self._start_flush()

    def flush_now(self) -> None:
        """Write and fsync the pending batch synchronously (shutdown, tests)."""
        if self._batch:
            writes, self._batch = self._batch, []
            self._write(encode_batch(writes))
            self._written += 1
            self._durable = self._written
        if self._durable >= self._written:
            self._unsynced.clear()
        waiters, self._waiters = self._waiters, []
        for w in waiters:
            w()

    def maybe_checkpoint(self) -> bool:
        """When the log is large, start moving it into LMDB (``_rotate``); True if started."""
        size = os.fstat(self._fd).st_size if self._fd >= 0 else 0
        self.log_bytes = size
        if size < self.checkpoint_bytes or self._flushing or self._folding:
            return False
        self._rotate()
        return True

    def _rotate(self) -> None:
        """On the loop, with no sync in flight (all the log holds is durable): the log becomes
        the old log, a fresh one takes the writes from now on, and a worker moves the old one
        into LMDB (``_fold``)."""
        started = time.perf_counter()
        old_fd = self._fd
        os.rename(self.log_path, self.old_path)
        self._rotations += 1
        self._fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.log_bytes = 0
        self._folding = True
        loop = asyncio.get_running_loop()
        self._workers().submit(self._fold, loop, old_fd, started)

    def _fold(self, loop: asyncio.AbstractEventLoop, old_fd: int, started: float) -> None:
        """In a worker thread: have a child process write the old log's contents into LMDB
        and sync it, then delete the old log (recovery replays it until then)."""
        error: OSError | None = None
        try:
            self._sync_dir_if_rotated()
            done = subprocess.run(self.fold_command, capture_output=True, check=False)
            if done.returncode != 0:
                raise OSError(f"checkpoint failed: {done.stderr.decode(errors='replace')}")
            os.close(old_fd)
            os.unlink(self.old_path)
            self._sync_dir()
        except OSError as exc:
            error = exc
        ms = int((time.perf_counter() - started) * 1000)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(self._folded, error, ms)

    def _folded(self, error: OSError | None, ms: int) -> None:
        if error is not None:
            # The old log stays, and a restart replays it and finishes the checkpoint; none
            # starts meanwhile (its rotation would overwrite the old log).
            raise error
        self._folding = False
        self.checkpoints += 1
        self.checkpoint_ms_max = max(self.checkpoint_ms_max, ms)

    def checkpoint(self) -> None:
        """Move everything logged into LMDB now, on the caller's thread (start-up, tests)."""
        started = time.perf_counter()
        self._stop_threads()  # a sync or a checkpoint under way finishes first
        self._folding = False
        self.flush_now()
        fold(self.env, [self.old_path, self.log_path])
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.fsync(self._fd)
        if self.old_path.exists():
            self.old_path.unlink()
            self._sync_dir()
        self.log_bytes = 0
        self.checkpoints += 1
        ms = int((time.perf_counter() - started) * 1000)
        self.checkpoint_ms_max = max(self.checkpoint_ms_max, ms)

    def _stop_threads(self) -> None:
        if self._syncer is not None:
            self._syncer.stop()
            self._syncer = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        self._stop_threads()  # no sync still running on the descriptor
        if self._fd >= 0:
            self.flush_now()
            os.close(self._fd)
            self._fd = -1
        self.env.close()


def open_lmdb(directory: Path) -> lmdb.Environment:
    return lmdb.open(str(directory / "lmdb"), map_size=8 << 30, max_dbs=0)


def fold(env: lmdb.Environment, logs: list[Path]) -> None:
    """Write each key's newest write in ``logs`` (oldest first) into LMDB and sync it."""
    newest: dict[bytes, bytes | None] = {}
    for path in logs:
        replay_log(path, newest.update)
    with env.begin(write=True) as txn:
        for key, value in newest.items():
            if value is None:
                txn.delete(lmdb_key(key))
            else:
                txn.put(lmdb_key(key), _KEYLEN.pack(len(key)) + key + value)
    env.sync(True)


def _keys_of(entry: list) -> set[bytes]:
    """The keys of an unsynced batch entry, made once."""
    entry[2] = {key for key, _ in entry[1]}
    return entry[2]


class _Syncer:
    """The log's sync thread: it takes every batch handed over since its last sync, makes
    them durable with one fdatasync and hands them back to the loop (``DurableStore._synced``,
    directly: an asyncio future around it would cost a second turn before the callers hear).
    Batches handed over while a sync runs wait in the queue and share the next one."""

    def __init__(self, store: DurableStore, loop: asyncio.AbstractEventLoop) -> None:
        self.store = store
        self.loop = loop
        self.queue: queue.SimpleQueue = queue.SimpleQueue()  # (waiters, batch number, fd)
        self.thread = threading.Thread(target=self._run, name="wal-sync", daemon=True)
        self.thread.start()

    def request(self, waiters: list, seq: int, fd: int) -> None:
        self.queue.put((waiters, seq, fd))

    def stop(self) -> None:
        """Sync what was handed over, then end the thread."""
        self.queue.put(None)
        self.thread.join()

    def _run(self) -> None:
        store = self.store
        get, take = self.queue.get, self.queue.get_nowait
        while True:
            requests = [get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    requests.append(take())
            stopping = requests[-1] is None
            if stopping:
                requests.pop()
            if requests:
                error: OSError | None = None
                started = time.perf_counter()
                try:
                    store._sync_dir_if_rotated()
                    os.fdatasync(requests[-1][2])  # one log: a rotation waits for no sync
                except OSError as exc:
                    error = exc
                ms = (time.perf_counter() - started) * 1000
                store.syncs += 1
                store.sync_ms_hist[bisect.bisect_left(SYNC_MS_BUCKETS, ms)] += 1
                with contextlib.suppress(RuntimeError):  # the loop closed (shutdown)
                    self.loop.call_soon_threadsafe(store._synced, error, requests)
            if stopping:
                return


def fold_directory(directory: Path) -> None:
    """A checkpoint's child process (``FOLD_CHILD``): fold the old log of ``directory``."""
    os.nice(FOLD_NICENESS)
    env = open_lmdb(directory)
    fold(env, [directory / "wal.old.log"])
    env.close()


# Run with ``python -c`` rather than ``-m``: the module may be compiled (``services.kv.native``).
FOLD_CHILD = (
    "import sys; from pathlib import Path; from services.kv.wal import fold_directory; "
    "fold_directory(Path(sys.argv[1]))"
)
