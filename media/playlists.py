"""Reading a packaged ladder back: playlists, segment durations, keyframes, decodability.

These are the facts the Dagster asset checks assert on. A rendition is rebuilt as one fMP4
file (init segment + media segments, which is valid CMAF concatenation) and read with
``-c copy`` (keyframes, no decode) or decoded end to end with ``-xerror``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from media.ffmpeg import FFmpegError, run

_STREAM_INF = re.compile(r"#EXT-X-STREAM-INF:(.*)\n([^\n#]+)")
_ATTR = re.compile(r'([A-Z-]+)=("[^"]*"|[^,]*)')


@dataclass
class Rendition:
    playlist: str
    bandwidth: int
    width: int
    height: int
    init: str
    segments: list[str] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.height}p"


def rendition_names(renditions: list[Rendition]) -> list[str]:
    """A distinct name per rendition: its height, and its bitrate too where rungs share a
    height (Apple's ladder has two 432p and two 720p rungs; a per-title one may have more)."""
    counts = Counter(r.height for r in renditions)
    return [
        r.name if counts[r.height] == 1 else f"{r.name}-{round(r.bandwidth / 1000)}k"
        for r in renditions
    ]


def _media_playlist(path: Path) -> tuple[str, list[str], list[float]]:
    init, segments, durations = "", [], []
    pending: float | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#EXT-X-MAP:"):
            init = dict(_ATTR.findall(line[len("#EXT-X-MAP:") :]))["URI"].strip('"')
        elif line.startswith("#EXTINF:"):
            pending = float(line[len("#EXTINF:") :].split(",")[0])
        elif line and not line.startswith("#") and pending is not None:
            segments.append(line.strip())
            durations.append(pending)
            pending = None
    return init, segments, durations


def video_renditions(out_dir: Path) -> list[Rendition]:
    """The video renditions the HLS master playlist lists, lowest bandwidth first."""
    master = (out_dir / "master.m3u8").read_text(encoding="utf-8")
    found = []
    for attrs, uri in _STREAM_INF.findall(master):
        a = {k: v.strip('"') for k, v in _ATTR.findall(attrs)}
        w, h = (int(x) for x in a["RESOLUTION"].split("x"))
        init, segments, durations = _media_playlist(out_dir / uri.strip())
        found.append(Rendition(uri.strip(), int(a["BANDWIDTH"]), w, h, init, segments, durations))
    return sorted(found, key=lambda r: r.bandwidth)


def audio_playlists(out_dir: Path) -> list[str]:
    master = (out_dir / "master.m3u8").read_text(encoding="utf-8")
    return [m.strip('"') for m in re.findall(r'#EXT-X-MEDIA:TYPE=AUDIO.*?URI=("[^"]+")', master)]


def assemble(out_dir: Path, rendition: Rendition, dest: Path) -> Path:
    """Init + media segments as one playable fMP4 file."""
    with dest.open("wb") as fh:
        for name in [rendition.init, *rendition.segments]:
            fh.write((out_dir / name).read_bytes())
    return dest


def keyframe_times(path: Path, timeout: float = 120) -> list[float]:
    """Presentation times (s) of the video keyframes, read from packets without decoding."""
    report = run(
        [
            "-protocol_whitelist",
            "file",
            "-v",
            "error",
            "-i",
            f"file:{path.resolve()}",
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "framecrc",
            "-",
        ],
        timeout=timeout,
    )
    tb_num, tb_den = 1, 1
    times = []
    for line in report.stdout.splitlines():
        if line.startswith("#tb 0:"):
            tb_num, tb_den = (int(x) for x in line.split(":", 1)[1].strip().split("/"))
        elif line and not line.startswith("#"):
            cols = [c.strip() for c in line.split(",")]
            if len(cols) == 6:  # no "F=" column: the packet carries the key flag
                times.append(round(int(cols[2]) * tb_num / tb_den, 3))
    return sorted(times)


def decodes_cleanly(path: Path, timeout: float = 300) -> tuple[bool, str]:
    """Decode every frame with ``-xerror``: (ok, error text)."""
    try:
        run(
            [
                "-protocol_whitelist",
                "file",
                "-xerror",
                "-v",
                "error",
                "-i",
                f"file:{path.resolve()}",
                "-f",
                "null",
                "-",
            ],
            timeout=timeout,
        )
    except FFmpegError as exc:
        return False, f"{exc} {exc.stderr[-300:]}"
    return True, ""


def segment_duration_problems(
    rendition: Rendition, target: float, tolerance: float = 0.1
) -> list[str]:
    """Segments (all but the last) whose duration is off ``target`` by more than ``tolerance``."""
    bad = []
    for name, d in list(zip(rendition.segments, rendition.durations, strict=True))[:-1]:
        if abs(d - target) > tolerance:
            bad.append(f"{name}: {d:.3f}s")
    if rendition.durations and rendition.durations[-1] > target + tolerance:
        bad.append(f"{rendition.segments[-1]}: {rendition.durations[-1]:.3f}s (last)")
    return bad
