"""Shots: split a title where ffmpeg's scene score says the picture changed.

Per-shot encoding (:mod:`media.pershot`) gives every shot its own rate, so the splitter must
find real cuts and never cut inside a shot. ffmpeg's ``scene`` score (0-1, the normalised
difference to the previous frame, corrected for the average motion) is high on a cut and
low on motion, pans and fades; ``select='gt(scene,T)'`` keeps the frames above ``T`` and
``showinfo`` prints their times. The strongest cuts win: no shot is shorter than
``min_shot_s`` (each shot costs its own encodes, and a flash or a fade scores high on
several frames in a row) and the number of shots is capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from media.ffmpeg import run

_SHOWINFO = re.compile(r"\bpts_time:\s*([0-9.]+)")
_SCORE = re.compile(r"lavfi\.scene_score=([0-9.]+)")


@dataclass(frozen=True)
class Shot:
    """Frames ``start`` (inclusive) to ``end`` (exclusive) of a constant-rate title."""

    start: int
    end: int
    fps: float

    @property
    def frames(self) -> int:
        return self.end - self.start

    @property
    def start_s(self) -> float:
        return self.start / self.fps

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def scene_cuts(
    path: Path, fps: float, *, threshold: float = 0.3, timeout: float = 300
) -> dict[int, float]:
    """Frame index -> scene score of every frame whose score is above ``threshold``."""
    graph = f"select='gt(scene,{threshold})',metadata=print:key=lavfi.scene_score,showinfo"
    res = run(
        [
            "-protocol_whitelist",
            "file",
            "-i",
            f"file:{path.resolve()}",
            "-an",
            "-vf",
            graph,
            "-f",
            "null",
            "-",
        ],
        timeout=timeout,
    )
    cuts: dict[int, float] = {}
    score = None
    for line in res.stderr.splitlines():
        m = _SCORE.search(line)
        if m:
            score = float(m.group(1))
            continue
        t = _SHOWINFO.search(line)
        if t and "Parsed_showinfo" in line:
            frame = int(round(float(t.group(1)) * fps))
            if frame > 0:
                cuts[frame] = score if score is not None else threshold
            score = None
    return cuts


def split_shots(
    cuts: dict[int, float], frames: int, fps: float, *, min_shot_s: float = 1.0, max_shots: int = 12
) -> list[Shot]:
    """Shots between the strongest cuts: taken by falling score, a cut is kept when it leaves
    every shot at least ``min_shot_s`` long, until there are ``max_shots`` shots."""
    min_frames = max(1, int(round(min_shot_s * fps)))
    kept: list[int] = []
    for f in sorted(cuts, key=lambda f: -cuts[f]):
        if len(kept) >= max_shots - 1:
            break
        if f < min_frames or frames - f < min_frames:
            continue
        if any(abs(f - k) < min_frames for k in kept):
            continue
        kept.append(f)
    bounds = [0, *sorted(kept), frames]
    return [Shot(a, b, fps) for a, b in zip(bounds, bounds[1:], strict=False)]


def detect_shots(
    path: Path,
    frames: int,
    fps: float,
    *,
    threshold: float = 0.3,
    min_shot_s: float = 1.0,
    max_shots: int = 12,
    timeout: float = 300,
) -> list[Shot]:
    """The shots of the constant-rate title at ``path`` (``frames`` frames at ``fps``)."""
    cuts = scene_cuts(path, fps, threshold=threshold, timeout=timeout)
    return split_shots(cuts, frames, fps, min_shot_s=min_shot_s, max_shots=max_shots)


def count_frames(path: Path, timeout: float = 300) -> int:
    """Frames in the first video stream, by decoding it (exact, whatever the container says)."""
    res = run(
        [
            "-protocol_whitelist",
            "file",
            "-i",
            f"file:{path.resolve()}",
            "-map",
            "0:v:0",
            "-f",
            "null",
            "-",
        ],
        timeout=timeout,
    )
    found = re.findall(r"frame=\s*(\d+)", res.stderr)
    return int(found[-1]) if found else 0


def cut_shot(source: Path, shot: Shot, dest: Path, timeout: float = 300) -> Path:
    """Frames of ``shot`` as a lossless H.264 file (the reference its encodes are scored on)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    run(
        [
            "-protocol_whitelist",
            "file",
            "-i",
            f"file:{source.resolve()}",
            "-map",
            "0:v:0",
            "-vf",
            f"trim=start_frame={shot.start}:end_frame={shot.end},setpts=PTS-STARTPTS",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-qp",
            "0",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "mp4",
            str(dest),
        ],
        timeout=timeout,
    )
    return dest
