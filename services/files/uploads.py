"""Resumable uploads into a user's tree, over the shared tus routes (:mod:`services.tus`).

Creation names the destination in ``Upload-Metadata``: ``path`` (required), and optionally
``if_match`` (the ETag the new version replaces), ``device`` and ``on_conflict`` (``copy`` for
a conflict copy instead of a 412). The quota is checked at creation, before any byte is kept
(507). Bytes stream to ``<data_dir>/files/uploads/<id>.part`` and are fsynced before the
offset moves in the database, so after a crash (even ``kill -9``) ``HEAD`` reports an offset
whose bytes are all on disk and the client resumes from there. The last byte chunks the part
file and commits it as one version, then the part file goes.

An upload belongs to its creator: anyone else (admins aside) gets the 404 of an unknown upload.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from services.errors import Conflict, Invalid, NotFound, TooLarge
from services.files import names
from services.files.service import FilesService
from services.files.store import new_id
from services.files.tables import uploads
from services.files.writes import CONFLICT_POLICIES
from services.tus.partfile import write_at
from services.tus.protocol import tus_error, tus_headers

_UPLOAD_ID_CHARS = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class FileUpload:
    id: str
    owner: str
    path: str
    length: int
    offset: int
    status: str
    if_match: str | None
    device: str = ""
    on_conflict: str = "fail"


class FileUploads:
    """The tus upload desk of the file service (see the module docstring)."""

    def __init__(self, svc: FilesService, part_dir: Path) -> None:
        self.svc = svc
        self.engine = svc.store.engine
        self.part_dir = part_dir
        self.max_bytes = svc.conf.max_upload_bytes
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def part(self, upload_id: str) -> Path:
        return self.part_dir / f"{upload_id}.part"

    def create(self, user_id: str, length: int, meta: dict[str, str]) -> FileUpload:
        try:
            path = names.normalize(meta.get("path", ""))
        except Exception as exc:
            exc.headers.update(tus_headers())  # type: ignore[attr-defined]
            raise
        on_conflict = meta.get("on_conflict", "fail")
        if on_conflict not in CONFLICT_POLICIES:
            raise tus_error(Invalid, f"on_conflict must be one of {CONFLICT_POLICIES}")
        if length > self.max_bytes:
            raise tus_error(TooLarge, f"upload of {length} bytes is over {self.max_bytes}")
        try:
            self.svc.check_write(user_id, path, length)
        except Exception as exc:
            exc.headers.update(tus_headers())  # type: ignore[attr-defined]
            raise
        device = meta.get("device", "")[:64]
        up = FileUpload(
            new_id(),
            user_id,
            path,
            length,
            0,
            "receiving",
            meta.get("if_match"),
            device,
            on_conflict,
        )
        self.part_dir.mkdir(parents=True, exist_ok=True)
        self.part(up.id).touch()
        with self.engine.begin() as conn:
            conn.execute(
                insert(uploads).values(
                    id=up.id,
                    owner=user_id,
                    path=path,
                    device=device,
                    on_conflict=on_conflict,
                    length=length,
                    offset=0,
                    status="receiving",
                    if_match=up.if_match,
                    created=self.svc.clock(),
                )
            )
        self.svc.emitter.emit(
            "files", "upload_created", actor=user_id, entity=up.id, attrs={"length": length}
        )
        if length == 0:
            self._complete(up)
        return up

    def status(self, upload_id: str, user_id: str, is_admin: bool = False) -> FileUpload:
        if not (len(upload_id) == 32 and set(upload_id) <= _UPLOAD_ID_CHARS):
            raise tus_error(NotFound, "no such upload")
        with self.engine.connect() as conn:
            row = conn.execute(select(uploads).where(uploads.c.id == upload_id)).first()
        if row is None or (row.owner != user_id and not is_admin):
            raise tus_error(NotFound, "no such upload")
        return FileUpload(
            row.id,
            row.owner,
            row.path,
            row.length,
            row.offset,
            row.status,
            row.if_match,
            row.device,
            row.on_conflict,
        )

    async def append(
        self,
        upload_id: str,
        offset: int,
        chunks: AsyncIterable[bytes],
        user_id: str,
        is_admin: bool = False,
    ) -> int:
        self.status(upload_id, user_id, is_admin)
        async with self._locks.setdefault(upload_id, asyncio.Lock()):
            up = self.status(upload_id, user_id, is_admin)
            if up.status != "receiving" or offset != up.offset:
                raise tus_error(
                    Conflict,
                    f"Upload-Offset {offset} does not match the server's {up.offset}",
                    **{"Upload-Offset": str(up.offset)},
                )
            written = await write_at(self.part(upload_id), offset, up.length, chunks)
            with self.engine.begin() as conn:
                res = conn.execute(
                    update(uploads)
                    .where(uploads.c.id == upload_id, uploads.c.offset == offset)
                    .values(offset=offset + written)
                )
            if res.rowcount != 1:
                raise tus_error(Conflict, "upload moved concurrently")
            if offset + written == up.length:
                await asyncio.to_thread(self._complete, up)
        return offset + written

    def _complete(self, up: FileUpload) -> None:
        part = self.part(up.id)
        try:
            self.svc.put_file(
                up.owner,
                up.path,
                part,
                if_match=up.if_match,
                device=up.device,
                on_conflict=up.on_conflict,
            )
        except Exception as exc:
            if hasattr(exc, "headers"):
                exc.headers.update(tus_headers())
            self.terminate(up.id, up.owner, True)
            raise
        with self.engine.begin() as conn:
            conn.execute(delete(uploads).where(uploads.c.id == up.id))
        part.unlink(missing_ok=True)

    def terminate(self, upload_id: str, user_id: str, is_admin: bool = False) -> None:
        self.status(upload_id, user_id, is_admin)
        self.part(upload_id).unlink(missing_ok=True)
        with self.engine.begin() as conn:
            conn.execute(delete(uploads).where(uploads.c.id == upload_id))
