"""What the transcoding assets share per video: the probe report and the work area beside
the published renditions, the rungs to serve, the VMAF floors. Plain Python, so the Dagster
assets stay thin."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from media.ladder import Rung, plan_ladder
from media.pershot import stored_rungs as per_shot_rungs
from media.pertitle import stored_rungs
from media.probe import ProbeInfo
from media.thumbs import Thumbnails, make_thumbnails
from services.video.ingest import rendition_dir, video_root
from warehouse.settings import Settings

#: Lowest acceptable VMAF per rung height (the ladder's blocking quality gate).
VMAF_FLOORS = {234: 30.0, 360: 45.0, 432: 55.0, 540: 65.0, 720: 75.0, 1080: 80.0}


def vmaf_floor(height: int) -> float:
    """The floor of the nearest rung at or below ``height`` (30 below the ladder)."""
    below = [h for h in VMAF_FLOORS if h <= height]
    return VMAF_FLOORS[max(below)] if below else 30.0


def work_dir(settings: Settings, video_id: str) -> Path:
    return video_root(settings) / "work" / video_id


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


def served_rungs(out: Path, width: int, height: int, per_title: bool) -> tuple[list[Rung], str]:
    """The rungs to encode and where they come from ("per-title" or "fixed").

    With ``per_title``, the rungs this video's stored analysis chose (those above their VMAF
    floor), when there is one: its per-shot ladder (a CRF per shot) when it has one, else its
    per-title rungs; otherwise Apple's fixed rungs up to the source.
    """
    stored = out / "pertitle.json"
    if per_title and stored.exists():
        data = json.loads(stored.read_text(encoding="utf-8"))
        rungs = per_shot_rungs(data.get("per_shot") or {}, vmaf_floor)
        if rungs:
            return rungs, "per-shot"
        rungs = stored_rungs(data, vmaf_floor)
        if rungs:
            return rungs, "per-title"
    return plan_ladder(width, height), "fixed"


def grid_heights(heights: list[int], n: int) -> tuple[int, ...]:
    """``n`` heights spread over the ladder, always including the lowest and the top."""
    if len(heights) <= n:
        return tuple(heights)
    picks = {heights[round(i * (len(heights) - 1) / (n - 1))] for i in range(n)}
    return tuple(sorted(picks))


def publish_thumbnails(source: Path, info: ProbeInfo, build: Path, dest: Path) -> Thumbnails:
    """Poster, sprite sheet and WebVTT track made in ``build``, then moved into ``dest``."""
    shutil.rmtree(build, ignore_errors=True)
    made = make_thumbnails(source, info, build)
    dest.mkdir(parents=True, exist_ok=True)
    moved = {}
    for name in ("sprite", "poster", "vtt"):
        f = getattr(made, name)
        moved[name] = f.replace(dest / f.name)
    shutil.rmtree(build, ignore_errors=True)
    return Thumbnails(**moved, tiles=made.tiles, interval_s=made.interval_s)
