"""Video streaming API: tus 1.0 resumable uploads with admission, playback descriptors and
origin file serving, engagement events (views, likes, comments, watch time) and search."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from media.probe import Rejected
from services.db import make_engine
from services.deps import CurrentUser, EmitterDep, OptionalUser, SettingsDep
from services.video.ingest import admit, part_path, rendition_dir
from services.video.store import Video, VideoStore
from services.video.tus import (
    OFFSET_CONTENT_TYPE,
    TUS_EXTENSIONS,
    TUS_VERSION,
    parse_int_header,
    parse_metadata,
    require_tus,
    tus_headers,
)

router = APIRouter(prefix="/videos", tags=["video"])

#: Largest upload accepted (Tus-Max-Size); larger Upload-Length gets 413.
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
# PATCH bodies stream to disk, so a client may send the whole file in one request
# (tuspy's default); the total is still capped by Upload-Length and Tus-Max-Size.
BODY_LIMITS = {"/videos/uploads": MAX_UPLOAD_BYTES}
UPLOAD_PATH = "/uploads"  # under the router prefix: /videos/uploads
MEDIA_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl", ".mpd": "application/dash+xml",
    ".m4s": "video/iso.segment", ".mp4": "video/mp4", ".vtt": "text/vtt",
    ".jpg": "image/jpeg", ".png": "image/png", ".json": "application/json",
}  # fmt: skip


async def startup(app: FastAPI) -> None:
    app.state.video_store = VideoStore(make_engine(app.state.settings, "video"))
    app.state.video_locks = {}


def _store(request: Request) -> VideoStore:
    state = request.app.state
    if getattr(state, "video_store", None) is None:
        state.video_store = VideoStore(make_engine(state.settings, "video"))
    return state.video_store


def _lock(request: Request, upload_id: str) -> asyncio.Lock:
    """Serialises PATCHes of one upload within this process (the store's compare-and-set
    offset guards across processes)."""
    state = request.app.state
    if getattr(state, "video_locks", None) is None:
        state.video_locks = {}
    return state.video_locks.setdefault(upload_id, asyncio.Lock())


TusHeader = Annotated[str | None, Header(alias="Tus-Resumable")]


# ---- tus 1.0 upload ------------------------------------------------------------------------


@router.options(UPLOAD_PATH, status_code=204, operation_id="video_upload_options")
def upload_options() -> Response:
    """Server capabilities, as tus clients discover them."""
    return Response(status_code=204, headers=tus_headers(
        **{"Tus-Version": TUS_VERSION, "Tus-Extension": TUS_EXTENSIONS,
           "Tus-Max-Size": str(MAX_UPLOAD_BYTES)}))  # fmt: skip


@router.post(UPLOAD_PATH, status_code=201, operation_id="video_upload_create")
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
        raise HTTPException(400, "Upload-Length is required (deferred length is not supported)",
                            headers=tus_headers())  # fmt: skip
    length = parse_int_header("Upload-Length", upload_length)
    if length > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"upload of {length} bytes is over the {MAX_UPLOAD_BYTES}-byte "
                            "limit", headers=tus_headers())  # fmt: skip
    meta = parse_metadata(upload_metadata)
    store = _store(request)
    up = store.create_upload(user.user_id, length, meta)
    part = part_path(settings, up.id)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.touch()
    emitter.emit("video", "upload_created", actor=user.user_id, entity=up.id,
                 attrs={"length": length, "title": meta.get("title", "")})  # fmt: skip
    location = str(request.base_url).rstrip("/") + f"/videos{UPLOAD_PATH}/{up.id}"
    headers = tus_headers(Location=location, **{"Upload-Offset": "0"})
    if length == 0:
        await _complete(request, up.id, settings, emitter)
    return Response(status_code=201, headers=headers)


@router.head(UPLOAD_PATH + "/{upload_id}", operation_id="video_upload_offset")
def upload_head(upload_id: str, request: Request, tus_resumable: TusHeader = None) -> Response:
    """The current offset, so an interrupted client can resume."""
    require_tus(tus_resumable)
    up = _store(request).get_upload(upload_id)
    if up is None:
        return Response(status_code=404, headers=tus_headers())
    if up.status == "rejected":
        return Response(status_code=410, headers=tus_headers())
    return Response(status_code=200, headers=tus_headers(
        **{"Upload-Offset": str(up.offset), "Upload-Length": str(up.length)}))  # fmt: skip


@router.patch(UPLOAD_PATH + "/{upload_id}", status_code=204, operation_id="video_upload_patch")
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
        raise HTTPException(415, f"Content-Type must be {OFFSET_CONTENT_TYPE}",
                            headers=tus_headers())  # fmt: skip
    offset = parse_int_header("Upload-Offset", upload_offset)
    store = _store(request)
    async with _lock(request, upload_id):
        up = store.get_upload(upload_id)
        if up is None:
            raise HTTPException(404, f"no upload {upload_id}", headers=tus_headers())
        if up.status == "rejected":
            raise HTTPException(410, f"upload was rejected: {up.reason}", headers=tus_headers())
        if up.status != "receiving" or offset != up.offset:
            raise HTTPException(409, f"Upload-Offset {offset} does not match the server's "
                                f"{up.offset}", headers=tus_headers(
                                    **{"Upload-Offset": str(up.offset)}))  # fmt: skip
        written = await _append(request, part_path(settings, upload_id), offset, up.length)
        new_offset = offset + written
        if not store.advance(upload_id, offset, new_offset):
            raise HTTPException(409, "upload moved concurrently", headers=tus_headers())
        emitter.emit("video", "upload_chunk", actor=up.user_id, entity=upload_id,
                     attrs={"offset": offset, "bytes": written})  # fmt: skip
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
                    raise HTTPException(413, f"chunk goes past Upload-Length {length}",
                                        headers=tus_headers())  # fmt: skip
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
    emitter.emit("video", "upload_completed", actor=up.user_id, entity=upload_id,
                 attrs={"length": up.length})  # fmt: skip
    try:
        video = await run_in_threadpool(admit, settings, store, up)
    except Rejected as exc:
        emitter.emit("video", "upload_rejected", actor=up.user_id, entity=upload_id,
                     attrs={"reason": exc.reason})  # fmt: skip
        raise HTTPException(422, f"video rejected: {exc.reason}", headers=tus_headers()) from exc
    emitter.emit("video", "video_admitted", actor=up.user_id, entity=video.id,
                 attrs={k: video.probe[k] for k in ("width", "height", "fps", "duration_s",
                                                    "video_codec", "container")})  # fmt: skip


@router.delete(UPLOAD_PATH + "/{upload_id}", status_code=204, operation_id="video_upload_delete")
def upload_delete(upload_id: str, request: Request, user: CurrentUser, settings: SettingsDep,
                  emitter: EmitterDep, tus_resumable: TusHeader = None) -> Response:  # fmt: skip
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


# ---- catalogue, playback and engagement ----------------------------------------------------


class VideoOut(BaseModel):
    id: str
    user_id: str
    title: str
    description: str
    tags: list[str]
    duration_s: float
    width: int
    height: int
    ready: bool
    likes: int = 0


class PlaybackOut(BaseModel):
    id: str
    ready: bool
    hls: str = Field(description="Master playlist path; serve it from an edge (see cdn_route).")
    dash: str
    poster: str
    thumbnails: str
    cdn_route: str = Field(description="Ask the CDN which edge serves this client.")
    origin_hls: str
    ladder: list[dict[str, Any]] = []


class Ack(BaseModel):
    ok: bool = True
    count: int | None = None


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class CommentOut(BaseModel):
    id: int
    user_id: str
    text: str
    created: float


class WatchIn(BaseModel):
    seconds: float = Field(gt=0, le=24 * 3600)
    position_s: float = Field(default=0, ge=0)
    rendition: str | None = Field(default=None, max_length=32)


def _out(request: Request, video: Video) -> VideoOut:
    ready = (rendition_dir(request.app.state.settings, video.id) / "master.m3u8").exists()
    return VideoOut(id=video.id, user_id=video.user_id, title=video.title,
                    description=video.description, tags=video.tags,
                    duration_s=video.probe.get("duration_s", 0.0),
                    width=video.probe.get("width", 0), height=video.probe.get("height", 0),
                    ready=ready, likes=_store(request).like_count(video.id))  # fmt: skip


def _video_or_404(request: Request, video_id: str) -> Video:
    video = _store(request).get_video(video_id)
    if video is None:
        raise HTTPException(404, f"no video {video_id}")
    return video


@router.get("", response_model=list[VideoOut], operation_id="video_list")
def list_videos(request: Request, limit: int = Query(default=50, ge=1, le=500)) -> list[VideoOut]:
    return [_out(request, v) for v in _store(request).list_videos(limit)]


@router.get("/search", response_model=list[VideoOut], operation_id="video_search")
def search(request: Request, emitter: EmitterDep, user: OptionalUser,
           q: str = Query(min_length=1, max_length=200),
           limit: int = Query(default=20, ge=1, le=100)) -> list[VideoOut]:  # fmt: skip
    """Titles containing the words, or videos tagged with one of them."""
    found = _store(request).search(q, limit)
    emitter.emit("video", "search", actor=user.user_id if user else None,
                 attrs={"q": q, "results": len(found)})  # fmt: skip
    return [_out(request, v) for v in found]


@router.get("/{video_id}", response_model=VideoOut, operation_id="video_get")
def get_video(video_id: str, request: Request) -> VideoOut:
    return _out(request, _video_or_404(request, video_id))


@router.get("/{video_id}/playback", response_model=PlaybackOut, operation_id="video_playback")
def playback(video_id: str, request: Request, settings: SettingsDep,
             region: str = Query(default="local", max_length=64)) -> PlaybackOut:  # fmt: skip
    """Where to play from: blob paths an edge serves, and the origin fallback."""
    video = _video_or_404(request, video_id)
    base = f"/videos/{video.id}"
    out_dir = rendition_dir(settings, video.id)
    ladder: list[dict[str, Any]] = []
    ladder_file = out_dir / "ladder.json"
    if ladder_file.exists():
        import json

        ladder = json.loads(ladder_file.read_text(encoding="utf-8")).get("rungs", [])
    return PlaybackOut(
        id=video.id, ready=(out_dir / "master.m3u8").exists(), hls=f"{base}/master.m3u8",
        dash=f"{base}/manifest.mpd", poster=f"{base}/thumbs/poster.jpg",
        thumbnails=f"{base}/thumbs/thumbnails.vtt",
        cdn_route=f"/cdn/route?region={region}&path={base}/master.m3u8",
        origin_hls=f"{base}/files/master.m3u8", ladder=ladder,
    )  # fmt: skip


@router.get("/{video_id}/files/{name:path}", operation_id="video_file")
def video_file(video_id: str, name: str, request: Request, settings: SettingsDep) -> FileResponse:
    """The origin: a rendition file straight from the blob store (edges cache these)."""
    _video_or_404(request, video_id)
    root = rendition_dir(settings, video_id).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404, f"no file {name} for video {video_id}")
    cache = "public, max-age=31536000, immutable" if path.suffix in (".m4s", ".jpg") else \
        "public, max-age=5, stale-while-revalidate=30"  # fmt: skip
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": cache})  # fmt: skip


@router.post("/{video_id}/views", response_model=Ack, operation_id="video_view")
def view(video_id: str, request: Request, emitter: EmitterDep, user: OptionalUser) -> Ack:
    _video_or_404(request, video_id)
    emitter.emit("video", "view", actor=user.user_id if user else None, entity=video_id)
    return Ack()


@router.post("/{video_id}/likes", response_model=Ack, operation_id="video_like")
def like(video_id: str, request: Request, emitter: EmitterDep, user: CurrentUser) -> Ack:
    _video_or_404(request, video_id)
    store = _store(request)
    if store.like(video_id, user.user_id):
        emitter.emit("video", "like", actor=user.user_id, entity=video_id)
    return Ack(count=store.like_count(video_id))


@router.post("/{video_id}/comments", response_model=CommentOut, status_code=201,
             operation_id="video_comment")  # fmt: skip
def comment(video_id: str, body: CommentIn, request: Request, emitter: EmitterDep,
            user: CurrentUser) -> CommentOut:  # fmt: skip
    _video_or_404(request, video_id)
    cid = _store(request).add_comment(video_id, user.user_id, body.text)
    emitter.emit("video", "comment", actor=user.user_id, entity=video_id,
                 attrs={"comment_id": cid, "chars": len(body.text)})  # fmt: skip
    rows = _store(request).list_comments(video_id)
    row = next(r for r in rows if r["id"] == cid)
    return CommentOut(id=cid, user_id=row["user_id"], text=row["text"], created=row["created"])


@router.get("/{video_id}/comments", response_model=list[CommentOut],
            operation_id="video_comments")  # fmt: skip
def list_comments(video_id: str, request: Request) -> list[CommentOut]:
    _video_or_404(request, video_id)
    return [CommentOut(id=r["id"], user_id=r["user_id"], text=r["text"], created=r["created"])
            for r in _store(request).list_comments(video_id)]  # fmt: skip


@router.post("/{video_id}/watch", response_model=Ack, operation_id="video_watch")
def watch(video_id: str, body: WatchIn, request: Request, emitter: EmitterDep,
          user: OptionalUser) -> Ack:  # fmt: skip
    """Watch time, reported by the player in heartbeats."""
    video = _video_or_404(request, video_id)
    emitter.emit("video", "watch", actor=user.user_id if user else None, entity=video_id,
                 attrs={"seconds": body.seconds, "position_s": body.position_s,
                        "rendition": body.rendition,
                        "duration_s": video.probe.get("duration_s")})  # fmt: skip
    return Ack()
