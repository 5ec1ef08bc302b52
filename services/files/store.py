"""The file store: a tree per user, versions as chunk lists, trash and quotas.

Every change to a tree is one database transaction, so no partial version is ever visible;
a commit takes its chunks' references in that same transaction (see
:mod:`services.files.refs` for how a commit and the garbage collector never both win a chunk)
and logs the change to the feed (:mod:`services.files.feed`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, NotFound, PreconditionFailed
from services.files import feed, names
from services.files.errors import InsufficientStorage
from services.files.model import Entry, Version
from services.files.refs import ChunkRefs, MissingChunks, _batches
from services.files.tables import (
    entries,
    metadata,
    quotas,
    trash,
    versions,
)

__all__ = ["FileStore", "MissingChunks", "new_id"]


def new_id() -> str:
    return uuid.uuid4().hex


def _entry(row: Any) -> Entry:
    return Entry(
        row.id, row.owner, row.path, row.kind, row.size, row.etag, row.modified, row.version_id
    )


def _version(row: Any) -> Version:
    return Version(
        row.id,
        row.file_id,
        row.owner,
        row.number,
        row.size,
        [(h, s) for h, s in json.loads(row.chunks)],
        row.created,
        row.device,
    )


def _under(path: str):
    """Rows at ``path`` or below it (no LIKE, so ``%`` and ``_`` in names are literal)."""
    prefix = path + "/"
    return or_(entries.c.path == path, func.substr(entries.c.path, 1, len(prefix)) == prefix)


class FileStore(ChunkRefs):
    """All reads and writes of the file tables; see the module docstring for atomicity."""

    def __init__(self, engine: Engine, *, default_quota: int, max_versions: int) -> None:
        self.engine = engine
        self.default_quota = default_quota
        self.max_versions = max_versions
        metadata.create_all(engine)

    # ---- reads ---------------------------------------------------------------------------
    def get(self, owner: str, path: str) -> Entry | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(entries).where(
                    entries.c.owner == owner, entries.c.path == path, entries.c.trash_id.is_(None)
                )
            ).first()
        return _entry(row) if row else None

    def children(self, owner: str, parent: str, limit: int = 10_000) -> list[Entry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(entries)
                .where(
                    entries.c.owner == owner,
                    entries.c.parent == parent,
                    entries.c.trash_id.is_(None),
                )
                .order_by(entries.c.name)
                .limit(limit)
            )
            return [_entry(r) for r in rows]

    def walk(self, owner: str, path: str) -> list[Entry]:
        """``path`` and everything below it, parents before children."""
        cond = entries.c.owner == owner
        if path:
            cond = and_(cond, _under(path))
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(entries).where(cond, entries.c.trash_id.is_(None)).order_by(entries.c.path)
            )
            return [_entry(r) for r in rows]

    def version(self, version_id: str) -> Version | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(versions).where(versions.c.id == version_id)).first()
        return _version(row) if row else None

    def versions_of(self, file_id: str) -> list[Version]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(versions)
                .where(versions.c.file_id == file_id)
                .order_by(versions.c.number.desc())
            )
            return [_version(r) for r in rows]

    def search(self, owner: str, term: str, limit: int) -> list[Entry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(entries)
                .where(
                    entries.c.owner == owner,
                    entries.c.trash_id.is_(None),
                    func.lower(entries.c.name).contains(term.lower(), autoescape=True),
                )
                .order_by(entries.c.path)
                .limit(limit)
            )
            return [_entry(r) for r in rows]

    def usage(self, owner: str) -> int:
        """Bytes a user is charged: every stored version, live or in the trash."""
        with self.engine.connect() as conn:
            return self._usage(conn, owner)

    def _usage(self, conn: Connection, owner: str) -> int:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(versions.c.size), 0)).where(versions.c.owner == owner)
            ).scalar_one()
        )

    def quota(self, owner: str) -> int:
        with self.engine.connect() as conn:
            return self._quota(conn, owner)

    def _quota(self, conn: Connection, owner: str) -> int:
        q = conn.execute(select(quotas.c.quota_bytes).where(quotas.c.owner == owner)).scalar()
        return self.default_quota if q is None else int(q)

    def set_quota(self, owner: str, quota_bytes: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(quotas).where(quotas.c.owner == owner))
            conn.execute(insert(quotas).values(owner=owner, quota_bytes=quota_bytes))

    def room(self, owner: str) -> int:
        """Bytes ``owner`` may still add before the quota."""
        with self.engine.connect() as conn:
            return self._quota(conn, owner) - self._usage(conn, owner)

    def check_quota(self, owner: str, extra: int) -> None:
        with self.engine.connect() as conn:
            self._check_quota(conn, owner, extra)

    def _check_quota(self, conn: Connection, owner: str, extra: int) -> None:
        used, quota = self._usage(conn, owner), self._quota(conn, owner)
        if used + extra > quota:
            raise InsufficientStorage(
                f"quota exceeded: {used} bytes used + {extra} new > {quota} bytes allowed"
            )

    # ---- writes --------------------------------------------------------------------------
    def _live(self, conn: Connection, owner: str, path: str) -> Any:
        return conn.execute(
            select(entries).where(
                entries.c.owner == owner, entries.c.path == path, entries.c.trash_id.is_(None)
            )
        ).first()

    def _log(self, conn: Connection, owner: str, op: str, path: str, kind: str, **kw: Any) -> None:
        feed.log(conn, owner, op, path, kind, **kw)

    def _ensure_parents(self, conn: Connection, owner: str, path: str, now: float, create: bool):
        parent = names.parent_of(path)
        missing: list[str] = []
        while parent:
            row = self._live(conn, owner, parent)
            if row is not None:
                if row.kind != "dir":
                    raise Conflict(f"{parent!r} is a file, not a folder")
                break
            missing.append(parent)
            parent = names.parent_of(parent)
        if missing and not create:
            raise Conflict(f"parent folder {missing[0]!r} does not exist")
        for p in reversed(missing):
            self._insert_dir(conn, owner, p, now)

    def _insert_dir(self, conn: Connection, owner: str, path: str, now: float) -> Entry:
        row = dict(
            id=new_id(),
            owner=owner,
            path=path,
            parent=names.parent_of(path),
            name=names.name_of(path),
            kind="dir",
            version_id=None,
            size=0,
            etag=new_id(),
            modified=now,
            trash_id=None,
        )
        conn.execute(insert(entries).values(**row))
        self._log(conn, owner, "mkdir", path, "dir", etag=row["etag"], ts=now)
        return Entry(row["id"], owner, path, "dir", 0, row["etag"], now)

    def mkdir(self, owner: str, path: str, now: float, *, parents: bool = False) -> Entry:
        """A new folder (409 when something lives at ``path`` or the parent is missing)."""
        try:
            with self.engine.begin() as conn:
                if self._live(conn, owner, path) is not None:
                    raise Conflict(f"{path!r} already exists")
                self._ensure_parents(conn, owner, path, now, parents)
                return self._insert_dir(conn, owner, path, now)
        except IntegrityError as exc:
            raise Conflict(f"{path!r} was created concurrently") from exc

    def commit(
        self,
        owner: str,
        path: str,
        chunk_list: Sequence[tuple[str, int]],
        now: float,
        *,
        if_match: str | None = None,
        if_none_match: bool = False,
        device: str = "",
        parents: bool = True,
        wrapped: dict[str, bytes] | None = None,
    ) -> tuple[Entry, Version]:
        """Make ``chunk_list`` the new version of ``path``, atomically (with ``wrapped``, the
        owner's wrapped chunk keys, kept for the chunks the owner had no row of yet).

        ``if_match`` is the ETag the caller last saw (``"*"``: the file must exist);
        ``if_none_match`` asks that nothing exist yet. Either failing is a 412. Chunks that
        are not live raise :class:`MissingChunks`; past the quota, 507. Old versions beyond
        ``max_versions`` are dropped, releasing their chunks.
        """
        size = sum(s for _, s in chunk_list)
        distinct = sorted({h for h, _ in chunk_list})
        version_id = new_id()
        try:
            with self.engine.begin() as conn:
                self._take_refs(conn, distinct)  # first statement: takes SQLite's write lock
                row = self._live(conn, owner, path)
                current = row.version_id if row is not None else None
                if row is not None and row.kind == "dir":
                    raise Conflict(f"{path!r} is a folder")
                if if_none_match and row is not None:
                    raise PreconditionFailed(f"{path!r} already exists (If-None-Match: *)")
                if if_match is not None and (
                    row is None or (if_match != "*" and if_match != row.etag)
                ):
                    have = "nothing" if row is None else f'"{row.etag}"'
                    raise PreconditionFailed(
                        f"If-Match {if_match!r} does not match the current version ({have})"
                    )
                self._check_quota(conn, owner, size)
                self._ensure_parents(conn, owner, path, now, parents)
                file_id = row.id if row is not None else new_id()
                number = 1
                if current is not None:
                    number = 1 + int(
                        conn.execute(
                            select(func.max(versions.c.number)).where(versions.c.file_id == file_id)
                        ).scalar_one()
                    )
                conn.execute(
                    insert(versions).values(
                        id=version_id,
                        file_id=file_id,
                        owner=owner,
                        number=number,
                        size=size,
                        chunks=json.dumps([[h, s] for h, s in chunk_list]),
                        created=now,
                        device=device,
                    )
                )
                values = dict(version_id=version_id, size=size, etag=version_id, modified=now)
                if row is None:
                    conn.execute(
                        insert(entries).values(
                            id=file_id,
                            owner=owner,
                            path=path,
                            parent=names.parent_of(path),
                            name=names.name_of(path),
                            kind="file",
                            trash_id=None,
                            **values,
                        )
                    )
                else:
                    res = conn.execute(
                        update(entries)
                        .where(entries.c.id == file_id, entries.c.etag == row.etag)
                        .values(**values)
                    )
                    if res.rowcount != 1:
                        raise PreconditionFailed(f"{path!r} changed concurrently")
                old = conn.execute(
                    select(versions)
                    .where(versions.c.file_id == file_id)
                    .order_by(versions.c.number.desc())
                    .offset(self.max_versions)
                ).all()
                if old:
                    self._drop_refs(conn, old, now)
                if wrapped:
                    self._keep_keys(conn, owner, wrapped)
                self._log(conn, owner, "write", path, "file", etag=version_id, ts=now)
        except IntegrityError as exc:
            raise PreconditionFailed(f"{path!r} was created concurrently") from exc
        entry = Entry(file_id, owner, path, "file", size, version_id, now, version_id)
        return entry, Version(
            version_id, file_id, owner, number, size, list(chunk_list), now, device
        )

    def trash_path(self, owner: str, path: str, now: float, *, if_match: str | None = None) -> str:
        """Move ``path`` (and all below it) to the trash; returns the trash item's id."""
        trash_id = new_id()
        with self.engine.begin() as conn:
            row = self._live(conn, owner, path)
            if row is None:
                raise NotFound(f"no file or folder {path!r}")
            if if_match is not None and if_match != "*" and if_match != row.etag:
                raise PreconditionFailed(
                    f"If-Match {if_match!r} does not match the current version"
                )
            res = conn.execute(
                update(entries)
                .where(entries.c.owner == owner, entries.c.trash_id.is_(None), _under(path))
                .values(trash_id=trash_id)
            )
            if res.rowcount == 0:
                raise NotFound(f"no file or folder {path!r}")
            conn.execute(
                insert(trash).values(
                    id=trash_id, owner=owner, path=path, kind=row.kind, trashed_at=now
                )
            )
            self._log(conn, owner, "delete", path, row.kind, ts=now)
        return trash_id

    def trash_items(self, owner: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(trash).where(trash.c.owner == owner).order_by(trash.c.trashed_at.desc())
            )
            return [
                {"id": r.id, "path": r.path, "kind": r.kind, "trashed_at": r.trashed_at}
                for r in rows
            ]

    def restore_trash(self, owner: str, trash_id: str, now: float) -> str:
        """Put a trash item back where it was (409 if that path is taken again)."""
        try:
            with self.engine.begin() as conn:
                item = conn.execute(
                    select(trash).where(trash.c.id == trash_id, trash.c.owner == owner)
                ).first()
                if item is None:
                    raise NotFound(f"no trash item {trash_id}")
                if self._live(conn, owner, item.path) is not None:
                    raise Conflict(f"{item.path!r} exists again; move it away to restore")
                self._ensure_parents(conn, owner, item.path, now, True)
                conn.execute(
                    update(entries).where(entries.c.trash_id == trash_id).values(trash_id=None)
                )
                conn.execute(delete(trash).where(trash.c.id == trash_id))
                self._log(conn, owner, "restore", item.path, item.kind, ts=now)
                return item.path
        except IntegrityError as exc:
            raise Conflict("the restored tree clashes with current files") from exc

    def purge_trash(self, owner: str, now: float, trash_id: str | None = None) -> int:
        """Delete trash items for good (one, or all of ``owner``'s), releasing their chunks."""
        with self.engine.begin() as conn:
            cond = trash.c.owner == owner
            if trash_id is not None:
                cond = and_(cond, trash.c.id == trash_id)
            ids = list(conn.execute(select(trash.c.id).where(cond)).scalars())
            if trash_id is not None and not ids:
                raise NotFound(f"no trash item {trash_id}")
            for tid in ids:
                file_ids = list(
                    conn.execute(
                        select(entries.c.id).where(
                            entries.c.trash_id == tid, entries.c.kind == "file"
                        )
                    ).scalars()
                )
                for batch in _batches(file_ids):
                    rows = conn.execute(select(versions).where(versions.c.file_id.in_(batch))).all()
                    self._drop_refs(conn, rows, now)
                conn.execute(delete(entries).where(entries.c.trash_id == tid))
                conn.execute(delete(trash).where(trash.c.id == tid))
        return len(ids)

    def move(self, owner: str, src: str, dst: str, now: float, *, overwrite: bool = False) -> Entry:
        """Rename ``src`` (and all below it) to ``dst``. An existing ``dst`` goes to the trash
        when ``overwrite``, else 412; a missing parent of ``dst`` is 409."""
        if dst == src or dst.startswith(src + "/"):
            raise Conflict("cannot move a folder into itself")
        with self.engine.begin() as conn:
            row = self._live(conn, owner, src)
            if row is None:
                raise NotFound(f"no file or folder {src!r}")
            self._ensure_parents(conn, owner, dst, now, False)
            if self._live(conn, owner, dst) is not None:
                if not overwrite:
                    raise PreconditionFailed(f"{dst!r} exists")
                self._trash_in(conn, owner, dst, now)
            moved = conn.execute(
                select(entries.c.id, entries.c.path).where(
                    entries.c.owner == owner, entries.c.trash_id.is_(None), _under(src)
                )
            ).all()
            for r in moved:
                new_path = dst + r.path[len(src) :]
                conn.execute(
                    update(entries)
                    .where(entries.c.id == r.id)
                    .values(
                        path=new_path,
                        parent=names.parent_of(new_path),
                        name=names.name_of(new_path),
                        modified=now if r.path == src else entries.c.modified,
                    )
                )
            self._log(conn, owner, "move", src, row.kind, dest=dst, etag=row.etag, ts=now)
            moved_row = self._live(conn, owner, dst)
        return _entry(moved_row)

    def _trash_in(self, conn: Connection, owner: str, path: str, now: float) -> None:
        row = self._live(conn, owner, path)
        trash_id = new_id()
        conn.execute(
            update(entries)
            .where(entries.c.owner == owner, entries.c.trash_id.is_(None), _under(path))
            .values(trash_id=trash_id)
        )
        conn.execute(
            insert(trash).values(id=trash_id, owner=owner, path=path, kind=row.kind, trashed_at=now)
        )
        self._log(conn, owner, "delete", path, row.kind, ts=now)

    def copy(self, owner: str, src: str, dst: str, now: float, *, overwrite: bool = False) -> Entry:
        """Copy ``src`` (and all below it) to ``dst``: new entries and versions that share
        the source's chunks (their counts go up; no byte is copied)."""
        if dst == src or dst.startswith(src + "/"):
            raise Conflict("cannot copy a folder into itself")
        with self.engine.begin() as conn:
            if self._live(conn, owner, src) is None:
                raise NotFound(f"no file or folder {src!r}")
            self._ensure_parents(conn, owner, dst, now, False)
            if self._live(conn, owner, dst) is not None:
                if not overwrite:
                    raise PreconditionFailed(f"{dst!r} exists")
                self._trash_in(conn, owner, dst, now)
            rows = conn.execute(
                select(entries)
                .where(entries.c.owner == owner, entries.c.trash_id.is_(None), _under(src))
                .order_by(entries.c.path)
            ).all()
            for r in rows:
                new_path = dst + r.path[len(src) :]
                if r.kind == "dir":
                    self._insert_dir(conn, owner, new_path, now)
                    continue
                v = conn.execute(select(versions).where(versions.c.id == r.version_id)).first()
                hashes = sorted({h for h, _ in json.loads(v.chunks)})
                self._take_refs(conn, hashes)
                fid, vid = new_id(), new_id()
                conn.execute(
                    insert(versions).values(
                        id=vid,
                        file_id=fid,
                        owner=owner,
                        number=1,
                        size=v.size,
                        chunks=v.chunks,
                        created=now,
                        device=v.device,
                    )
                )
                conn.execute(
                    insert(entries).values(
                        id=fid,
                        owner=owner,
                        path=new_path,
                        parent=names.parent_of(new_path),
                        name=names.name_of(new_path),
                        kind="file",
                        version_id=vid,
                        size=v.size,
                        etag=vid,
                        modified=now,
                        trash_id=None,
                    )
                )
                self._log(conn, owner, "write", new_path, "file", etag=vid, ts=now)
            self._check_quota(conn, owner, 0)
            return _entry(self._live(conn, owner, dst))
