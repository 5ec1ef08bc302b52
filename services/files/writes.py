"""Writing files, the part of :class:`~services.files.service.FilesService` that stores
bytes: whole files and request bodies are chunked, hashed, deduplicated, sealed and written
as they arrive, then committed as one new version (If-Match, conflict copies, quota).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.errors import Invalid, PreconditionFailed, TooLarge, Unavailable
from services.files import chunking, names
from services.files.chunkstore import ChunkStore, ChunkWriter
from services.files.model import Entry, Version
from services.files.settings import FilesSettings
from services.files.store import FileStore, MissingChunks
from warehouse.emitter import Emitter

CONFLICT_POLICIES = ("fail", "copy")
#: Bytes read at a time from a local file being stored.
READ_BYTES = 4 * 1024 * 1024
#: An upload is chunked in batches of this many bytes (one metadata round per batch: 8 MiB
#: cost about a tenth more CPU than 16) ...
UPLOAD_BATCH_BYTES = 16 * 1024 * 1024
#: ... of which this many may wait to be stored by the sealing thread. Meanwhile one more is
#: hashed and the next filled and chunked, in SEAL_DEPTH + 2 buffers used in turn, so the
#: chunker never writes over a batch still waiting.
SEAL_DEPTH = 2
#: Uploads of at least this many bytes are chunked and hashed in a child process, off this
#: process's GIL (:mod:`services.files.cdc_process`); smaller ones cost less in process.
CHILD_MIN_BYTES = 64 * 1024 * 1024


def _read_pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while piece := fh.read(READ_BYTES):
            yield piece


class FileWrites:
    """Mixed into the file service, whose store, chunks, checks and hooks it uses."""

    store: FileStore
    chunks: ChunkStore
    emitter: Emitter
    conf: FilesSettings
    clock: Callable[[], float]
    at: Any
    _edited: Any

    # ---- writing -------------------------------------------------------------------------
    def put_file(
        self,
        owner: str,
        path: str,
        data: bytes | Path,
        *,
        if_match: str | None = None,
        if_none_match: bool = False,
        device: str = "",
        on_conflict: str = "fail",
        parents: bool = True,
    ) -> Entry:
        """Store ``data`` (bytes, or a local file to read) as a new version of ``path``.

        ``if_match``: the ETag the writer based its change on (412 if another version landed
        since), ``"*"`` for "must exist"; ``if_none_match``: "must not exist". With
        ``on_conflict="copy"`` a lost If-Match race writes ``name (conflict <device> <time>)``
        instead and returns that entry. 507 past the quota, before any chunk is stored.
        """
        if isinstance(data, Path):
            size = data.stat().st_size
            pieces: Iterable[bytes | list[bytes]] = _read_pieces(data)
        else:
            size = len(data)
            pieces = [data]
        return self.put_stream(
            owner,
            path,
            pieces,
            size=size,
            if_match=if_match,
            if_none_match=if_none_match,
            device=device,
            on_conflict=on_conflict,
            parents=parents,
        )

    def put_stream(
        self,
        owner: str,
        path: str,
        pieces: Iterable[bytes | list[bytes]],
        *,
        size: int | None = None,
        if_match: str | None = None,
        if_none_match: bool = False,
        device: str = "",
        on_conflict: str = "fail",
        parents: bool = True,
    ) -> Entry:
        """As :meth:`put_file`, for bytes that arrive in ``pieces`` (a request body): chunked,
        hashed, deduplicated and sealed as they come, new chunks appended to one pack that is
        fsynced once before the version commits. ``size``, when known, is checked against the
        limits and the quota before the first byte is read; unknown, the running total is.
        If the stream fails or the commit is refused, nothing the upload wrote is visible."""
        place = self.at(owner, path, "write")
        actor, owner, path = owner, place.tree, place.path
        limit = self.conf.max_upload_bytes
        if size is not None:
            if size > limit:
                raise TooLarge(f"{size} bytes is over the {limit}-byte limit")
            self.store.check_quota(owner, size)
        room = None if size is not None else self.store.room(owner)
        writer = self.chunks.writer()
        pairs: list[tuple[str, int]] = []
        wrapped: dict[str, bytes] = {}  # the owner's chunk keys, wrapped as batches are stored
        total = 0
        # Each batch is looked up, and its new chunks sealed and written, on a thread of its
        # own while this one chunks and hashes the next; at most SEAL_DEPTH batches wait.
        sealing: deque[Future] = deque()
        sealer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="files-seal")
        avg = self.conf.avg_chunk_bytes
        shape = {"buffer_bytes": UPLOAD_BATCH_BYTES, "buffers": SEAL_DEPTH + 2}
        big = size is not None and size >= CHILD_MIN_BYTES
        chunker = chunking.child_chunker(avg, **shape) if big else contextlib.nullcontext()
        # The child is given back only once the sealing thread has let go of its buffers.
        with chunker as child:
            try:
                batches = chunking.stream_chunks(pieces, avg, **shape, child=child)
                for batch in batches:
                    total += sum(len(d) for _, d in batch)
                    if size is None and total > limit:
                        raise TooLarge(f"uploads are at most {limit} bytes")
                    if room is not None and total > room:
                        self.store.check_quota(owner, total)  # 507 with the numbers
                    pairs += [(h, len(d)) for h, d in batch]
                    sealing.append(sealer.submit(self._store_batch, writer, batch, owner, wrapped))
                    while sealing and (len(sealing) > SEAL_DEPTH or sealing[0].done()):
                        sealing.popleft().result()
                while sealing:
                    sealing.popleft().result()
                if size is not None and total != size:
                    raise Invalid(f"the body has {total} bytes, not the {size} announced")
                writer.commit()
            except BaseException:
                sealer.shutdown(wait=True, cancel_futures=True)  # nothing writes while it aborts
                writer.abort()
                raise
            finally:
                sealer.shutdown(wait=True)
        entry, _version = self._commit(
            owner,
            path,
            pairs,
            if_match,
            if_none_match,
            device,
            on_conflict,
            parents,
            present=True,
            wrapped=wrapped,
        )
        self.emitter.emit(
            "files",
            "upload",
            actor=actor,
            entity=entry.id,
            attrs={
                "path": entry.path,
                "bytes": total,
                "stored_bytes": writer.bytes,
                "chunks": len(pairs),
            },
        )
        self._edited(place, entry)
        return place.out(entry)

    def _store_batch(
        self,
        writer: ChunkWriter,
        batch: list[tuple[str, memoryview]],
        owner: str,
        wrapped: dict[str, bytes],
    ) -> None:
        """Lease a batch's chunks (so the collector keeps those already stored), then seal and
        write the ones neither stored nor already in this upload; wrap their keys for
        ``owner`` into ``wrapped`` meanwhile, so the commit after the last byte does not."""
        sizes = {h: len(d) for h, d in batch}
        wrapped.update(self.chunks.wrap_keys(owner, (h for h in sizes if h not in wrapped)))
        self._touch(sizes)
        keys = self.chunks.blob_keys(h for h in sizes if h not in writer)
        have = self.chunks.present(keys, keys)
        writer.add_many(((h, d) for h, d in batch if h not in have), keys)

    def _touch(self, sizes: dict[str, int]) -> None:
        busy = self.store.touch_chunks(sizes, self.clock())
        if busy:
            raise Unavailable(
                f"{len(busy)} chunk(s) are being garbage-collected; retry in a second",
                headers={"Retry-After": "1"},
            )

    def _commit(
        self,
        owner: str,
        path: str,
        pairs: list[tuple[str, int]],
        if_match: str | None,
        if_none_match: bool,
        device: str,
        on_conflict: str,
        parents: bool,
        present: bool = False,
        wrapped: dict[str, bytes] | None = None,
    ) -> tuple[Entry, Version]:
        """Commit ``pairs``; ``present``: this call just stored or found every chunk itself
        (so their blobs are not looked up again; the commit still takes each reference only
        on a live row). ``wrapped``: the owner's wrapped keys of ``pairs``, when the caller
        wrapped them already."""
        if on_conflict not in CONFLICT_POLICIES:
            raise Invalid(f"on_conflict must be one of {CONFLICT_POLICIES}")
        if not present:
            wanted = {h for h, _ in pairs}
            absent = sorted(wanted - self.chunks.present(wanted))
            if absent:
                raise MissingChunks(absent)
        now = self.clock()
        if wrapped is None:
            wrapped = self.chunks.wrap_keys(owner, {h for h, _ in pairs})
        try:
            return self.store.commit(
                owner,
                path,
                pairs,
                now,
                if_match=if_match,
                if_none_match=if_none_match,
                device=device,
                parents=parents,
                wrapped=wrapped,
            )
        except PreconditionFailed:
            if on_conflict != "copy" or (if_match is None and not if_none_match):
                raise
            same = self._current_if_same(owner, path, pairs)
            if same is not None:
                return same  # the content is already there: no conflict to keep
        when = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H%M%S")
        copy_path = names.conflict_name(path, device or "unknown", when)
        entry, version = self.store.commit(
            owner,
            copy_path,
            pairs,
            now,
            if_none_match=True,
            device=device,
            parents=True,
            wrapped=wrapped,
        )
        self.emitter.emit(
            "files",
            "conflict_copy",
            actor=owner,
            entity=entry.id,
            attrs={"path": path, "copy": copy_path, "device": device},
        )
        return entry, version

    def _current_if_same(
        self, owner: str, path: str, pairs: list[tuple[str, int]]
    ) -> tuple[Entry, Version] | None:
        """The current entry and version of ``path`` when they hold exactly ``pairs`` (a sync
        client that lost the answer to its commit, or found the same file on both sides)."""
        entry = self.store.get(owner, path)
        if entry is None or entry.version_id is None:
            return None
        version = self.store.version(entry.version_id)
        if version is None or [tuple(p) for p in version.chunks] != [tuple(p) for p in pairs]:
            return None
        return entry, version
