"""Safe probing and admission of uploaded media.

Defence in depth, cheapest first: magic bytes decide the container before ffmpeg sees the
file (playlists, concat scripts, SDP, XML manifests and other text are refused outright, so
nothing can make ffmpeg open another file or a URL); ffmpeg then runs in a job directory with
the demuxer forced, ``-format_whitelist`` and ``-protocol_whitelist file``, without network;
the parsed ``ffmpeg -i`` report is checked against codec and size limits; finally a full
decode with ``-xerror`` catches truncated and corrupt files.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from media.ffmpeg import FFmpegError, run

ALLOWED_DEMUXERS = {
    "mov": "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska": "matroska,webm",
    "mpegts": "mpegts",
    "avi": "avi",
}
ALLOWED_VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mjpeg"}
ALLOWED_AUDIO_CODECS = {"aac", "mp3", "opus", "vorbis", "ac3", "pcm_s16le", "flac"}
TEXT_MARKERS = (b"#EXTM3U", b"#EXTINF", b"ffconcat", b"<?xml", b"<MPD", b"v=0", b"[playlist]")
URL_MARKERS = (
    b"file:",
    b"http:",
    b"https:",
    b"rtmp:",
    b"rtsp:",
    b"udp:",
    b"tcp:",
    b"concat:",
    b"subfile:",
    b"data:",
    b"crypto:",
    b"pipe:",
)


class Rejected(ValueError):
    """The upload is not admitted; ``reason`` is shown to the uploader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    max_duration_s: float = 600.0
    min_duration_s: float = 0.2
    max_width: int = 3840
    max_height: int = 2160
    min_side: int = 32
    max_fps: float = 120.0
    min_fps: float = 1.0
    decode_timeout_s: float = 120.0


@dataclass
class ProbeInfo:
    container: str
    duration_s: float
    width: int
    height: int
    fps: float
    video_codec: str
    audio_codec: str | None
    size_bytes: int
    bitrate_kbps: float | None = None
    streams: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sniff(head: bytes) -> str:
    """The container family from magic bytes, or raise :class:`Rejected` with a reason."""
    if not head:
        raise Rejected("empty file: zero bytes uploaded")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for marker in TEXT_MARKERS:
        # Only a leading marker counts: binary media may hold any bytes further in, and any
        # other text is refused below anyway.
        if stripped.startswith(marker):
            raise Rejected(
                f"playlists, manifests and concat scripts are not accepted ({marker.decode()!r})"
            )
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "mov"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if len(head) >= 377 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return "mpegts"
    if _looks_textual(head):
        lowered = head.lower()
        if any(m in lowered for m in URL_MARKERS):
            raise Rejected("text input referencing other files or URLs is not accepted")
        raise Rejected("not a video: the file is text")
    raise Rejected(
        "not a video: unrecognised or unsupported container (allowed: "
        "MP4/MOV, Matroska/WebM, MPEG-TS, AVI)"
    )


def _looks_textual(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    printable = sum(1 for b in head if 32 <= b < 127 or b in (9, 10, 13))
    return printable / max(1, len(head)) > 0.9


_INPUT = re.compile(r"^Input #0, ([\w,]+), from", re.M)
_DURATION = re.compile(r"Duration: (N/A|(\d+):(\d\d):(\d\d(?:\.\d+)?)).*?bitrate: (N/A|\d+) kb/s")
_VIDEO = re.compile(
    r"Stream #0:\d+.*?: Video: (\w+).*?, (\d{1,6})x(\d{1,6})[ ,].*?(?:([\d.]+) fps|([\d.]+) tbr)"
)
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)")


def parse_report(stderr: str, size_bytes: int) -> ProbeInfo:
    """Parse the stream report ``ffmpeg -i`` prints (there is no ffprobe in the wheel)."""
    m = _INPUT.search(stderr)
    if m is None:
        raise Rejected(f"not a readable video: {_reason(stderr)}")
    container = m.group(1)
    d = _DURATION.search(stderr)
    if d is None or d.group(1) == "N/A":
        raise Rejected("the container declares no duration")
    duration = int(d.group(2)) * 3600 + int(d.group(3)) * 60 + float(d.group(4))
    bitrate = None if d.group(5) == "N/A" else float(d.group(5))
    videos = [v for v in _VIDEO.finditer(stderr) if "attached pic" not in v.group(0)]
    if not videos:
        raise Rejected("no video stream found")
    v = videos[0]
    fps = float(v.group(4) or v.group(5) or 0.0)
    audio = _AUDIO.search(stderr)
    streams = [ln.strip() for ln in stderr.splitlines() if ln.strip().startswith("Stream #")]
    return ProbeInfo(
        container=container,
        duration_s=round(duration, 3),
        width=int(v.group(2)),
        height=int(v.group(3)),
        fps=fps,
        video_codec=v.group(1),
        audio_codec=audio.group(1) if audio else None,
        size_bytes=size_bytes,
        bitrate_kbps=bitrate,
        streams=streams,
    )


def _reason(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith(("At least one output", "Use -h"))]
    return (useful[-1] if useful else "ffmpeg could not read it")[:200]


def check_limits(info: ProbeInfo, limits: Limits) -> None:
    """Raise :class:`Rejected` when the report breaks the allow-list or a limit."""
    if info.container not in ALLOWED_DEMUXERS.values():
        raise Rejected(f"container {info.container} is not allowed")
    if info.video_codec not in ALLOWED_VIDEO_CODECS:
        raise Rejected(f"video codec {info.video_codec} is not allowed")
    if info.audio_codec is not None and info.audio_codec not in ALLOWED_AUDIO_CODECS:
        raise Rejected(f"audio codec {info.audio_codec} is not allowed")
    if info.duration_s > limits.max_duration_s:
        raise Rejected(f"too long: {info.duration_s:.0f}s (limit {limits.max_duration_s:.0f}s)")
    if info.duration_s < limits.min_duration_s:
        raise Rejected(f"too short: {info.duration_s:.2f}s")
    if info.width > limits.max_width or info.height > limits.max_height:
        raise Rejected(
            f"dimensions {info.width}x{info.height} exceed {limits.max_width}x{limits.max_height}"
        )
    if min(info.width, info.height) < limits.min_side:
        raise Rejected(f"dimensions {info.width}x{info.height} are too small")
    if not limits.min_fps <= info.fps <= limits.max_fps:
        raise Rejected(f"frame rate {info.fps} fps outside {limits.min_fps}-{limits.max_fps}")


def probe(path: Path, job_dir: Path, limits: Limits | None = None) -> ProbeInfo:
    """Admit ``path`` or raise :class:`Rejected`. Work happens in ``job_dir`` only.

    The file is linked (or copied) into ``job_dir`` as ``input`` and ffmpeg is pointed at
    ``file:input`` with its working directory there, so relative names cannot escape it.
    """
    limits = limits or Limits()
    size = path.stat().st_size
    with path.open("rb") as fh:
        family = sniff(fh.read(4096))
    job_dir.mkdir(parents=True, exist_ok=True)
    local = job_dir / "input"
    if not local.exists():
        try:
            os.link(path, local)
        except OSError:
            shutil.copyfile(path, local)
    base = [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        ALLOWED_DEMUXERS[family],
        "-f",
        family.split(",")[0],
        "-i",
        "file:input",
    ]
    try:
        report = run(base, timeout=30, cwd=job_dir, check=False)
    except FFmpegError as exc:
        raise Rejected(f"probe failed: {exc}") from exc
    info = parse_report(report.stderr, size)
    check_limits(info, limits)
    decode = [
        *base[:-2],
        "-xerror",
        "-v",
        "error",
        "-i",
        "file:input",
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-f",
        "null",
        "-",
    ]
    try:
        run(decode, timeout=limits.decode_timeout_s, cwd=job_dir, check=True)
    except FFmpegError as exc:
        if "timed out" in str(exc):
            raise Rejected(f"decoding took longer than {limits.decode_timeout_s:.0f}s") from exc
        raise Rejected(f"corrupt or truncated: {str(exc).split(': ', 1)[-1]}") from exc
    return info


def input_args(info: ProbeInfo, name: str = "file:input") -> list[str]:
    """The input options every later ffmpeg run on an admitted file uses."""
    family = next(k for k, v in ALLOWED_DEMUXERS.items() if v == info.container)
    return [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        info.container,
        "-f",
        family,
        "-i",
        name,
    ]
