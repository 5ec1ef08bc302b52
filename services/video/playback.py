"""Catalogue, playback descriptors, origin file serving, engagement events and search."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from services.deps import CurrentUser, EmitterDep, OptionalUser, SettingsDep
from services.video.ingest import rendition_dir
from services.video.store import Video, VideoStore

router = APIRouter(prefix="/videos", tags=["video"])

MEDIA_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".json": "application/json",
}


def video_store(request: Request) -> VideoStore:
    """The app's video store (created at startup, or lazily when a test skips startup)."""
    from services.db import make_engine

    state = request.app.state
    if getattr(state, "video_store", None) is None:
        state.video_store = VideoStore(make_engine(state.settings, "video"))
    return state.video_store


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
    return VideoOut(
        id=video.id,
        user_id=video.user_id,
        title=video.title,
        description=video.description,
        tags=video.tags,
        duration_s=video.probe.get("duration_s", 0.0),
        width=video.probe.get("width", 0),
        height=video.probe.get("height", 0),
        ready=ready,
        likes=video_store(request).like_count(video.id),
    )


def _video_or_404(request: Request, video_id: str) -> Video:
    video = video_store(request).get_video(video_id)
    if video is None:
        raise HTTPException(404, f"no video {video_id}")
    return video


@router.get("", response_model=list[VideoOut], operation_id="video_list")
def list_videos(request: Request, limit: int = Query(default=50, ge=1, le=500)) -> list[VideoOut]:
    return [_out(request, v) for v in video_store(request).list_videos(limit)]


@router.get("/search", response_model=list[VideoOut], operation_id="video_search")
def search(
    request: Request,
    emitter: EmitterDep,
    user: OptionalUser,
    q: str = Query(min_length=1, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
) -> list[VideoOut]:
    """Titles containing the words, or videos tagged with one of them."""
    found = video_store(request).search(q, limit)
    emitter.emit(
        "video",
        "search",
        actor=user.user_id if user else None,
        attrs={"q": q, "results": len(found)},
    )
    return [_out(request, v) for v in found]


@router.get("/{video_id}", response_model=VideoOut, operation_id="video_get")
def get_video(video_id: str, request: Request) -> VideoOut:
    return _out(request, _video_or_404(request, video_id))


@router.get("/{video_id}/playback", response_model=PlaybackOut, operation_id="video_playback")
def playback(
    video_id: str,
    request: Request,
    settings: SettingsDep,
    region: str = Query(default="local", max_length=64),
) -> PlaybackOut:
    """Where to play from: blob paths an edge serves, and the origin fallback."""
    video = _video_or_404(request, video_id)
    base = f"/videos/{video.id}"
    out_dir = rendition_dir(settings, video.id)
    ladder: list[dict[str, Any]] = []
    ladder_file = out_dir / "ladder.json"
    if ladder_file.exists():
        ladder = json.loads(ladder_file.read_text(encoding="utf-8")).get("rungs", [])
    return PlaybackOut(
        id=video.id,
        ready=(out_dir / "master.m3u8").exists(),
        hls=f"{base}/master.m3u8",
        dash=f"{base}/manifest.mpd",
        poster=f"{base}/thumbs/poster.jpg",
        thumbnails=f"{base}/thumbs/thumbnails.vtt",
        cdn_route=f"/cdn/route?region={region}&path={base}/master.m3u8",
        origin_hls=f"{base}/files/master.m3u8",
        ladder=ladder,
    )


@router.get("/{video_id}/files/{name:path}", operation_id="video_file")
def video_file(video_id: str, name: str, request: Request, settings: SettingsDep) -> FileResponse:
    """The origin: a rendition file straight from the blob store (edges cache these)."""
    _video_or_404(request, video_id)
    root = rendition_dir(settings, video_id).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404, f"no file {name} for video {video_id}")
    cache = (
        "public, max-age=31536000, immutable"
        if path.suffix in (".m4s", ".jpg")
        else "public, max-age=5, stale-while-revalidate=30"
    )
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        headers={"Cache-Control": cache},
    )


@router.post("/{video_id}/views", response_model=Ack, operation_id="video_view")
def view(video_id: str, request: Request, emitter: EmitterDep, user: OptionalUser) -> Ack:
    _video_or_404(request, video_id)
    emitter.emit("video", "view", actor=user.user_id if user else None, entity=video_id)
    return Ack()


@router.post("/{video_id}/likes", response_model=Ack, operation_id="video_like")
def like(video_id: str, request: Request, emitter: EmitterDep, user: CurrentUser) -> Ack:
    _video_or_404(request, video_id)
    store = video_store(request)
    if store.like(video_id, user.user_id):
        emitter.emit("video", "like", actor=user.user_id, entity=video_id)
    return Ack(count=store.like_count(video_id))


@router.post(
    "/{video_id}/comments", response_model=CommentOut, status_code=201, operation_id="video_comment"
)
def comment(
    video_id: str, body: CommentIn, request: Request, emitter: EmitterDep, user: CurrentUser
) -> CommentOut:
    _video_or_404(request, video_id)
    cid = video_store(request).add_comment(video_id, user.user_id, body.text)
    emitter.emit(
        "video",
        "comment",
        actor=user.user_id,
        entity=video_id,
        attrs={"comment_id": cid, "chars": len(body.text)},
    )
    rows = video_store(request).list_comments(video_id)
    row = next(r for r in rows if r["id"] == cid)
    return CommentOut(id=cid, user_id=row["user_id"], text=row["text"], created=row["created"])


@router.get("/{video_id}/comments", response_model=list[CommentOut], operation_id="video_comments")
def list_comments(video_id: str, request: Request) -> list[CommentOut]:
    _video_or_404(request, video_id)
    return [
        CommentOut(id=r["id"], user_id=r["user_id"], text=r["text"], created=r["created"])
        for r in video_store(request).list_comments(video_id)
    ]


@router.post("/{video_id}/watch", response_model=Ack, operation_id="video_watch")
def watch(
    video_id: str, body: WatchIn, request: Request, emitter: EmitterDep, user: OptionalUser
) -> Ack:
    """Watch time, reported by the player in heartbeats."""
    video = _video_or_404(request, video_id)
    emitter.emit(
        "video",
        "watch",
        actor=user.user_id if user else None,
        entity=video_id,
        attrs={
            "seconds": body.seconds,
            "position_s": body.position_s,
            "rendition": body.rendition,
            "duration_s": video.probe.get("duration_s"),
        },
    )
    return Ack()
