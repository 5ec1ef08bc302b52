"""Files the transcoding assets share per video: the probe report and the work area, beside
the published renditions. Plain Python, so the Dagster assets stay thin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from media.probe import ProbeInfo
from services.db import make_engine
from services.video.ingest import rendition_dir, video_root
from services.video.store import Video, VideoStore
from warehouse.settings import Settings

#: Lowest acceptable VMAF per rung height (the ladder's blocking quality gate).
VMAF_FLOORS = {234: 30.0, 360: 45.0, 432: 55.0, 540: 65.0, 720: 75.0, 1080: 80.0}


def vmaf_floor(height: int) -> float:
    """The floor of the nearest rung at or below ``height`` (30 below the ladder)."""
    below = [h for h in VMAF_FLOORS if h <= height]
    return VMAF_FLOORS[max(below)] if below else 30.0


def work_dir(settings: Settings, video_id: str) -> Path:
    return video_root(settings) / "work" / video_id


def load_video(settings: Settings, video_id: str) -> Video:
    video = VideoStore(make_engine(settings, "video")).get_video(video_id)
    if video is None:
        raise LookupError(f"no admitted video {video_id!r} in the video store")
    return video


def save_probe(settings: Settings, video_id: str, info: ProbeInfo) -> Path:
    path = work_dir(settings, video_id) / "probe.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info.to_dict()), encoding="utf-8")
    return path


def load_probe(settings: Settings, video_id: str) -> ProbeInfo:
    path = work_dir(settings, video_id) / "probe.json"
    if not path.exists():
        raise LookupError(f"video {video_id} has not been probed (materialise video_probe)")
    return ProbeInfo(**json.loads(path.read_text(encoding="utf-8")))


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(path)


def read_ladder(settings: Settings, video_id: str) -> dict[str, Any] | None:
    path = rendition_dir(settings, video_id) / "ladder.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
