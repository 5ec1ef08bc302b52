"""Chunk bytes packed into append-only pack files, with an index in the metadata database.

One file per chunk cost a file creation, a rename and a folder fsync per 64 KiB, about half
of an upload's time. A pack holds many chunks: a writer (one upload, or one batch of delta
chunks) appends its chunks' sealed bytes to a new pack, fsyncs it once, renames it into place,
and only then records where each chunk lies (``files_pack_index``: key -> pack, offset,
length) in one transaction. So:

- an acknowledged write is durable: the commit that references a chunk runs after its pack
  was fsynced and indexed;
- a crash mid-write leaves a ``.tmp`` pack (possibly with a torn last record) that no index
  row points into: invisible to readers, swept after the grace period; a pack is never
  appended to once renamed, so a torn tail can only be in a pack nobody reads;
- each record carries its key, length and CRC-32, so :func:`scan` can list a pack's complete
  records (stopping at a torn tail) without the index. The CRC is zlib-ng's (the same values
  as ``zlib.crc32``, with SIMD): the system zlib's cost a quarter of a second per GiB written.

Layout under the blob root: ``packs/<id>.pack`` beside the older one-file-per-chunk layout
(``<k[:2]>/<k>``, :class:`~services.files.blobs.LocalBlobStore`). Reads look up the index
first and fall back to the old layout, so stores written before packs keep working without a
migration (:meth:`PackStore.migrate` packs them when wanted). A deleted chunk only loses its
index row; :meth:`PackStore.compact` rewrites packs whose live bytes fell below a fraction of
their size and removes packs nothing points into.
"""

from __future__ import annotations

import os
import struct
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from zlib_ng.zlib_ng import crc32

from services.files.blobs import LocalBlobStore, _fsync_dir, check_key
from services.files.bulk import insert_rows
from services.files.direct import AlignedAppender

_MAGIC = b"BPK1"
_HEAD = struct.Struct(">4sBII")  # magic, key length, payload length, CRC-32 of the payload
_BATCH = 400
_SUFFIX = ".pack"
_TMP = ".pack.tmp"

pack_meta = MetaData()

#: Where each packed blob lies. A key has at most one row: the first writer's copy wins and a
#: duplicate written concurrently by another writer is dead bytes that compaction reclaims.
pack_index = Table(
    "files_pack_index",
    pack_meta,
    Column("key", String(128), primary_key=True),
    Column("pack", String(32), nullable=False, index=True),
    Column("offset", BigInteger, nullable=False),
    Column("length", Integer, nullable=False),
)

#: Every pack that was renamed into place and indexed, with its size on disk.
packs = Table(
    "files_packs",
    pack_meta,
    Column("id", String(32), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("created", Float, nullable=False),
)

# Built once (see services.files.refs): which of a batch of keys the index holds.
_INDEXED = select(pack_index.c.key).where(pack_index.c.key.in_(bindparam("keys", expanding=True)))


@dataclass(frozen=True)
class Record:
    key: str
    offset: int  # of the payload
    length: int


def scan(path: Path) -> Iterator[Record]:
    """The complete records of a pack, in order; stops at the first torn or damaged one."""
    with path.open("rb") as fh:
        pos = 0
        while True:
            head = fh.read(_HEAD.size)
            if len(head) < _HEAD.size:
                return
            magic, klen, length, crc = _HEAD.unpack(head)
            if magic != _MAGIC:
                return
            key = fh.read(klen)
            payload = fh.read(length)
            if len(key) < klen or len(payload) < length or crc32(payload) != crc:
                return
            start = pos + _HEAD.size + klen
            yield Record(key.hex(), start, length)
            pos = start + length


def _batches(items: list) -> Iterable[list]:
    for i in range(0, len(items), _BATCH):
        yield items[i : i + _BATCH]


class PackWriter:
    """Appends blobs to one new pack; :meth:`commit` makes them durable and visible at once,
    :meth:`abort` (or a crash) leaves nothing visible. The pack is written through an aligned
    buffer, directly to the disk where it can be (:mod:`services.files.direct`)."""

    def __init__(self, store: PackStore) -> None:
        self.store = store
        self.id = uuid.uuid4().hex
        self.tmp = store.pack_dir / f"{self.id}{_TMP}"
        self._file: AlignedAppender | None = None
        self._pos = 0
        self._index: dict[str, tuple[int, int]] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._index)

    def add(self, key: str, data: bytes | memoryview) -> None:
        """Append one blob (a key added twice is kept once)."""
        self.add_into(key, len(data), lambda out: out.__setitem__(slice(None), data))

    def add_into(self, key: str, length: int, fill: Callable[[memoryview], object]) -> None:
        """Append one blob of ``length`` bytes that ``fill`` writes into the view it is given
        (a chunk sealed in place, with no copy in between); a key added twice is kept once."""
        raw = bytes.fromhex(check_key(key))
        if key in self._index:
            return
        if self._file is None:
            self._file = AlignedAppender(self.tmp)
        head = _HEAD.size + len(raw)
        out = self._file.reserve(head + length)
        payload = out[head:]
        fill(payload)
        _HEAD.pack_into(out, 0, _MAGIC, len(raw), length, crc32(payload))
        out[_HEAD.size : head] = raw
        self._file.advance(head + length)
        self._index[key] = (self._pos + head, length)
        self._pos += head + length

    @property
    def size(self) -> int:
        """Bytes appended so far."""
        return self._pos

    def _finish(self) -> bool:
        """Write, fsync and rename the pack into place; False when nothing was added."""
        if self._file is None:
            return False
        file, self._file = self._file, None
        file.finish()
        os.replace(self.tmp, self.store.pack_dir / f"{self.id}{_SUFFIX}")
        _fsync_dir(self.store.pack_dir)
        return True

    def commit(self) -> None:
        """fsync, rename into place, fsync the folder, then index every blob in one
        transaction. Only after this returns may a version reference the blobs."""
        if self._finish():
            self.store._index(self.id, self._pos, self._index)

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self.tmp.unlink(missing_ok=True)


class PackStore:
    """A :class:`~services.files.blobs.BlobStore` over packs (see the module docstring);
    ``legacy`` is the one-file-per-blob store read for keys the index does not know."""

    def __init__(self, root: Path, engine: Engine) -> None:
        self.root = Path(root)
        self.engine = engine
        self.legacy = LocalBlobStore(self.root)
        self.pack_dir = self.root / "packs"
        self.pack_dir.mkdir(parents=True, exist_ok=True)
        pack_meta.create_all(engine)
        # Nothing writes the old layout any more: without its folders, no lookup falls back.
        self._has_legacy = any(p.is_dir() and len(p.name) == 2 for p in self.root.iterdir())

    # ---- writing ---------------------------------------------------------------------------
    def writer(self) -> PackWriter:
        return PackWriter(self)

    def put(self, key: str, data: bytes) -> None:
        self.put_many([(key, data)])

    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        w = self.writer()
        try:
            for key, data in items:
                w.add(key, data)
            w.commit()
        except BaseException:
            w.abort()
            raise

    def _index(self, pack_id: str, size: int, where: dict[str, tuple[int, int]]) -> None:
        """Record a durable pack and its blobs; keys another writer indexed first keep their
        row. A race with such a writer (PostgreSQL) fails the transaction: it runs again."""
        try:
            self._index_once(pack_id, size, where)
        except IntegrityError:
            self._index_once(pack_id, size, where)

    def _index_once(self, pack_id: str, size: int, where: dict[str, tuple[int, int]]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(packs).values(id=pack_id, size=size, created=time.time()))
            keys = sorted(where)
            for batch in _batches(keys):
                have = set(conn.execute(_INDEXED, {"keys": batch}).scalars())
                rows = [(k, pack_id, *where[k]) for k in batch if k not in have]
                insert_rows(conn, pack_index, ("key", "pack", "offset", "length"), rows)

    # ---- reading ---------------------------------------------------------------------------
    def _where(self, key: str) -> tuple[str, int, int] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(pack_index.c.pack, pack_index.c.offset, pack_index.c.length).where(
                    pack_index.c.key == key
                )
            ).first()
        return (row.pack, row.offset, row.length) if row else None

    def _read(self, pack_id: str, offset: int, length: int) -> bytes:
        fd = os.open(self.pack_dir / f"{pack_id}{_SUFFIX}", os.O_RDONLY)
        try:
            return os.pread(fd, length, offset)
        finally:
            os.close(fd)

    def get(self, key: str) -> bytes:
        check_key(key)
        for _ in range(2):  # a compaction may move the blob between lookup and read
            where = self._where(key)
            if where is None:
                return self.legacy.get(key)
            try:
                return self._read(*where)
            except FileNotFoundError:
                continue
        raise KeyError(key)

    def exists(self, key: str) -> bool:
        return bool(self.present([key]))

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are stored (packed, or in the old layout): one query per batch."""
        wanted = sorted(set(keys))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for batch in _batches(wanted):
                found.update(conn.execute(_INDEXED, {"keys": batch}).scalars())
        if not self._has_legacy:
            return found
        return found | {k for k in wanted if k not in found and self.legacy.exists(k)}

    def delete(self, key: str) -> None:
        """Forget a blob: its index row goes (its bytes are reclaimed by :meth:`compact`),
        and its old-layout file if it has one."""
        check_key(key)
        with self.engine.begin() as conn:
            conn.execute(delete(pack_index).where(pack_index.c.key == key))
        self.legacy.delete(key)

    def keys(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            packed = set(conn.execute(select(pack_index.c.key)).scalars())
        yield from sorted(packed)
        old = self.legacy.keys()
        for key in old:
            if key not in packed:
                yield key

    def mtime(self, key: str) -> float | None:
        where = self._where(key)
        if where is None:
            return self.legacy.mtime(key)
        try:
            return (self.pack_dir / f"{where[0]}{_SUFFIX}").stat().st_mtime
        except FileNotFoundError:
            return None

    # ---- housekeeping ----------------------------------------------------------------------
    def pack_usage(self) -> dict[str, tuple[int, int]]:
        """pack id -> (live bytes, size on disk)."""
        with self.engine.connect() as conn:
            live = dict(
                conn.execute(
                    select(pack_index.c.pack, func.sum(pack_index.c.length)).group_by(
                        pack_index.c.pack
                    )
                ).all()
            )
            return {r.id: (int(live.get(r.id, 0)), r.size) for r in conn.execute(select(packs))}

    def compact(self, min_live: float = 0.5, older_than_s: float = 3600.0) -> dict:
        """Rewrite packs whose live bytes are below ``min_live`` of their size, remove packs
        nothing points into, and sweep unindexed or half-written packs older than
        ``older_than_s`` (a crashed writer's). Each step is safe to crash after: a blob is
        re-pointed only after its new pack is durable, and a pack is removed only when no
        index row points into it."""
        rewritten = removed = reclaimed = 0
        for pack_id, (live, size) in self.pack_usage().items():
            if live >= min_live * size and live > 0:
                continue
            if live > 0:
                self._rewrite(pack_id)
                rewritten += 1
            if self._drop_if_empty(pack_id):
                removed += 1
                reclaimed += size
        swept = self.sweep(older_than_s)
        return {"rewritten": rewritten, "removed": removed, "reclaimed": reclaimed, "swept": swept}

    def _rewrite(self, pack_id: str) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(select(pack_index).where(pack_index.c.pack == pack_id)).all()
        w = self.writer()
        try:
            for r in rows:
                w.add(r.key, self._read(pack_id, r.offset, r.length))
            if len(w):
                self._commit_moved(w, pack_id)
        except BaseException:
            w.abort()
            raise

    def _commit_moved(self, w: PackWriter, old: str) -> None:
        """As :meth:`PackWriter.commit`, but re-pointing rows that still point into ``old``
        (a blob deleted meanwhile stays deleted)."""
        if not w._finish():
            return
        with self.engine.begin() as conn:
            conn.execute(insert(packs).values(id=w.id, size=w._pos, created=time.time()))
            for key, (offset, length) in w._index.items():
                conn.execute(
                    update(pack_index)
                    .where(pack_index.c.key == key, pack_index.c.pack == old)
                    .values(pack=w.id, offset=offset, length=length)
                )

    def _drop_if_empty(self, pack_id: str) -> bool:
        with self.engine.begin() as conn:
            left = conn.execute(
                select(func.count()).select_from(pack_index).where(pack_index.c.pack == pack_id)
            ).scalar_one()
            if left:
                return False
            conn.execute(delete(packs).where(packs.c.id == pack_id))
        (self.pack_dir / f"{pack_id}{_SUFFIX}").unlink(missing_ok=True)
        return True

    def sweep(self, older_than_s: float = 3600.0) -> int:
        """Remove packs a crashed writer left: half-written (``.tmp``) or renamed but never
        indexed, once older than ``older_than_s``."""
        cutoff = time.time() - older_than_s
        with self.engine.connect() as conn:
            known = set(conn.execute(select(packs.c.id)).scalars())
        removed = 0
        for path in self.pack_dir.iterdir():
            name = path.name
            stem = name.split(".", 1)[0]
            orphan = name.endswith(_TMP) or (name.endswith(_SUFFIX) and stem not in known)
            try:
                if orphan and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed + self.legacy.sweep_temp(older_than_s)

    def migrate(self, limit: int | None = None) -> int:
        """Move blobs of the old one-file-per-blob layout into a pack (optional: reads fall
        back to the old layout anyway); returns how many moved."""
        moved: list[str] = []
        w = self.writer()
        old = self.legacy.keys()
        try:
            for key in old:
                if limit is not None and len(moved) >= limit:
                    break
                w.add(key, self.legacy.get(key))
                moved.append(key)
            w.commit()
        except BaseException:
            w.abort()
            raise
        for key in moved:
            self.legacy.delete(key)
        return len(moved)
