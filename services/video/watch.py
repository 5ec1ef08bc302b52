"""The viewer's side of the video API: a watch page, the web players it loads, and the
rendition files at the paths the playback descriptor names.

``GET /videos/{id}/watch`` is one HTML page that plays HLS with hls.js or DASH with dash.js,
through the CDN edge ``/cdn/route`` picks (the origin when no edge is up), with a quality menu,
the poster and a scrub preview from the thumbnail track. The players are npm packages
installed with the project (``make players``) and served from here, so the page works offline;
nothing loads from a public CDN.

The rendition files answer at ``/videos/{id}/<file>`` and ``/videos/{id}/thumbs/<file>``, the
same layout the CDN origin serves from the blob store, so this API can itself be an edge's
origin and every path of ``/videos/{id}/playback`` answers here too. Registered last, after
every other ``/videos/{id}/...`` route.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from services.errors import NotFound
from services.video.playback import VideoDep, media_response
from services.video.service import VideoService

router = APIRouter(prefix="/videos", tags=["video"])

#: The player scripts the page loads, by the name it loads them under.
PLAYERS = {
    "hls.min.js": "hls.js/dist/hls.min.js",
    "dash.all.min.js": "dashjs/dist/dash.all.min.js",
}
PAGE = (Path(__file__).parent / "watch.html").read_text(encoding="utf-8")


def player_libs(svc: VideoService) -> Path:
    """The node_modules folder the players are served from."""
    return svc.conf.player_libs_dir or svc.settings.data_dir / "player-libs" / "node_modules"


def render(svc: VideoService, video_id: str) -> str:
    """The watch page of one video: its playback descriptor inlined as JSON."""
    listing = svc.describe(video_id)
    playback = asdict(svc.playback(video_id))
    # JSON inside <script>: "<" escaped so no string in it can close the element.
    data = json.dumps(playback).replace("<", "\\u003c")
    return (
        PAGE.replace("__TITLE__", html.escape(listing.video.title))
        .replace("__POSTER__", html.escape(playback["poster"]))
        .replace("__PLAYBACK__", data)
    )


@router.get("/players/{name}", include_in_schema=False)
def player_script(name: str, svc: VideoDep) -> FileResponse:
    """hls.js or dash.js, from the project's own install."""
    if name not in PLAYERS:
        raise NotFound(f"no player {name}: one of {sorted(PLAYERS)}")
    path = player_libs(svc) / PLAYERS[name]
    if not path.is_file():
        raise NotFound(f"{name} is not installed: run `make players` (npm) once")
    return FileResponse(
        path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get(
    "/{video_id}/watch",
    response_class=HTMLResponse,
    operation_id="video_watch_page",
    responses={200: {"content": {"text/html": {}}, "description": "The player page."}},
)
def watch_page(video_id: str, svc: VideoDep) -> HTMLResponse:
    """A page that plays the video (HLS with hls.js, or DASH with ``?format=dash``) through
    the nearest CDN edge, with a quality menu, the poster and thumbnail previews."""
    return HTMLResponse(render(svc, video_id), headers={"Cache-Control": "no-cache"})


@router.get("/{video_id}/thumbs/{name}", operation_id="video_thumb")
def thumb_file(video_id: str, name: str, svc: VideoDep) -> FileResponse:
    """The poster, the thumbnail sprite and its WebVTT track."""
    return media_response(svc.file(video_id, f"thumbs/{name}"))


@router.get("/{video_id}/{name}", operation_id="video_media")
def media_file(video_id: str, name: str, svc: VideoDep) -> FileResponse:
    """A playlist, manifest or segment at the path the playback descriptor and the master
    playlist name (the same file as ``/videos/{id}/files/{name}``)."""
    return media_response(svc.file(video_id, name))
