"""The file service: per-user trees of files and folders, versions, trash, delta sync.

This is the API other systems use (messaging sends attachments through it). Every method
takes the acting user's id as ``owner`` and resolves each path through
:func:`services.files.grants.locate`: a path is in that user's own tree, or under the mount
point ``shared/<owner>/<folder>`` of a folder another user granted them (viewer or editor), so
an owner or role check cannot be forgotten on a route; another user's file without a grant is
404. ::

    svc = services.compose.build_service(settings, emitter, "files")
    entry = svc.put_file("alice", "chat/photo.jpg", data)           # a new version
    entry = svc.put_file("alice", "chat/photo.jpg", data2, if_match=entry.etag)  # or 412
    meta, body = svc.open_file("alice", "chat/photo.jpg")           # 404 for anyone else's
    data = b"".join(body)

Writes are chunked (FastCDC), each chunk stored once however many users and versions hold it
(reference counted; see :mod:`services.files.gc`), and every write is one atomic commit.
Errors are :mod:`services.errors` domain errors (404, 409, 412, 422, 507 ...).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.errors import (
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    TooLarge,
    Unavailable,
)
from services.files import chunking, names
from services.files.chunkstore import ChunkStore, ChunkWriter
from services.files.delta import DeltaSync
from services.files.errors import RangeNotSatisfiable
from services.files.gc import GcReport, collect
from services.files.grants import MOUNT, GrantBook, Place, locate
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
#: ... of which this many may wait to be stored by the sealing thread. The chunker fills the
#: next of SEAL_DEPTH + 1 buffers meanwhile, so it never writes over a batch still waiting.
SEAL_DEPTH = 2


def _read_pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while piece := fh.read(READ_BYTES):
            yield piece


class FilesService(DeltaSync):
    """See the module docstring. ``clock`` is "now" for versions, leases and the collector."""

    def __init__(
        self,
        store: FileStore,
        chunks: ChunkStore,
        emitter: Emitter,
        conf: FilesSettings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.chunks = chunks
        self.emitter = emitter
        self.conf = conf
        self.clock = clock
        self.uploads: Any = None  # the tus desk, attached by the composition root
        self.sharing: Any = None  # share links, attached by the composition root
        self.grants: GrantBook | None = None  # per-folder roles, attached by the root
        self.granting: Any = None  # grants and their notices, attached by the root
        self.on_edit: Callable[[Place, Entry], None] | None = None  # notifies grantees

    def close(self) -> None:
        self.store.engine.dispose()

    def at(self, actor: str, path: str, action: str, *, allow_root: bool = False) -> Place:
        """Where ``path`` as ``actor`` names it lives, checked for ``action`` (read, write):
        403 for a viewer's write, 404 for another user's path no grant covers."""
        path = names.normalize(path, allow_root=allow_root)
        shared = path.split("/")[0] == MOUNT
        received = self.grants.received(actor) if shared and self.grants else []
        return locate(actor, path, received).need(action)

    def check_write(self, actor: str, path: str, size: int) -> Place:
        """Before an upload's bytes arrive: may ``actor`` write ``path``, and does ``size``
        fit the quota of the tree it lands in (403/404, 507)?"""
        place = self.at(actor, path, "write")
        self.store.check_quota(place.tree, size)
        return place

    def _edited(self, place: Place, entry: Entry) -> None:
        if self.on_edit is not None:
            self.on_edit(place, entry)

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
        total = 0
        # Each batch is looked up, and its new chunks sealed and written, on a thread of its
        # own while this one chunks and hashes the next; at most SEAL_DEPTH batches wait.
        sealing: deque[Future] = deque()
        sealer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="files-seal")
        try:
            batches = chunking.stream_chunks(
                pieces,
                self.conf.avg_chunk_bytes,
                buffer_bytes=UPLOAD_BATCH_BYTES,
                buffers=SEAL_DEPTH + 1,
            )
            for batch in batches:
                total += sum(len(d) for _, d in batch)
                if size is None and total > limit:
                    raise TooLarge(f"uploads are at most {limit} bytes")
                if room is not None and total > room:
                    self.store.check_quota(owner, total)  # 507 with the numbers
                pairs += [(h, len(d)) for h, d in batch]
                sealing.append(sealer.submit(self._store_batch, writer, batch))
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
            owner, path, pairs, if_match, if_none_match, device, on_conflict, parents, present=True
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

    def _store_batch(self, writer: ChunkWriter, batch: list[tuple[str, memoryview]]) -> None:
        """Lease a batch's chunks (so the collector keeps those already stored), then seal and
        write the ones neither stored nor already in this upload."""
        sizes = {h: len(d) for h, d in batch}
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
    ) -> tuple[Entry, Version]:
        """Commit ``pairs``; ``present``: this call just stored or found every chunk itself
        (so their blobs are not looked up again; the commit still takes each reference only
        on a live row)."""
        if on_conflict not in CONFLICT_POLICIES:
            raise Invalid(f"on_conflict must be one of {CONFLICT_POLICIES}")
        if not present:
            wanted = {h for h, _ in pairs}
            absent = sorted(wanted - self.chunks.present(wanted))
            if absent:
                raise MissingChunks(absent)
        now = self.clock()
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

    def mkdir(self, owner: str, path: str, *, parents: bool = False) -> Entry:
        place = self.at(owner, path, "write")
        entry = self.store.mkdir(place.tree, place.path, self.clock(), parents=parents)
        self.emitter.emit(
            "files", "mkdir", actor=owner, entity=entry.id, attrs={"path": entry.path}
        )
        return place.out(entry)

    def delete(self, owner: str, path: str, *, if_match: str | None = None) -> str:
        """Move a file or folder to the trash; returns the trash item id."""
        place = self._not_root(self.at(owner, path, "write"), "delete")
        path = place.path
        trash_id = self.store.trash_path(place.tree, path, self.clock(), if_match=if_match)
        self.emitter.emit("files", "delete", actor=owner, entity=trash_id, attrs={"path": path})
        return trash_id

    @staticmethod
    def _not_root(place: Place, what: str) -> Place:
        if place.is_root:
            raise Forbidden(f"only the owner may {what} a folder they shared")
        return place

    def _pair(self, owner: str, src: str, dst: str, src_action: str) -> tuple[Place, Place]:
        """Source and destination of a move or copy, in one tree (403 across trees)."""
        a = self.at(owner, src, src_action)
        if src_action == "write":
            self._not_root(a, "move")
        b = self.at(owner, dst, "write")
        if a.tree != b.tree:
            raise Forbidden("moves and copies stay within one owner's tree; download and upload")
        return a, b

    def move(self, owner: str, src: str, dst: str, *, overwrite: bool = False) -> Entry:
        a, b = self._pair(owner, src, dst, "write")
        src, dst = a.path, b.path
        entry = self.store.move(a.tree, src, dst, self.clock(), overwrite=overwrite)
        if self.grants is not None:
            self.grants.moved(a.tree, src, dst, self.clock())
        self.emitter.emit(
            "files", "move", actor=owner, entity=entry.id, attrs={"path": src, "dest": dst}
        )
        return b.out(entry)

    def copy(self, owner: str, src: str, dst: str, *, overwrite: bool = False) -> Entry:
        a, b = self._pair(owner, src, dst, "read")
        src, dst = a.path, b.path
        entry = self.store.copy(a.tree, src, dst, self.clock(), overwrite=overwrite)
        self.emitter.emit(
            "files", "copy", actor=owner, entity=entry.id, attrs={"path": src, "dest": dst}
        )
        return b.out(entry)

    # ---- reading -------------------------------------------------------------------------
    def stat(self, owner: str, path: str) -> Entry:
        """The entry at ``path`` (``""``: the root folder); 404 when there is none."""
        place = self.at(owner, path, "read", allow_root=True)
        return place.out(self._stat(place))

    def _stat(self, place: Place) -> Entry:
        if place.path == "" or place.virtual is not None:
            return Entry("root", place.tree, place.shown, "dir", 0, "root", 0.0)
        entry = self.store.get(place.tree, place.path)
        if entry is None:
            raise NotFound(f"no file or folder {place.shown!r}")
        return entry

    def listdir(self, owner: str, path: str = "") -> list[Entry]:
        place = self.at(owner, path, "read", allow_root=True)
        if place.virtual is not None:
            return [
                Entry("shared", owner, names.join(place.shown, n), "dir", 0, "shared", 0.0)
                for n in place.virtual
            ]
        entry = self._stat(place)
        if entry.kind != "dir":
            raise Invalid(f"{path!r} is a file, not a folder")
        found = [place.out(e) for e in self.store.children(place.tree, entry.path)]
        if place.path == "" and self.grants is not None and self.grants.received(owner):
            found = [e for e in found if e.path != MOUNT]
            found.append(Entry("shared", owner, MOUNT, "dir", 0, "shared", 0.0))
            found.sort(key=lambda e: e.path)
        return found

    def walk(self, owner: str, path: str = "") -> list[Entry]:
        """Every entry under ``path`` (the own tree, or one shared folder: the mount point
        itself is not walked, so a sync client does not pull other users' folders)."""
        place = self.at(owner, path, "read", allow_root=True)
        if place.virtual is not None:
            return []
        return [place.out(e) for e in self.store.walk(place.tree, place.path)]

    def search(self, owner: str, term: str, limit: int = 100) -> list[Entry]:
        """Names containing ``term``: the user's own tree, then the folders shared with them
        (shown under their mount point)."""
        term = term.strip()
        if not term:
            return []
        found = self.store.search(owner, term, limit)
        received = self.grants.received(owner) if self.grants is not None else []
        by_owner: dict[str, list] = {}
        for g in received:
            by_owner.setdefault(g.owner, []).append(g)
        for tree, gs in by_owner.items():
            if len(found) >= limit:
                break
            for e in self.store.search(tree, term, 10 * limit):
                covering = [g for g in gs if g.covers(e.path)]
                if covering:
                    grant = max(covering, key=lambda g: len(g.path))
                    found.append(Place(owner, tree, e.path, grant.role, grant=grant).out(e))
        return found[:limit]

    def version_of(self, entry: Entry, number: int | None = None) -> Version:
        if entry.kind != "file" or entry.version_id is None:
            raise Invalid(f"{entry.path!r} is a folder")
        if number is None:
            version = self.store.version(entry.version_id)
        else:
            version = next(
                (v for v in self.store.versions_of(entry.id) if v.number == number), None
            )
        if version is None:
            raise NotFound(f"{entry.path!r} has no version {number}")
        return version

    def open_file(
        self,
        owner: str,
        path: str,
        start: int = 0,
        end: int | None = None,
        *,
        version: int | None = None,
    ) -> tuple[Entry, Iterator[bytes]]:
        """The entry and an iterator over bytes ``[start, end)`` of its current version (or
        of version ``version``); 416 for a start past the end. Every chunk read is verified
        against its hash."""
        place = self.at(owner, path, "read")
        entry = self._stat(place)
        ver = self.version_of(entry, version)
        entry = place.out(entry)
        self.emitter.emit(
            "files",
            "download",
            actor=owner,
            entity=entry.id,
            attrs={"path": entry.path, "bytes": (end or ver.size) - start},
        )
        return entry, self.read_version(ver, start, end)

    def read_version(self, ver: Version, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        end = ver.size if end is None else min(end, ver.size)
        if start < 0 or (start >= ver.size and ver.size > 0) or start > end:
            raise RangeNotSatisfiable(
                f"range starts at {start}, the file has {ver.size} bytes",
                headers={"Content-Range": f"bytes */{ver.size}"},
            )
        return self._iter(ver, start, end)

    def chunk_keys(self, ver: Version) -> dict[str, bytes]:
        """The wrapped keys of ``ver``'s chunks, from its owner's references."""
        return self.store.chunk_keys(ver.owner, (h for h, _ in ver.chunks))

    def _iter(self, ver: Version, start: int, end: int) -> Iterator[bytes]:
        keys = self.chunk_keys(ver)
        pos = 0
        for h, size in ver.chunks:
            if pos >= end:
                return
            if pos + size > start:
                data = self.chunks.get(h, owner=ver.owner, wrapped=keys.get(h))
                yield data[max(start - pos, 0) : min(end - pos, size)]
            pos += size

    # ---- versions and trash --------------------------------------------------------------
    def versions(self, owner: str, path: str) -> list[Version]:
        entry = self.stat(owner, path)
        if entry.kind != "file":
            raise Invalid(f"{entry.path!r} is a folder")
        return self.store.versions_of(entry.id)

    def restore_version(self, owner: str, path: str, number: int) -> Entry:
        """A new version with the content of version ``number`` (history is never rewritten)."""
        place = self.at(owner, path, "write")
        entry = self._stat(place)
        old = self.version_of(entry, number)
        wrapped = self.chunks.wrap_keys(place.tree, {h for h, _ in old.chunks})
        new, _ = self.store.commit(
            place.tree, entry.path, old.chunks, self.clock(), device="restore", wrapped=wrapped
        )
        self.emitter.emit(
            "files", "restore_version", actor=owner, entity=new.id, attrs={"path": new.path}
        )
        self._edited(place, new)
        return place.out(new)

    def trash(self, owner: str) -> list[dict]:
        return self.store.trash_items(owner)

    def restore_trash(self, owner: str, trash_id: str) -> str:
        path = self.store.restore_trash(owner, trash_id, self.clock())
        self.emitter.emit("files", "restore_trash", actor=owner, entity=trash_id)
        return path

    def purge_trash(self, owner: str, trash_id: str | None = None) -> int:
        return self.store.purge_trash(owner, self.clock(), trash_id)

    # ---- housekeeping --------------------------------------------------------------------
    def usage(self, owner: str) -> dict:
        return {"used_bytes": self.store.usage(owner), "quota_bytes": self.store.quota(owner)}

    def collect_garbage(self, fault: Callable[[str], None] | None = None) -> GcReport:
        now = self.clock()
        self.store.forget_plans(now - self.conf.gc_grace_s)
        report = collect(self.store, self.chunks, now, self.conf.gc_grace_s, fault=fault)
        attrs = {**report.public(), **(report.packs or {})}
        self.emitter.emit("files", "gc", actor="system", entity="chunks", attrs=attrs)
        return report
