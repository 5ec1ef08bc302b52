"""Video streaming API: tus 1.0 resumable uploads with admission. The catalogue, playback,
engagement and search routes live in ``services.video.playback`` and mount on this router."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from media.probe import Rejected
from services.db import make_engine
from services.deps import CurrentUser, EmitterDep, SettingsDep
from services.video.ingest import admit, part_path
from services.video.playback import router as playback_router
from services.video.playback import video_store
from services.video.store import VideoStore
from services.video.tus import (
    OFFSET_CONTENT_TYPE,
    TUS_EXTENSIONS,
    TUS_VERSION,
    parse_int_header,
    parse_metadata,
    require_tus,
    tus_headers,
)

upload_router = APIRouter(prefix="/videos", tags=["video"])

#: Largest upload accepted (Tus-Max-Size); larger Upload-Length gets 413.
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
# PATCH bodies stream to disk, so a client may send the whole file in one request
# (tuspy's default); the total is still capped by Upload-Length and Tus-Max-Size.
BODY_LIMITS = {"/videos/uploads": MAX_UPLOAD_BYTES}
UPLOAD_PATH = "/uploads"  # under the router prefix: /videos/uploads


async def startup(app: FastAPI) -> None:
    app.state.video_store = VideoStore(make_engine(app.state.settings, "video"))
    app.state.video_locks = {}


def _store(request: Request) -> VideoStore:
    return video_store(request)


def _lock(request: Request, upload_id: str) -> asyncio.Lock:
    """Serialises PATCHes of one upload within this process (the store's compare-and-set
    offset guards across processes)."""
    state = request.app.state
    if getattr(state, "video_locks", None) is None:
        state.video_locks = {}
    return state.video_locks.setdefault(upload_id, asyncio.Lock())


TusHeader = Annotated[str | None, Header(alias="Tus-Resumable")]


# ---- tus 1.0 upload ------------------------------------------------------------------------


@upload_router.options(UPLOAD_PATH, status_code=204, operation_id="video_upload_options")
def upload_options() -> Response:
    """Server capabilities, as tus clients discover them."""
    return Response(
        status_code=204,
        headers=tus_headers(
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(MAX_UPLOAD_BYTES),
            }
        ),
    )


@upload_router.post(UPLOAD_PATH, status_code=201, operation_id="video_upload_create")
async def upload_create(
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    emitter: EmitterDep,
    tus_resumable: TusHeader = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
) -> Response:
    """Create an upload (tus ``creation``); metadata: title, description, tags."""
    require_tus(tus_resumable)
    if upload_length is None:
        raise HTTPException(
            400,
            "Upload-Length is required (deferred length is not supported)",
            headers=tus_headers(),
        )
    length = parse_int_header("Upload-Length", upload_length)
    if length > MAX_UPLOAD_BYTES:
        raise HTTPException(
            413,
            f"upload of {length} bytes is over the {MAX_UPLOAD_BYTES}-byte limit",
            headers=tus_headers(),
        )
    meta = parse_metadata(upload_metadata)
    store = _store(request)
    up = store.create_upload(user.user_id, length, meta)
    part = part_path(settings, up.id)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.touch()
    emitter.emit(
        "video",
        "upload_created",
        actor=user.user_id,
        entity=up.id,
        attrs={"length": length, "title": meta.get("title", "")},
    )
    location = str(request.base_url).rstrip("/") + f"/videos{UPLOAD_PATH}/{up.id}"
    headers = tus_headers(Location=location, **{"Upload-Offset": "0"})
    if length == 0:
        await _complete(request, up.id, settings, emitter)
    return Response(status_code=201, headers=headers)


@upload_router.head(UPLOAD_PATH + "/{upload_id}", operation_id="video_upload_offset")
def upload_head(upload_id: str, request: Request, tus_resumable: TusHeader = None) -> Response:
    """The current offset, so an interrupted client can resume."""
    require_tus(tus_resumable)
    up = _store(request).get_upload(upload_id)
    if up is None:
        return Response(status_code=404, headers=tus_headers())
    if up.status == "rejected":
        return Response(status_code=410, headers=tus_headers())
    return Response(
        status_code=200,
        headers=tus_headers(**{"Upload-Offset": str(up.offset), "Upload-Length": str(up.length)}),
    )


@upload_router.patch(
    UPLOAD_PATH + "/{upload_id}", status_code=204, operation_id="video_upload_patch"
)
async def upload_patch(
    upload_id: str,
    request: Request,
    settings: SettingsDep,
    emitter: EmitterDep,
    tus_resumable: TusHeader = None,
    upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
    content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
) -> Response:
    """Append bytes at Upload-Offset; the last chunk triggers admission (422 with a reason)."""
    require_tus(tus_resumable)
    if (content_type or "").split(";")[0].strip().lower() != OFFSET_CONTENT_TYPE:
        raise HTTPException(
            415, f"Content-Type must be {OFFSET_CONTENT_TYPE}", headers=tus_headers()
        )
    offset = parse_int_header("Upload-Offset", upload_offset)
    store = _store(request)
    async with _lock(request, upload_id):
        up = store.get_upload(upload_id)
        if up is None:
            raise HTTPException(404, f"no upload {upload_id}", headers=tus_headers())
        if up.status == "rejected":
            raise HTTPException(410, f"upload was rejected: {up.reason}", headers=tus_headers())
        if up.status != "receiving" or offset != up.offset:
            raise HTTPException(
                409,
                f"Upload-Offset {offset} does not match the server's {up.offset}",
                headers=tus_headers(**{"Upload-Offset": str(up.offset)}),
            )
        written = await _append(request, part_path(settings, upload_id), offset, up.length)
        new_offset = offset + written
        if not store.advance(upload_id, offset, new_offset):
            raise HTTPException(409, "upload moved concurrently", headers=tus_headers())
        emitter.emit(
            "video",
            "upload_chunk",
            actor=up.user_id,
            entity=upload_id,
            attrs={"offset": offset, "bytes": written},
        )
        if new_offset == up.length:
            await _complete(request, upload_id, settings, emitter)
    return Response(status_code=204, headers=tus_headers(**{"Upload-Offset": str(new_offset)}))


async def _append(request: Request, part: Path, offset: int, length: int) -> int:
    """Write the body at ``offset``; keep what arrived if the client disconnects midway."""
    written = 0
    with part.open("r+b") as fh:
        fh.seek(offset)
        fh.truncate()
        try:
            async for chunk in request.stream():
                if offset + written + len(chunk) > length:
                    fh.truncate(offset)
                    raise HTTPException(
                        413, f"chunk goes past Upload-Length {length}", headers=tus_headers()
                    )
                fh.write(chunk)
                written += len(chunk)
        except ClientDisconnect:
            pass
        fh.flush()
        os.fsync(fh.fileno())
    return written


async def _complete(request: Request, upload_id: str, settings, emitter) -> None:
    store = _store(request)
    up = store.get_upload(upload_id)
    assert up is not None
    emitter.emit(
        "video", "upload_completed", actor=up.user_id, entity=upload_id, attrs={"length": up.length}
    )
    try:
        video = await run_in_threadpool(admit, settings, store, up)
    except Rejected as exc:
        emitter.emit(
            "video",
            "upload_rejected",
            actor=up.user_id,
            entity=upload_id,
            attrs={"reason": exc.reason},
        )
        raise HTTPException(422, f"video rejected: {exc.reason}", headers=tus_headers()) from exc
    emitter.emit(
        "video",
        "video_admitted",
        actor=up.user_id,
        entity=video.id,
        attrs={
            k: video.probe[k]
            for k in ("width", "height", "fps", "duration_s", "video_codec", "container")
        },
    )


@upload_router.delete(
    UPLOAD_PATH + "/{upload_id}", status_code=204, operation_id="video_upload_delete"
)
def upload_delete(
    upload_id: str,
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    emitter: EmitterDep,
    tus_resumable: TusHeader = None,
) -> Response:
    """tus ``termination``: drop an unfinished upload."""
    require_tus(tus_resumable)
    store = _store(request)
    up = store.get_upload(upload_id)
    if up is None or (up.user_id != user.user_id and not user.has("admin")):
        raise HTTPException(404, f"no upload {upload_id}", headers=tus_headers())
    if up.status == "admitted":
        raise HTTPException(409, "upload already finished", headers=tus_headers())
    part_path(settings, upload_id).unlink(missing_ok=True)
    store.delete_upload(upload_id)
    emitter.emit("video", "upload_terminated", actor=user.user_id, entity=upload_id)
    return Response(status_code=204, headers=tus_headers())


#: What the app mounts: uploads first, then catalogue, playback and engagement.
router = APIRouter()
router.include_router(upload_router)
router.include_router(playback_router)
