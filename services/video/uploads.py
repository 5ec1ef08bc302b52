"""Resumable uploads (tus 1.0 ``creation`` and ``termination``), up to admission.

An upload belongs to the user who created it: only that user (or an admin) may read its
offset, append to it or terminate it. Anyone else gets the 404 an unknown upload gets, so an
upload URL that leaked does not even confirm that the upload exists.

Bytes stream to ``<data>/video/uploads/<id>.part`` at the offset the client names. Two
PATCHes of one upload are serialised by a per-upload lock within a process and by the store's
compare-and-set offset across processes. The last byte triggers admission
(:func:`services.video.ingest.admit`: a sandboxed probe); a rejected upload leaves nothing
behind and answers 422 with the reason. Every step is an event.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import weakref
from collections.abc import AsyncIterable, Callable
from pathlib import Path

from media.probe import Limits, Rejected
from services.errors import Conflict, Gone, Invalid, NotFound, TooLarge
from services.tus.partfile import write_at
from services.tus.protocol import tus_error, tus_headers
from services.video.ingest import admit, part_path
from services.video.store import Upload, Video, VideoStore
from services.video.text import check_name
from warehouse.emitter import Emitter
from warehouse.settings import Settings

#: Metadata that may hold several lines; every other value is a one-line name.
MULTILINE_METADATA = frozenset({"description"})
#: The probe facts an admission event carries.
ADMITTED_FACTS = ("width", "height", "fps", "duration_s", "video_codec", "container")


class VideoRejected(Invalid):
    """A finished upload that admission refused (422); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"video rejected: {reason}", headers=tus_headers())
        self.reason = reason


class Uploads:
    """The upload desk: creates uploads, appends bytes, admits or rejects, terminates."""

    def __init__(
        self,
        store: VideoStore,
        emitter: Emitter,
        settings: Settings,
        *,
        max_bytes: int,
        limits: Limits,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.emitter = emitter
        self.settings = settings
        self.max_bytes = max_bytes
        self.limits = limits
        self.clock = clock
        # A lock lives while a PATCH holds or awaits it, so finished uploads leave none behind.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def part(self, upload_id: str) -> Path:
        return part_path(self.settings, upload_id)

    def create(self, user_id: str, length: int, meta: dict[str, str]) -> Upload:
        """A new upload of ``length`` bytes (413 over the cap; 400 for metadata with a NUL or
        another control character). An empty upload goes to admission at once, which refuses
        it (422)."""
        for key, value in meta.items():
            check_name(
                f"Upload-Metadata {key!r}",
                value,
                tus_headers(),
                multiline=key in MULTILINE_METADATA,
            )
        if length > self.max_bytes:
            raise tus_error(
                TooLarge, f"upload of {length} bytes is over the {self.max_bytes}-byte limit"
            )
        up = self.store.create_upload(user_id, length, meta, self.clock())
        part = self.part(up.id)
        part.parent.mkdir(parents=True, exist_ok=True)
        part.touch()
        self.emitter.emit(
            "video",
            "upload_created",
            actor=user_id,
            entity=up.id,
            attrs={"length": length, "title": meta.get("title", "")},
        )
        if length == 0:
            self._complete(up)
        return up

    def owned(self, upload_id: str, user_id: str, is_admin: bool = False) -> Upload:
        """The upload, if ``user_id`` owns it (or is an admin); 404 otherwise, whether it
        exists or not (400 for an id with control characters)."""
        check_name("upload id", upload_id, tus_headers())
        up = self.store.get_upload(upload_id)
        if up is None or (up.user_id != user_id and not is_admin):
            raise tus_error(NotFound, f"no upload {upload_id}")
        return up

    def status(self, upload_id: str, user_id: str, is_admin: bool = False) -> Upload:
        """An upload of ``user_id``'s still known: 404 when unknown (or someone else's), 410
        when admission rejected it."""
        up = self.owned(upload_id, user_id, is_admin)
        if up.status == "rejected":
            raise tus_error(Gone, f"upload was rejected: {up.reason}")
        return up

    async def append(
        self,
        upload_id: str,
        offset: int,
        chunks: AsyncIterable[bytes],
        user_id: str,
        is_admin: bool = False,
    ) -> int:
        """Write ``chunks`` at ``offset`` of ``user_id``'s upload and return the new offset.

        404 (before reading a byte) when the upload is not ``user_id``'s and they are no admin.

        409 (with the server's ``Upload-Offset``) when ``offset`` is not where the upload
        stands; 413 for bytes past ``Upload-Length`` (none of this request's are kept); 422
        when the last byte arrived and admission refused the file. Bytes that arrived before
        the stream ended early (a client that went away) are kept, so the client can resume.
        """
        self.owned(upload_id, user_id, is_admin)
        async with self._locks.setdefault(upload_id, asyncio.Lock()):
            up = self.status(upload_id, user_id, is_admin)
            if up.status != "receiving" or offset != up.offset:
                raise tus_error(
                    Conflict,
                    f"Upload-Offset {offset} does not match the server's {up.offset}",
                    **{"Upload-Offset": str(up.offset)},
                )
            written = await write_at(self.part(upload_id), offset, up.length, chunks)
            new_offset = offset + written
            self._advance(up, offset, written)
            if new_offset == up.length:
                await asyncio.to_thread(self._complete, up)
        return new_offset

    def terminate(self, upload_id: str, user_id: str, is_admin: bool = False) -> None:
        """tus ``termination``: drop an unfinished upload of ``user_id``'s (any, for an admin)."""
        up = self.owned(upload_id, user_id, is_admin)
        if up.status == "admitted":
            raise tus_error(Conflict, "upload already finished")
        self.part(upload_id).unlink(missing_ok=True)
        self.store.delete_upload(upload_id)
        self.emitter.emit("video", "upload_terminated", actor=user_id, entity=upload_id)

    def import_file(self, user_id: str, path: Path, meta: dict[str, str]) -> Video:
        """Admit a local file as if ``user_id`` had uploaded it in one PATCH."""
        length = path.stat().st_size
        up = self.create(user_id, length, meta)
        shutil.copyfile(path, self.part(up.id))
        self._advance(up, 0, length)
        return self._complete(up)

    def _advance(self, up: Upload, offset: int, written: int) -> None:
        if not self.store.advance(up.id, offset, offset + written):
            raise tus_error(Conflict, "upload moved concurrently")
        self.emitter.emit(
            "video",
            "upload_chunk",
            actor=up.user_id,
            entity=up.id,
            attrs={"offset": offset, "bytes": written},
        )

    def _complete(self, up: Upload) -> Video:
        self.emitter.emit(
            "video", "upload_completed", actor=up.user_id, entity=up.id, attrs={"length": up.length}
        )
        try:
            video = admit(self.settings, self.store, up, self.limits, self.clock())
        except Rejected as exc:
            self.emitter.emit(
                "video",
                "upload_rejected",
                actor=up.user_id,
                entity=up.id,
                attrs={"reason": exc.reason},
            )
            raise VideoRejected(exc.reason) from exc
        self.emitter.emit(
            "video",
            "video_admitted",
            actor=up.user_id,
            entity=video.id,
            attrs={k: video.probe[k] for k in ADMITTED_FACTS},
        )
        return video
