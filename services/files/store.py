"""The file store: a tree per user, versions as chunk lists, trash and quotas.

Every change to a tree is one database transaction, so no partial version is ever visible;
a commit takes its chunks' references in that same transaction (see
:mod:`services.files.refs` for how a commit and the garbage collector never both win a chunk)
and logs the change to the feed (:mod:`services.files.feed`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, NotFound, PreconditionFailed
from services.files import feed, names
from services.files.errors import InsufficientStorage
from services.files.model import Entry, Version
from services.files.refs import ChunkRefs, MissingChunks
from services.files.tables import entries, metadata, new_id, quotas, under, versions
from services.files.trash import Trash

__all__ = ["FileStore", "MissingChunks", "new_id"]


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


class FileStore(Trash, ChunkRefs):
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
            cond = and_(cond, under(path))
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
                    entries.c.owner == owner, entries.c.trash_id.is_(None), under(src)
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
                .where(entries.c.owner == owner, entries.c.trash_id.is_(None), under(src))
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
