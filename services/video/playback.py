"""Catalogue, search, playback descriptors, origin file serving and engagement routes.

Bad input is a 4xx, never a 500: ids and file names with a NUL or another control character
answer 400; free text (comments, search) with a lone surrogate or control characters, and
numbers out of range (limits, the comment cursor, watch times), answer 422.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from services.deps import CurrentUser, OptionalUser, system_service
from services.tus.protocol import MAX_INT64
from services.video.service import (
    COMMENT_PAGE,
    MAX_COMMENT_CHARS,
    MAX_COMMENT_PAGE,
    Comment,
    Listing,
    MediaFile,
    VideoService,
)
from services.video.text import CleanText

router = APIRouter(prefix="/videos", tags=["video"])
VideoDep = Annotated[VideoService, system_service("video")]


def media_response(f: MediaFile) -> FileResponse:
    """A rendition file with its caching policy, readable by players on any origin."""
    headers = {"Cache-Control": f.cache_control, "Access-Control-Allow-Origin": "*"}
    return FileResponse(f.path, media_type=f.media_type, headers=headers)


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
    text: CleanText = Field(min_length=1, max_length=MAX_COMMENT_CHARS)


class CommentOut(BaseModel):
    id: int
    user_id: str
    text: str
    created: float


class CommentPageOut(BaseModel):
    items: list[CommentOut]
    next_cursor: int | None = Field(
        description="Pass as ``cursor`` for the next page; null on the last page."
    )


class WatchIn(BaseModel):
    seconds: float = Field(gt=0, le=24 * 3600, allow_inf_nan=False)
    position_s: float = Field(default=0, ge=0, le=7 * 24 * 3600, allow_inf_nan=False)
    rendition: CleanText | None = Field(default=None, max_length=32)


def _out(listing: Listing) -> VideoOut:
    video = listing.video
    return VideoOut(
        id=video.id,
        user_id=video.user_id,
        title=video.title,
        description=video.description,
        tags=video.tags,
        duration_s=video.probe.get("duration_s", 0.0),
        width=video.probe.get("width", 0),
        height=video.probe.get("height", 0),
        ready=listing.ready,
        likes=listing.likes,
    )


def _comment(c: Comment) -> CommentOut:
    return CommentOut(id=c.id, user_id=c.user_id, text=c.text, created=c.created)


@router.get("", response_model=list[VideoOut], operation_id="video_list")
def list_videos(svc: VideoDep, limit: int = Query(default=50, ge=1, le=500)) -> list[VideoOut]:
    return [_out(v) for v in svc.catalogue(limit)]


@router.get("/search", response_model=list[VideoOut], operation_id="video_search")
def search(
    svc: VideoDep,
    user: OptionalUser,
    q: CleanText = Query(min_length=1, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
) -> list[VideoOut]:
    """Titles containing the words, or videos tagged with one of them."""
    return [_out(v) for v in svc.search(q, limit, actor=user.user_id if user else None)]


@router.get("/{video_id}", response_model=VideoOut, operation_id="video_get")
def get_video(video_id: str, svc: VideoDep) -> VideoOut:
    return _out(svc.describe(video_id))


@router.get("/{video_id}/playback", response_model=PlaybackOut, operation_id="video_playback")
def playback(
    video_id: str,
    svc: VideoDep,
    region: CleanText | None = Query(
        default=None,
        max_length=64,
        description="The client's CDN region (``GET /cdn/regions``); default: the configured "
        "one (``BLUEPRINT_VIDEO_DEFAULT_REGION``).",
    ),
) -> PlaybackOut:
    """Where to play from: paths an edge serves (this API answers them too), the CDN route
    to the nearest edge, and the origin fallback. ``/videos/{id}/watch`` plays them."""
    return PlaybackOut(**asdict(svc.playback(video_id, region)))


@router.get("/{video_id}/files/{name:path}", operation_id="video_file")
def video_file(video_id: str, name: str, svc: VideoDep) -> FileResponse:
    """The origin: a rendition file straight from the blob store (edges cache these)."""
    return media_response(svc.file(video_id, name))


@router.post("/{video_id}/views", response_model=Ack, operation_id="video_view")
def view(video_id: str, svc: VideoDep, user: OptionalUser) -> Ack:
    svc.view(video_id, user.user_id if user else None)
    return Ack()


@router.post("/{video_id}/likes", response_model=Ack, operation_id="video_like")
def like(video_id: str, svc: VideoDep, user: CurrentUser) -> Ack:
    return Ack(count=svc.like(video_id, user.user_id))


@router.post(
    "/{video_id}/comments", response_model=CommentOut, status_code=201, operation_id="video_comment"
)
def comment(video_id: str, body: CommentIn, svc: VideoDep, user: CurrentUser) -> CommentOut:
    return _comment(svc.comment(video_id, user.user_id, body.text))


@router.get("/{video_id}/comments", response_model=CommentPageOut, operation_id="video_comments")
def list_comments(
    video_id: str,
    svc: VideoDep,
    cursor: int | None = Query(
        default=None, ge=0, le=MAX_INT64, description="next_cursor of the previous page"
    ),
    limit: int = Query(default=COMMENT_PAGE, ge=1, le=MAX_COMMENT_PAGE),
) -> CommentPageOut:
    """A page of comments, oldest first; follow ``next_cursor`` for the rest."""
    page = svc.comments(video_id, cursor, limit)
    return CommentPageOut(items=[_comment(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/{video_id}/watch", response_model=Ack, operation_id="video_watch")
def watch(video_id: str, body: WatchIn, svc: VideoDep, user: OptionalUser) -> Ack:
    """Watch time, reported by the player in heartbeats."""
    svc.watch(
        video_id,
        user.user_id if user else None,
        body.seconds,
        body.position_s,
        body.rendition,
    )
    return Ack()
