"""Adaptive-bitrate ladders: Apple's HLS authoring rungs, encoded by ONE ffmpeg process.

The source is decoded once; ``split`` fans frames out to one ``scale`` + libx264 encoder per
rung. Keyframes are forced every 2 s on every rung (``force_key_frames`` plus
``sc_threshold 0``), so segment boundaries line up across renditions. ffmpeg's DASH muxer
writes CMAF/fMP4 segments once and describes them twice: a DASH MPD and, with
``-hls_playlist 1``, an HLS master playlist with one media playlist per representation.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from media.ffmpeg import run
from media.probe import ProbeInfo, input_args

SEGMENT_SECONDS = 2.0

# Apple HLS authoring specification, H.264 16:9 ladder (height, kbps): 432p, 720p and 1080p
# each have two rungs, at two bitrates.
APPLE_LADDER: tuple[tuple[int, int], ...] = (
    (234, 145),
    (360, 365),
    (432, 730),
    (432, 1100),
    (540, 2000),
    (720, 3000),
    (720, 4500),
    (1080, 6000),
    (1080, 7800),
)


@dataclass(frozen=True)
class Rung:
    width: int
    height: int
    kbps: int
    crf: int | None = None
    #: x264 zones (``start,end,crf=N/...``, output frame numbers): a CRF per shot.
    zones: str | None = None

    @property
    def name(self) -> str:
        return f"{self.height}p"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _even(x: float) -> int:
    return max(2, int(round(x / 2.0)) * 2)


def plan_ladder(width: int, height: int) -> list[Rung]:
    """Apple rungs from 416x234 up to the source, never upscaling, keeping the aspect ratio.

    A source between two rungs gets a top rung at its own size, with a bitrate scaled by
    pixel count from the rung below; a source smaller than 234 lines gets one rung as is.
    """
    aspect = width / height
    rungs = [Rung(_even(h * aspect), h, kbps) for h, kbps in APPLE_LADDER if h <= height]
    rungs = [r for r in rungs if r.width <= width]
    if not rungs:
        return [Rung(_even(width), _even(height), max(100, int(145 * width * height / 97344)))]
    top = rungs[-1]
    if top.height < height and top.height < APPLE_LADDER[-1][0]:
        ratio = (width * height) / (top.width * top.height)
        if ratio > 1.2:
            rungs.append(Rung(_even(width), _even(height), int(top.kbps * ratio**0.75)))
    return rungs


def _video_encoder_args(index: int, rung: Rung, preset: str) -> list[str]:
    opts = [
        f"-c:v:{index}",
        "libx264",
        f"-preset:v:{index}",
        preset,
        f"-profile:v:{index}",
        "high",
        f"-pix_fmt:v:{index}",
        "yuv420p",
    ]
    if rung.crf is not None:
        opts += [f"-crf:v:{index}", str(rung.crf)]
        if rung.zones:
            opts += [f"-x264-params:v:{index}", f"zones={rung.zones}"]
        opts += [
            f"-maxrate:v:{index}",
            f"{rung.kbps * 2}k",
            f"-bufsize:v:{index}",
            f"{rung.kbps * 4}k",
        ]
    else:
        opts += [
            f"-b:v:{index}",
            f"{rung.kbps}k",
            f"-maxrate:v:{index}",
            f"{int(rung.kbps * 1.1)}k",
            f"-bufsize:v:{index}",
            f"{rung.kbps * 2}k",
        ]
    return opts


def scale_filter(rung: Rung, top: Rung) -> str:
    """Scale to ``rung`` with the pixel aspect ratio that gives it exactly ``top``'s display
    aspect ratio. Even-rounded sizes of a non-16:9 source differ in aspect by a fraction of a
    percent (550x234 next to 640x272), and the DASH muxer refuses renditions of unequal
    aspect in one adaptation set; the players scale the near-square pixels back."""
    sar = Fraction(top.width * rung.height, top.height * rung.width)
    limit = max(sar.numerator, sar.denominator, 100)
    return (
        f"scale={rung.width}:{rung.height}:flags=bicubic,"
        f"setsar=r={sar.numerator}/{sar.denominator}:max={limit}"
    )


def split_scale(rungs: list[Rung]) -> str:
    """The filter graph that decodes once and scales to every rung: outputs ``[v0]..[vN]``."""
    n = len(rungs)
    top = max(rungs, key=lambda r: r.width * r.height)
    return (
        f"[0:v]split={n}"
        + "".join(f"[s{i}]" for i in range(n))
        + ";"
        + ";".join(f"[s{i}]{scale_filter(r, top)}[v{i}]" for i, r in enumerate(rungs))
    )


def keyframe_args() -> list[str]:
    """A keyframe at every segment boundary and none elsewhere, so rungs switch cleanly."""
    return ["-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS:g})", "-sc_threshold", "0"]


@dataclass
class LadderResult:
    out_dir: Path
    rungs: list[Rung]
    seconds: float
    source_duration_s: float
    has_audio: bool

    @property
    def realtime_multiple(self) -> float:
        return self.source_duration_s / self.seconds if self.seconds > 0 else math.inf


def build_ladder(
    source: Path,
    info: ProbeInfo,
    out_dir: Path,
    rungs: list[Rung] | None = None,
    *,
    preset: str = "veryfast",
    threads: int = 0,
    on_progress: Callable[[float, dict[str, str]], None] | None = None,
    timeout: float = 1800,
) -> LadderResult:
    """Encode every rung in one ffmpeg process and package CMAF segments for HLS and DASH.

    ``on_progress(fraction, raw)`` receives progress parsed from ``-progress pipe:1``.
    ``out_dir`` is emptied first; ffmpeg runs with it as working directory.
    """
    rungs = rungs or plan_ladder(info.width, info.height)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    n = len(rungs)
    args = [*input_args(info, f"file:{source.resolve()}"), "-filter_complex", split_scale(rungs)]
    for i in range(n):
        args += ["-map", f"[v{i}]"]
    has_audio = info.audio_codec is not None
    if has_audio:
        args += ["-map", "0:a:0", "-c:a", "aac", "-b:a", "128k", "-ac", "2"]
    for i, rung in enumerate(rungs):
        args += _video_encoder_args(i, rung, preset)
    args += keyframe_args()
    if threads:
        args += ["-threads", str(threads)]
    sets = "id=0,streams=v" + (" id=1,streams=a" if has_audio else "")
    args += [
        "-f",
        "dash",
        "-seg_duration",
        f"{SEGMENT_SECONDS:g}",
        "-use_template",
        "1",
        "-use_timeline",
        "1",
        "-adaptation_sets",
        sets,
        "-hls_playlist",
        "1",
        "-hls_master_name",
        "master.m3u8",
        "-dash_segment_type",
        "mp4",
        "-init_seg_name",
        "init-$RepresentationID$.m4s",
        "-media_seg_name",
        "seg-$RepresentationID$-$Number%05d$.m4s",
        "manifest.mpd",
    ]
    progress = None
    if on_progress is not None:
        best = [0.0]

        def progress(block: dict[str, str]) -> None:
            # out_time can read N/A between blocks; report a monotone fraction.
            best[0] = max(best[0], _fraction(block, info.duration_s))
            on_progress(best[0], block)

    # ffmpeg reads the source by absolute path, so file: must be the only protocol allowed.
    started = time.perf_counter()
    run(args, timeout=timeout, cwd=out_dir, on_progress=progress)
    return LadderResult(out_dir, rungs, time.perf_counter() - started, info.duration_s, has_audio)


def _fraction(block: dict[str, str], duration_s: float) -> float:
    if block.get("progress") == "end":
        return 1.0
    try:
        out_us = int(block.get("out_time_us", "0"))
    except ValueError:
        return 0.0
    return max(0.0, min(1.0, out_us / 1e6 / duration_s)) if duration_s > 0 else 0.0


def encode_rungs_separately(
    source: Path,
    info: ProbeInfo,
    out_dir: Path,
    rungs: list[Rung],
    *,
    preset: str = "veryfast",
    timeout: float = 1800,
) -> float:
    """The baseline: one ffmpeg process per rung (each decodes the source again). Seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    top = max(rungs, key=lambda r: r.width * r.height)
    for i, rung in enumerate(rungs):
        args = [
            *input_args(info, f"file:{source.resolve()}"),
            "-map",
            "0:v:0",
            "-vf",
            scale_filter(rung, top),
            *_video_encoder_args(0, rung, preset),
            *keyframe_args(),
        ]
        if i == 0 and info.audio_codec is not None:
            args += ["-map", "0:a:0", "-c:a", "aac", "-b:a", "128k", "-ac", "2"]
        args += ["-f", "mp4", f"rung{i}.mp4"]
        run(args, timeout=timeout, cwd=out_dir)
    return time.perf_counter() - started


LADDER_FILES = ("master.m3u8", "manifest.mpd", "media_*.m3u8", "init-*.m4s", "seg-*.m4s")


def publish(build_dir: Path, dest_dir: Path) -> list[str]:
    """Move a finished ladder into ``dest_dir`` (served by the CDN origin).

    Segments go first and the playlists and MPD last, each by atomic rename, so a player
    never sees a manifest naming a segment that is not there yet. Old ladder files that the
    new build does not contain are removed afterwards. Returns the published names.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in build_dir.iterdir() if p.is_file())
    manifests = [n for n in names if n.endswith((".m3u8", ".mpd"))]
    for name in [n for n in names if n not in manifests] + manifests:
        (build_dir / name).replace(dest_dir / name)
    keep = set(names)
    for pattern in LADDER_FILES:
        for old in dest_dir.glob(pattern):
            if old.name not in keep:
                old.unlink()
    shutil.rmtree(build_dir, ignore_errors=True)
    return names
