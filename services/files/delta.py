"""Delta sync and the change feed, the part of :class:`~services.files.service.FilesService`
a sync client talks to: plan (which chunks the server lacks), send those chunks, commit the
version atomically; then "changes since cursor", with long-poll."""

from __future__ import annotations

import asyncio
import hashlib
import struct
import time
from collections.abc import Iterable, Sequence
from typing import Any

from services.errors import BadRequest, Invalid, PreconditionFailed, TooLarge
from services.files import chunking, feed, names
from services.files.chunkstore import is_chunk_hash
from services.files.errors import ChunkMismatch
from services.files.model import Change, Entry, Version

_RECORD = struct.Struct(">32sI")


def chunk_records(chunks: Iterable[bytes | memoryview]) -> bytes:
    """The body of a several-chunk upload (see :meth:`DeltaSync.put_chunks`)."""
    out = bytearray()
    for data in chunks:
        out += _RECORD.pack(hashlib.sha256(data).digest(), len(data))
        out += data
    return bytes(out)


def parse_chunk_records(
    body: bytes | memoryview, max_chunk_bytes: int
) -> list[tuple[str, memoryview]]:
    """``(sha256, bytes)`` of each record, each verified: 400 for malformed records, 422
    (:class:`ChunkMismatch`) for bytes that do not hash to the name they came with."""
    view = memoryview(body)
    out = []
    pos = 0
    while pos < len(view):
        if len(view) - pos < _RECORD.size:
            raise BadRequest(f"chunk record at byte {pos} is cut short")
        digest, size = _RECORD.unpack_from(view, pos)
        pos += _RECORD.size
        if not 0 < size <= max_chunk_bytes:
            raise BadRequest(f"chunk size {size} is outside (0, {max_chunk_bytes}]")
        if len(view) - pos < size:
            raise BadRequest(f"chunk record at byte {pos - _RECORD.size} is cut short")
        data = view[pos : pos + size]
        pos += size
        if hashlib.sha256(data).digest() != digest:
            raise ChunkMismatch(f"chunk bytes do not hash to {digest.hex()}; nothing was stored")
        out.append((digest.hex(), data))
    return out


class DeltaSync:
    """Mixed into the file service, whose store, chunks and checks it uses."""

    store: Any
    chunks: Any
    conf: Any
    emitter: Any
    clock: Any
    at: Any
    _touch: Any
    _commit: Any
    _edited: Any
    grants: Any

    def parse_chunk_list(self, raw: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
        if len(raw) > self.conf.max_chunks_per_file:
            raise TooLarge(f"at most {self.conf.max_chunks_per_file} chunks per file")
        out = []
        for h, size in raw:
            if not is_chunk_hash(h):
                raise Invalid(f"chunk hash {h[:80]!r} is not 64 lowercase hex digits")
            if not 0 < size <= self.conf.max_chunk_bytes:
                raise Invalid(f"chunk size {size} is outside (0, {self.conf.max_chunk_bytes}]")
            out.append((h, size))
        return out

    def plan(
        self,
        owner: str,
        path: str,
        chunk_list: Sequence[tuple[str, int]],
        *,
        if_match: str | None = None,
    ) -> tuple[list[str], str]:
        """Step 1 of a delta upload: which of the new version's chunks the server lacks, and
        a plan id that step 3 may commit instead of sending the chunk list again.

        The chunks it has are leased (touched) so the collector keeps them for the grace
        period (the plan lives as long); 412 now if ``if_match`` is already stale, 507 if the
        version would not fit.
        """
        place = self.at(owner, path, "write")
        owner, path = place.tree, place.path
        pairs = self.parse_chunk_list(chunk_list)
        current = self.store.get(owner, path)
        if (
            if_match is not None
            and if_match != "*"
            and (current is None or current.etag != if_match)
        ):
            raise PreconditionFailed("If-Match does not match the current version")
        self.store.check_quota(owner, sum(s for _, s in pairs))
        sizes = dict(pairs)
        live = self.store.live_chunks(sizes)
        self._touch({h: s for h, s in sizes.items() if h in live})
        stored = self.chunks.present(live)
        missing = [h for h in sorted(sizes) if h not in stored]
        return missing, self.store.save_plan(place.actor, place.shown, pairs, self.clock())

    def put_chunk(self, owner: str, chunk_hash: str, data: bytes) -> bool:
        """Step 2: store one chunk (422 when ``data`` does not hash to ``chunk_hash``).
        Returns False when it was already stored."""
        if not is_chunk_hash(chunk_hash):
            raise Invalid("chunk hash must be 64 lowercase hex digits")
        if len(data) > self.conf.max_chunk_bytes:
            raise TooLarge(f"chunks are at most {self.conf.max_chunk_bytes} bytes")
        if not data:
            raise Invalid("a chunk has at least one byte")
        if chunking.sha256_hex(data) != chunk_hash:
            raise ChunkMismatch(f"chunk bytes do not hash to {chunk_hash}; nothing was stored")
        self._touch({chunk_hash: len(data)})
        if self.chunks.exists(chunk_hash):
            return False
        self.chunks.put(chunk_hash, data)
        self.emitter.emit(
            "files", "chunk", actor=owner, entity=chunk_hash, attrs={"bytes": len(data)}
        )
        return True

    def put_chunks(self, owner: str, body: bytes | memoryview) -> tuple[int, int]:
        """Step 2 for several chunks in one request: ``body`` holds records of a chunk's
        SHA-256 (32 bytes), its length (4 bytes, big-endian) and its bytes. Every chunk is
        verified before any is stored (422, nothing stored, when one does not match; 400 when
        the records are malformed); the new ones go into one pack with one fsync, where a
        request per chunk cost a pack and two fsyncs each. Returns (chunks sent, stored)."""
        items = parse_chunk_records(body, self.conf.max_chunk_bytes)
        sizes = {h: len(d) for h, d in items}
        if not sizes:
            return 0, 0
        self._touch(sizes)
        have = self.chunks.present(sizes)
        writer = self.chunks.writer()
        try:
            writer.add_many((h, d) for h, d in items if h not in have)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        stored = len(writer.hashes)
        if stored:
            self.emitter.emit(
                "files",
                "chunk",
                actor=owner,
                entity=items[0][0],
                attrs={"bytes": writer.bytes, "chunks": stored},
            )
        return len(items), stored

    def commit_chunks(
        self,
        owner: str,
        path: str,
        chunk_list: Sequence[tuple[str, int]] | None,
        *,
        plan_id: str | None = None,
        if_match: str | None = None,
        if_none_match: bool = False,
        device: str = "",
        on_conflict: str = "fail",
        bytes_changed: int | None = None,
    ) -> tuple[Entry, Version]:
        """Step 3: the new version, atomically (409 naming chunks still missing). The chunk
        list is ``chunk_list``, or the one planned under ``plan_id`` (for the same path)."""
        path = names.normalize(path)
        if plan_id is not None:
            planned_path, chunk_list = self.store.load_plan(owner, plan_id)
            if planned_path != path:
                raise Invalid(f"plan {plan_id} was made for {planned_path!r}, not {path!r}")
        if chunk_list is None:
            raise Invalid("send the chunk list, or the plan_id of a plan for this path")
        pairs = self.parse_chunk_list(chunk_list)
        place = self.at(owner, path, "write")
        actor, owner, path = owner, place.tree, place.path
        previous = self.store.get(owner, path)
        before: set[str] = set()
        if previous is not None and previous.version_id:
            prev = self.store.version(previous.version_id)
            before = {h for h, _ in prev.chunks} if prev else set()
        entry, version = self._commit(
            owner, path, pairs, if_match, if_none_match, device, on_conflict, True
        )
        seen: set[str] = set()
        new_bytes = 0
        for h, s in pairs:
            if h not in before and h not in seen:
                new_bytes += s
                seen.add(h)
        self.emitter.emit(
            "files",
            "sync",
            actor=actor,
            entity=entry.id,
            attrs={
                "path": entry.path,
                "device": device,
                "bytes_total": version.size,
                "bytes_sent": new_bytes,
                "bytes_changed": bytes_changed if bytes_changed is not None else -1,
                "chunks": len(pairs),
            },
        )
        self._edited(place, entry)
        return place.out(entry), version

    def changes(self, user: str, cursor: int, limit: int = 1000) -> tuple[list[Change], int]:
        """Changes after ``cursor`` in ``user``'s own tree and the folders shared with them
        (see :mod:`services.files.feed`), and the next cursor."""
        received = self.grants.received(user) if self.grants is not None else []
        return feed.changes_for(self.store.engine, user, received, cursor, limit)

    async def wait_changes(
        self, user: str, cursor: int, wait_s: float, limit: int = 1000
    ) -> tuple[list[Change], int]:
        """As :meth:`changes`; with none yet, wait up to ``wait_s`` for one (long-poll).
        Polls the store, so a change made by any process on the same store wakes it."""
        deadline = time.monotonic() + min(wait_s, self.conf.longpoll_max_s)
        while True:
            found, cursor = await asyncio.to_thread(self.changes, user, cursor, limit)
            if found or time.monotonic() >= deadline:
                return found, cursor
            await asyncio.sleep(0.2)
