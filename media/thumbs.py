"""Thumbnails: a poster frame, a sprite sheet, and a WebVTT track pointing into the sprite
with ``#xywh=`` media fragments (the form video.js, Vidstack and JW Player read)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from media.ffmpeg import run
from media.probe import ProbeInfo, input_args


@dataclass
class Thumbnails:
    poster: Path
    sprite: Path
    vtt: Path
    tiles: int
    interval_s: float


def _ts(seconds: float) -> str:
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def make_thumbnails(
    source: Path,
    info: ProbeInfo,
    out_dir: Path,
    *,
    tile_width: int = 160,
    columns: int = 5,
    max_tiles: int = 50,
    timeout: float = 300,
) -> Thumbnails:
    """Write ``poster.jpg``, ``sprite.jpg`` and ``thumbnails.vtt`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = input_args(info, f"file:{source.resolve()}")
    poster = out_dir / "poster.jpg"
    at = min(info.duration_s * 0.25, 10.0)
    run(
        ["-ss", f"{at:.3f}", *src, "-frames:v", "1", "-q:v", "3", poster.name],
        timeout=timeout,
        cwd=out_dir,
    )
    interval = max(1.0, info.duration_s / max_tiles)
    tiles = max(1, min(max_tiles, math.ceil(info.duration_s / interval)))
    rows = math.ceil(tiles / columns)
    tile_height = max(2, int(round(tile_width * info.height / info.width / 2)) * 2)
    sprite = out_dir / "sprite.jpg"
    vf = f"fps=1/{interval:.6f},scale={tile_width}:{tile_height},tile={columns}x{rows}"
    run([*src, "-vf", vf, "-frames:v", "1", "-q:v", "4", sprite.name], timeout=timeout, cwd=out_dir)
    lines = ["WEBVTT", ""]
    for i in range(tiles):
        start, end = i * interval, min(info.duration_s, (i + 1) * interval)
        x, y = (i % columns) * tile_width, (i // columns) * tile_height
        lines += [
            f"{_ts(start)} --> {_ts(end)}",
            f"{sprite.name}#xywh={x},{y},{tile_width},{tile_height}",
            "",
        ]
    vtt = out_dir / "thumbnails.vtt"
    vtt.write_text("\n".join(lines), encoding="utf-8")
    return Thumbnails(poster, sprite, vtt, tiles, interval)
