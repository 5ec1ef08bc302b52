"""The video service: uploads up to admission, the catalogue and its search, playback
descriptors and origin files, and engagement (views, likes, comments, watch time).

It owns the video store, the upload desk (:class:`services.video.uploads.Uploads`), the
paths of sources and renditions, and the clock, and emits every event of the system itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from media.probe import Limits, ProbeInfo
from services.cdn.routing import REGIONS
from services.errors import Forbidden, Invalid, NotFound
from services.video.drm import DrmDesk, Protected, Token
from services.video.ingest import rendition_dir
from services.video.live import LiveDesk
from services.video.renditions import load_probe, read_ladder, save_probe, work_dir
from services.video.settings import VideoSettings
from services.video.store import Video, VideoStore
from services.video.text import check_name, check_text
from services.video.uploads import Uploads
from warehouse.emitter import Emitter
from warehouse.settings import Settings

MEDIA_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".ts": "video/mp2t",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".json": "application/json",
}
#: Segments and sprites never change once published; playlists may be republished.
IMMUTABLE_SUFFIXES = (".m4s", ".jpg")
MAX_COMMENT_CHARS = 2000
#: Comments per page: the default and the most one page holds.
COMMENT_PAGE = 50
MAX_COMMENT_PAGE = 100


@dataclass(frozen=True)
class Listing:
    """A video as the catalogue shows it: ready once its ladder is published."""

    video: Video
    ready: bool
    likes: int


@dataclass(frozen=True)
class Playback:
    id: str
    ready: bool
    hls: str
    dash: str
    poster: str
    thumbnails: str
    cdn_route: str
    origin_hls: str
    ladder: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class MediaFile:
    path: Path
    media_type: str
    cache_control: str


@dataclass(frozen=True)
class Comment:
    id: int
    user_id: str
    text: str
    created: float


@dataclass(frozen=True)
class CommentPage:
    """Comments oldest first; ``next_cursor`` fetches the next page (``None`` on the last)."""

    items: list[Comment]
    next_cursor: int | None


def _text(value: str) -> str:
    """Free text, or ``Invalid`` (422) with the reason."""
    try:
        return check_text(value)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


class VideoService:
    def __init__(
        self,
        store: VideoStore,
        emitter: Emitter,
        settings: Settings,
        *,
        conf: VideoSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.emitter = emitter
        self.settings = settings
        self.conf = conf
        self.clock = clock
        self.uploads = Uploads(
            store,
            emitter,
            settings,
            max_bytes=conf.max_upload_bytes,
            limits=conf.limits(),
            clock=clock,
        )
        self.live = LiveDesk(
            store.engine,
            store,
            emitter,
            settings,
            limits=conf.limits(),
            host=conf.live_host,
            wait_s=conf.live_wait_s,
            max_open=conf.live_max_open,
            clock=clock,
        )
        self.drm = DrmDesk(settings, token_ttl_s=conf.drm_token_ttl_s, clock=clock)

    def close(self) -> None:
        """End this process's live streams, then release the store's connections."""
        self.live.close()
        self.store.engine.dispose()

    @property
    def limits(self) -> Limits:
        """What admission accepts (duration, size, frame rate)."""
        return self.uploads.limits

    # -- where a video's files live -----------------------------------------------------------
    def rendition_dir(self, video_id: str) -> Path:
        """Published renditions, manifests and thumbnails (the CDN origin serves these)."""
        return rendition_dir(self.settings, video_id)

    def work_dir(self, video_id: str) -> Path:
        """Scratch space of the transcoding assets (probe report, builds)."""
        return work_dir(self.settings, video_id)

    def record_probe(self, video_id: str, info: ProbeInfo) -> Path:
        """Keep the transcoding assets' probe of the stored source."""
        return save_probe(self.settings, video_id, info)

    def probe_report(self, video_id: str) -> ProbeInfo:
        """The probe :meth:`record_probe` kept (``LookupError`` before the probe ran)."""
        return load_probe(self.settings, video_id)

    def ready(self, video_id: str) -> bool:
        out = self.rendition_dir(video_id)
        return (out / "master.m3u8").exists() or (out / "aes" / "master.m3u8").exists()

    def ladder(self, video_id: str) -> dict[str, Any] | None:
        """The published ladder with each rung's measured VMAF, once transcoded."""
        return read_ladder(self.settings, video_id)

    def per_title(self, video_id: str) -> dict[str, Any] | None:
        """The stored per-title analysis (grid, hull, chosen rungs, savings), if any."""
        path = self.rendition_dir(video_id) / "pertitle.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    # -- catalogue ----------------------------------------------------------------------------
    def get(self, video_id: str) -> Video:
        """The video (404 when unknown; 400 for an id with control characters)."""
        video = self.store.get_video(check_name("video id", video_id))
        if video is None:
            raise NotFound(f"no video {video_id}")
        return video

    def listing(self, video: Video) -> Listing:
        return Listing(video, self.ready(video.id), self.store.like_count(video.id))

    def describe(self, video_id: str) -> Listing:
        return self.listing(self.get(video_id))

    def catalogue(self, limit: int = 50) -> list[Listing]:
        """Admitted videos, oldest first."""
        return [self.listing(v) for v in self.store.list_videos(limit)]

    def admitted_after(self, after: float, limit: int = 1000) -> list[tuple[str, float]]:
        """(id, admission time) of videos admitted after ``after``, oldest first."""
        return self.store.created_after(after, limit)

    def search(self, query: str, limit: int = 20, actor: str | None = None) -> list[Listing]:
        """Titles containing the words, or videos tagged with one of them; best first."""
        found = self.store.search(_text(query), limit)
        self.emitter.emit("video", "search", actor=actor, attrs={"q": query, "results": len(found)})
        return [self.listing(v) for v in found]

    # -- playback -----------------------------------------------------------------------------
    def playback(self, video_id: str, region: str | None = None) -> Playback:
        """Where to play from: paths an edge serves (the API answers them too, so it can be
        an edge's origin), and the origin fallback. ``region`` defaults to the configured one;
        a region the CDN does not know is ``Invalid`` (422)."""
        video = self.get(video_id)
        region = region or self.conf.default_region
        if region not in REGIONS:
            raise Invalid(f"unknown region {region!r}: one of {sorted(REGIONS)}")
        base = f"/videos/{video.id}"
        ladder = self.ladder(video.id) or {}
        return Playback(
            id=video.id,
            ready=self.ready(video.id),
            hls=f"{base}/master.m3u8",
            dash=f"{base}/manifest.mpd",
            poster=f"{base}/thumbs/poster.jpg",
            thumbnails=f"{base}/thumbs/thumbnails.vtt",
            cdn_route=f"/cdn/route?region={quote(region, safe='')}&path={base}/master.m3u8",
            origin_hls=f"{base}/files/master.m3u8",
            ladder=ladder.get("rungs", []),
        )

    def file(self, video_id: str, name: str) -> MediaFile:
        """A published file of the video, never one outside its rendition folder (400 for a
        name with a NUL or another control character)."""
        self.get(video_id)
        check_name("file name", name)
        root = self.rendition_dir(video_id).resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise NotFound(f"no file {name} for video {video_id}")
        cache = (
            "public, max-age=31536000, immutable"
            if path.suffix in IMMUTABLE_SUFFIXES
            else "public, max-age=5, stale-while-revalidate=30"
        )
        return MediaFile(path, MEDIA_TYPES.get(path.suffix, "application/octet-stream"), cache)

    # -- engagement ---------------------------------------------------------------------------
    def view(self, video_id: str, actor: str | None) -> None:
        self.get(video_id)
        self.emitter.emit("video", "view", actor=actor, entity=video_id)

    def like(self, video_id: str, user_id: str) -> int:
        """Like once per user (repeats are no-ops, and no event); returns the like count."""
        self.get(video_id)
        if self.store.like(video_id, user_id):
            self.emitter.emit("video", "like", actor=user_id, entity=video_id)
        return self.store.like_count(video_id)

    def comment(self, video_id: str, user_id: str, text: str) -> Comment:
        """Store a comment and its event together: when the event cannot be emitted the
        comment is not stored either, so the caller's retry cannot duplicate it."""
        self.get(video_id)
        if not text.strip() or len(text) > MAX_COMMENT_CHARS:
            raise Invalid(f"a comment has 1 to {MAX_COMMENT_CHARS} characters")
        _text(text)
        now = self.clock()

        def emit(cid: int) -> None:
            self.emitter.emit(
                "video",
                "comment",
                actor=user_id,
                entity=video_id,
                attrs={"comment_id": cid, "chars": len(text)},
            )

        cid = self.store.add_comment(video_id, user_id, text, now, then=emit)
        return Comment(cid, user_id, text, now)

    def comments(
        self, video_id: str, cursor: int | None = None, limit: int = COMMENT_PAGE
    ) -> CommentPage:
        """One page of a video's comments, oldest first, after ``cursor`` (a page's
        ``next_cursor``); ``limit`` is 1 to ``MAX_COMMENT_PAGE``."""
        self.get(video_id)
        if not 1 <= limit <= MAX_COMMENT_PAGE:
            raise Invalid(f"limit must be 1 to {MAX_COMMENT_PAGE}")
        if cursor is not None and cursor < 0:
            raise Invalid("cursor must be a next_cursor this API handed out")
        rows = self.store.list_comments(video_id, cursor, limit + 1)
        items = [Comment(r["id"], r["user_id"], r["text"], r["created"]) for r in rows[:limit]]
        return CommentPage(items, items[-1].id if len(rows) > limit else None)

    def watch(
        self,
        video_id: str,
        actor: str | None,
        seconds: float,
        position_s: float = 0.0,
        rendition: str | None = None,
    ) -> None:
        """Watch time, reported by the player in heartbeats."""
        video = self.get(video_id)
        if not 0 < seconds < float("inf") or not 0 <= position_s < float("inf"):
            raise Invalid("watch seconds must be positive and the position not negative")
        if rendition is not None:
            _text(rendition)
        self.emitter.emit(
            "video",
            "watch",
            actor=actor,
            entity=video_id,
            attrs={
                "seconds": seconds,
                "position_s": position_s,
                "rendition": rendition,
                "duration_s": video.probe.get("duration_s"),
            },
        )

    # -- DRM ----------------------------------------------------------------------------------
    def protect(self, video_id: str, user_id: str, admin: bool = False) -> Protected:
        """Encrypt the video (AES-128 HLS) for its owner (404 for anyone else)."""
        video = self.get(video_id)
        if video.user_id != user_id and not admin:
            raise NotFound(f"no video {video_id}")
        done = self.drm.protect(video)
        self.emitter.emit("video", "drm_protect", actor=user_id, entity=video_id)
        return done

    def playback_token(self, video_id: str, user_id: str) -> Token:
        """A signed, expiring token that lets ``user_id`` fetch the video's key."""
        self.get(video_id)
        return self.drm.token(video_id, user_id)

    def content_key(self, video_id: str, token: str | None) -> bytes:
        """The video's AES key for a valid playback token (403 otherwise); one event each."""
        return self._keyed(video_id, "hls", lambda: self.drm.key(video_id, token))

    def clearkey_license(self, video_id: str, token: str | None) -> dict[str, Any]:
        """The ClearKey license (JWK set) for DASH players, under the same rules."""
        return self._keyed(video_id, "dash", lambda: self.drm.clearkey_license(video_id, token))

    def _keyed(self, video_id: str, kind: str, fetch: Callable[[], Any]) -> Any:
        self.get(video_id)
        try:
            found = fetch()
        except Forbidden as exc:
            self.emitter.emit(
                "video",
                "drm_key_denied",
                entity=video_id,
                attrs={"reason": exc.message, "format": kind},
            )
            raise
        self.emitter.emit("video", "drm_key", entity=video_id, attrs={"format": kind})
        return found
