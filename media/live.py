"""Live ingest: one ffmpeg process per stream listens for RTMP, transcodes to a small HLS ladder.

A broadcaster (OBS, ffmpeg) pushes FLV over RTMP to ``rtmp://<host>:<port>/live/<key>``.
ffmpeg's own listener (``-listen 1``) accepts the connection, decodes once, and ``split``
fans frames out to one ``scale`` + libx264 (``ultrafast``, ``zerolatency``) encoder per rung,
with keyframes forced every segment so renditions switch on segment boundaries. The HLS muxer
writes an EVENT playlist per rung (every segment from the start stays listed, so the finished
stream is already a complete VOD once ``#EXT-X-ENDLIST`` is written) and a master playlist.
The bundled ffmpeg's HLS muxer has no partial segments (LL-HLS), so segments are 2 s.

The same process copies the pushed stream untouched into an MPEG-TS file (readable up to the
last packet even when the broadcaster drops), the source the VOD pipeline transcodes later.

ffmpeg's listener does not refuse a publish to another path: it logs "Unexpected stream" and
reads it anyway. :func:`key_mismatch` spots that line so the caller can kill the process
before a segment is written. The network is needed here (loopback), so unlike
:mod:`media.ffmpeg` this process is not put in an empty network namespace; its inputs are
restricted to the ``tcp`` and ``rtmp`` protocols.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from media.ffmpeg import ffmpeg_exe

SEGMENT_SECONDS = 2.0
#: Codecs a broadcaster may push (FLV/RTMP as OBS sends it).
VIDEO_CODECS = frozenset({"h264"})
AUDIO_CODECS = frozenset({"aac", "mp3"})

_STREAM = re.compile(r"Stream #0:\d+.*?: (Video|Audio): ([A-Za-z0-9_]+)")
_MISMATCH = ("Unexpected stream", "App field don't match up")


@dataclass(frozen=True)
class LiveRung:
    """One live rendition: its height (width follows the source's aspect) and bitrates."""

    height: int
    video_kbps: int
    audio_kbps: int = 96

    @property
    def name(self) -> str:
        return f"{self.height}p"


#: Two light rungs: a 2-core machine encodes both in real time with ``ultrafast``.
DEFAULT_RUNGS = (LiveRung(360, 800), LiveRung(234, 300))


def ingest_url(host: str, port: int, key: str) -> str:
    return f"rtmp://{host}:{port}/live/{key}"


def live_command(
    *,
    host: str,
    port: int,
    key: str,
    out_dir: Path,
    source: Path,
    rungs: tuple[LiveRung, ...] = DEFAULT_RUNGS,
    wait_s: int = 60,
    segment_s: float = SEGMENT_SECONDS,
) -> list[str]:
    """The ffmpeg command line of one stream's listener and live transcoder.

    ``out_dir`` receives ``master.m3u8``, ``<rung>.m3u8`` and ``<rung>_<n>.ts``; ``source``
    the untouched copy of what was pushed. ``wait_s`` bounds how long it waits for a
    broadcaster.
    """
    n = len(rungs)
    split = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n))
    scales = [f"[s{i}]scale=-2:{r.height}[v{i}]" for i, r in enumerate(rungs)]
    cmd = [
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-y",
        "-protocol_whitelist",
        "tcp,rtmp",
        "-listen",
        "1",
        "-timeout",
        str(int(wait_s)),
        "-i",
        ingest_url(host, port, key),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0",
        "-c",
        "copy",
        "-f",
        "mpegts",
        str(source),
        "-filter_complex",
        ";".join([split, *scales]),
    ]
    stream_map = []
    for i, r in enumerate(rungs):
        cmd += ["-map", f"[v{i}]", "-map", "0:a:0"]
        cmd += [f"-b:v:{i}", f"{r.video_kbps}k", f"-maxrate:v:{i}", f"{int(r.video_kbps * 1.2)}k"]
        cmd += [f"-bufsize:v:{i}", f"{r.video_kbps * 2}k", f"-b:a:{i}", f"{r.audio_kbps}k"]
        stream_map.append(f"v:{i},a:{i},name:{r.name}")
    cmd += [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-sc_threshold",
        "0",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{segment_s})",
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-ar",
        "48000",
        "-f",
        "hls",
        "-hls_time",
        str(segment_s),
        "-hls_list_size",
        "0",
        "-hls_playlist_type",
        "event",
        "-hls_flags",
        "independent_segments+program_date_time+temp_file",
        "-master_pl_name",
        "master.m3u8",
        "-var_stream_map",
        " ".join(stream_map),
        "-hls_segment_filename",
        str(out_dir / "%v_%05d.ts"),
    ]
    return [*cmd, str(out_dir / "%v.m3u8")]


def key_mismatch(line: str) -> bool:
    """True for the log line of a publish to another app or stream key than the listener's."""
    return any(m in line for m in _MISMATCH)


def codec_problem(line: str) -> str | None:
    """The reason to refuse a pushed stream, from an ``Input #0`` stream line of the log."""
    m = _STREAM.search(line)
    if m is None or "Input" in line:
        return None
    kind, codec = m.group(1), m.group(2).lower()
    allowed = VIDEO_CODECS if kind == "Video" else AUDIO_CODECS
    if codec not in allowed:
        return f"unsupported {kind.lower()} codec {codec}: push {' or '.join(sorted(allowed))}"
    return None


def close_playlists(out_dir: Path) -> list[str]:
    """End every media playlist with ``#EXT-X-ENDLIST`` (ffmpeg writes it on a clean exit,
    not when killed); returns the media playlists."""
    names = []
    for pl in sorted(out_dir.glob("*.m3u8")):
        if pl.name == "master.m3u8":
            continue
        names.append(pl.name)
        text = pl.read_text(encoding="utf-8")
        if "#EXT-X-ENDLIST" not in text:
            tmp = pl.with_suffix(".m3u8.tmp")
            tmp.write_text(text.rstrip("\n") + "\n#EXT-X-ENDLIST\n", encoding="utf-8")
            tmp.replace(pl)
    return names


def segment_count(out_dir: Path) -> int:
    """Segments published so far (in the first media playlist)."""
    for pl in sorted(out_dir.glob("*.m3u8")):
        if pl.name != "master.m3u8":
            return sum(
                1 for ln in pl.read_text(encoding="utf-8").splitlines() if ln.endswith(".ts")
            )
    return 0


def push_test_source(
    url: str,
    seconds: float,
    *,
    size: str = "640x360",
    rate: int = 30,
    video_codec: str = "libx264",
    audio: bool = True,
) -> subprocess.Popen[bytes]:
    """Push a generated test card (and a tone) to ``url`` in real time, as OBS would: H.264
    with 2 s GOPs and AAC in FLV over RTMP. Returns the running pusher; the caller waits for
    it, or kills it (a drop)."""
    video = f"testsrc=size={size}:rate={rate}"
    # Real time from the first frame: no initial burst (ffmpeg's default sends 0.5 s at once,
    # which would push frames before their capture time).
    paced = ["-re", "-readrate_initial_burst", "0"]
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error"]
    cmd += [*paced, "-f", "lavfi", "-i", video]
    if audio:
        cmd += [*paced, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    cmd += ["-t", f"{seconds}", "-c:v", video_codec]
    if video_codec == "libx264":
        cmd += ["-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"]
    cmd += ["-g", str(rate * 2)]
    if audio:
        cmd += ["-c:a", "aac", "-b:a", "96k"]
    cmd += ["-f", "flv", url]
    return subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
