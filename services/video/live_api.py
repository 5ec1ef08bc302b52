"""Live streaming routes: create a stream (its key and RTMP URL), read it, end it, and the live
HLS files while it runs.

Creating, reading (with the key) and ending a stream need an API key and belong to the
stream's owner (404 for anyone else). The live files are public, like every rendition: the
same files answer at ``/videos/<id>/<file>`` through the CDN origin, with short TTLs on the
playlists. Mounted before the catalogue, so ``/videos/live/...`` is never read as a video id.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from services.deps import CurrentUser
from services.video.live import LiveStream
from services.video.playback import VideoDep
from services.video.text import CleanText

router = APIRouter(prefix="/videos/live", tags=["video"])


class LiveIn(BaseModel):
    title: CleanText = Field(min_length=1, max_length=200)


class LiveOut(BaseModel):
    id: str
    title: str
    state: str = Field(description="waiting, live, ended (now a VOD) or failed (see reason).")
    reason: str | None = None
    stream_key: str = Field(description="The broadcaster's secret: the last part of rtmp_url.")
    rtmp_url: str = Field(description="Where the broadcaster (OBS, ffmpeg) pushes FLV/RTMP.")
    hls: str = Field(description="The live master playlist (also served by CDN edges).")
    refused_pushes: int = 0
    video_id: str | None = Field(default=None, description="The VOD, once the stream ended.")
    created: float
    ended: float | None = None


def _out(s: LiveStream) -> LiveOut:
    return LiveOut(
        id=s.id,
        title=s.title,
        state=s.state,
        reason=s.reason,
        stream_key=s.stream_key,
        rtmp_url=s.rtmp_url,
        hls=f"/videos/live/{s.id}/master.m3u8",
        refused_pushes=s.refused_pushes,
        video_id=s.video_id,
        created=s.created,
        ended=s.ended,
    )


@router.post("", response_model=LiveOut, status_code=201, operation_id="video_live_create")
def create(body: LiveIn, svc: VideoDep, user: CurrentUser) -> LiveOut:
    """Open a live stream: push to ``rtmp_url`` (within ``BLUEPRINT_VIDEO_LIVE_WAIT_S``)."""
    return _out(svc.live.create(user.user_id, body.title))


@router.get("/{stream_id}", response_model=LiveOut, operation_id="video_live_get")
def get(stream_id: str, svc: VideoDep, user: CurrentUser) -> LiveOut:
    return _out(svc.live.get(stream_id, user.user_id, admin=user.has("admin")))


@router.post("/{stream_id}/end", response_model=LiveOut, operation_id="video_live_end")
def end(stream_id: str, svc: VideoDep, user: CurrentUser) -> LiveOut:
    """End the broadcast; what arrived becomes a VOD (409 when it is over already)."""
    return _out(svc.live.end(stream_id, user.user_id, admin=user.has("admin")))


@router.get("/{stream_id}/{name}", operation_id="video_live_file")
def live_file(stream_id: str, name: str, svc: VideoDep) -> FileResponse:
    """A live playlist (short TTL) or segment (immutable)."""
    f = svc.live.file(stream_id, name)
    headers = {"Cache-Control": f.cache_control, "Access-Control-Allow-Origin": "*"}
    return FileResponse(f.path, media_type=f.media_type, headers=headers)
