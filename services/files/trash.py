"""The trash of the file store: deleted trees kept whole until restored or purged.

A trashed tree keeps its entries, marked with the trash item's id, so a restore is one
update and a purge releases the chunks of every version below it.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, NotFound, PreconditionFailed
from services.files.refs import _batches
from services.files.tables import entries, new_id, trash, under, versions


class Trash:
    """Trash operations of ``FileStore`` (which provides ``engine``, ``_live``, ``_log``,
    ``_ensure_parents`` and, through ``ChunkRefs``, ``_drop_refs``)."""

    def trash_path(self, owner: str, path: str, now: float, *, if_match: str | None = None) -> str:
        """Move ``path`` (and all below it) to the trash; returns the trash item's id."""
        with self.engine.begin() as conn:
            row = self._live(conn, owner, path)
            if row is None:
                raise NotFound(f"no file or folder {path!r}")
            if if_match is not None and if_match != "*" and if_match != row.etag:
                raise PreconditionFailed(
                    f"If-Match {if_match!r} does not match the current version"
                )
            return self._trash_in(conn, owner, path, now)

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

    def _trash_in(self, conn: Connection, owner: str, path: str, now: float) -> str:
        """Move the live ``path`` (and all below it) to the trash; the trash item's id."""
        row = self._live(conn, owner, path)
        trash_id = new_id()
        conn.execute(
            update(entries)
            .where(entries.c.owner == owner, entries.c.trash_id.is_(None), under(path))
            .values(trash_id=trash_id)
        )
        conn.execute(
            insert(trash).values(id=trash_id, owner=owner, path=path, kind=row.kind, trashed_at=now)
        )
        self._log(conn, owner, "delete", path, row.kind, ts=now)
        return trash_id
