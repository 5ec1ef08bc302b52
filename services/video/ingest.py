"""From a finished upload to an admitted video (or a clean rejection).

Admission runs :func:`media.probe.probe` in a per-upload job directory. On success the file
moves to the private sources area and a video row is written; on rejection the partial file
and job directory are deleted, so nothing half-made stays behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from media.probe import Limits, Rejected, probe
from services.video.store import Upload, Video, VideoStore
from services.video.text import clean_tags
from warehouse.settings import Settings


def video_root(settings: Settings) -> Path:
    return settings.data_dir / "video"


def part_path(settings: Settings, upload_id: str) -> Path:
    return video_root(settings) / "uploads" / f"{upload_id}.part"


def source_path(settings: Settings, video_id: str) -> Path:
    """Where an admitted source lives (not under the blob store: the CDN never serves it)."""
    return video_root(settings) / "sources" / video_id / "source"


def rendition_dir(settings: Settings, video_id: str) -> Path:
    """Renditions, manifests and thumbnails, served by the CDN origin from the blob store."""
    return settings.blobs_dir / "videos" / video_id


def admit(
    settings: Settings, store: VideoStore, upload: Upload, limits: Limits, now: float
) -> Video:
    """Probe the completed upload; return the new video (created at ``now``) or raise
    :class:`Rejected`."""
    part = part_path(settings, upload.id)
    job = video_root(settings) / "jobs" / upload.id
    try:
        info = probe(part, job, limits)
    except Rejected as exc:
        part.unlink(missing_ok=True)
        store.finish_upload(upload.id, "rejected", exc.reason)
        raise
    finally:
        shutil.rmtree(job, ignore_errors=True)
    dest = source_path(settings, upload.id)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part.replace(dest)
    meta = upload.meta
    title = (meta.get("title") or meta.get("filename") or "untitled").strip()[:200] or "untitled"
    video = Video(
        id=upload.id,
        user_id=upload.user_id,
        title=title,
        description=meta.get("description", "")[:5000],
        tags=clean_tags(meta.get("tags", "")),
        source=str(dest.resolve()),
        probe=info.to_dict(),
        created=now,
    )
    store.add_video(video)
    store.finish_upload(upload.id, "admitted")
    return video
