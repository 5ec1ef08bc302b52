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
(reference counted; see :mod:`services.files.gc`), and every write is one atomic commit
(the write path is :mod:`services.files.writes`).
Errors are :mod:`services.errors` domain errors (404, 409, 412, 422, 507 ...).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from services.errors import Forbidden, Invalid, NotFound
from services.files import names
from services.files.chunkstore import ChunkStore
from services.files.delta import DeltaSync
from services.files.errors import RangeNotSatisfiable
from services.files.gc import GcReport, collect
from services.files.grants import MOUNT, GrantBook, Place, locate
from services.files.model import Entry, Version
from services.files.settings import FilesSettings
from services.files.store import FileStore
from services.files.writes import FileWrites
from warehouse.emitter import Emitter


class FilesService(FileWrites, DeltaSync):
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
