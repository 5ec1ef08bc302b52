"""Tiny generated clips shared by the media and video tests (made once per session)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from media.samples import make_test_clip

_DIR = Path(tempfile.mkdtemp(prefix="bp-clips-"))
atexit.register(shutil.rmtree, _DIR, True)


@functools.cache
def clip(width: int = 640, height: int = 360, seconds: float = 4.0, audio: bool = True) -> Path:
    """A synthetic H.264/AAC MP4; cached by its parameters for the whole session."""
    dest = _DIR / f"clip-{width}x{height}-{seconds:g}-{int(audio)}.mp4"
    return make_test_clip(dest, width=width, height=height, seconds=seconds, audio=audio)


@functools.cache
def hostile(kind: str) -> Path:
    """Files an attacker or a broken client could upload."""
    dest = _DIR / f"hostile-{kind}"
    good = clip().read_bytes()
    if kind == "m3u8-file":
        dest.write_text(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
        )
    elif kind == "m3u8-http":
        dest.write_text("#EXTM3U\n#EXTINF:2,\nhttp://127.0.0.1:9/seg.ts\n#EXT-X-ENDLIST\n")
    elif kind == "ffconcat":
        dest.write_text("ffconcat version 1.0\nfile '/etc/passwd'\nfile 'http://127.0.0.1:9/x'\n")
    elif kind == "concat-url-text":
        dest.write_text("concat:/etc/passwd|/etc/hostname\n")
    elif kind == "truncated":
        dest.write_bytes(good[: len(good) // 2])  # moov first (faststart), mdat cut short
    elif kind == "corrupt":
        data = bytearray(good)
        start = len(data) // 3
        data[start : start + 30000] = bytes((i * 37) & 0xFF for i in range(30000))
        dest.write_bytes(bytes(data))
    elif kind == "empty":
        dest.write_bytes(b"")
    elif kind == "text":
        dest.write_text("just some notes, not a video\n" * 20)
    elif kind == "png":
        dest.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    elif kind == "audio-only":
        make_test_clip(dest.with_suffix(".mp4"), seconds=1, width=64, height=64)
        from media.ffmpeg import run

        run(
            ["-i", str(dest.with_suffix(".mp4")), "-vn", "-c:a", "copy", "-f", "mp4", str(dest)],
            timeout=60,
        )
    elif kind == "hours-long":
        from media.ffmpeg import run

        run(
            [
                "-f",
                "lavfi",
                "-i",
                "color=size=64x64:rate=1",
                "-t",
                "7200",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-f",
                "mp4",
                str(dest),
            ],
            timeout=120,
        )
    elif kind == "absurd-dimensions":
        from media.ffmpeg import run

        run(
            [
                "-f",
                "lavfi",
                "-i",
                "color=size=8000x64:rate=5",
                "-t",
                "1",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-f",
                "mp4",
                str(dest),
            ],
            timeout=120,
        )
    else:
        raise KeyError(kind)
    return dest
