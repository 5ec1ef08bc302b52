"""Per-shot encoding, as Netflix's dynamic optimizer does it, and its servable ladder.

1. The title is split into shots at scene changes (:mod:`media.shots`).
2. Every shot is encoded on a resolution x CRF grid and each encode scored with VMAF
   against that shot, giving per shot a set of (bits, VMAF) points.
3. For a slope ``lambda``, each shot takes the point that maximises
   ``VMAF x frames - lambda x bits``: the point of its upper convex hull in (bits,
   VMAF x frames) where the hull's slope crosses ``lambda``. One ``lambda`` for all shots
   spends each bit where it buys most quality, so the title's frame-weighted mean VMAF is
   the highest reachable at its total bitrate. Sweeping ``lambda`` walks every shot up its
   hull in order of decreasing slope (:func:`lagrangian_curve`); each step is one
   optimal allocation, and together they are the title's per-shot curve.
4. A served rendition has one resolution (one init segment per representation in HLS and
   DASH), so the ladder is chosen from the same sweep restricted to one resolution at a
   time: per-shot CRF at a fixed size. Its rungs are encoded in one ffmpeg pass as capped
   CRF with x264 zones, a CRF per shot, keyframes every 2 s as on every ladder
   (:func:`served_rungs`), and then measured as served by the benchmark.

Bits are the video payload (``mdat``) of each encode; VMAF is the mean over frames, so a
title's VMAF is the frame-weighted mean of its shots'.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from media.ladder import SEGMENT_SECONDS, Rung, plan_ladder
from media.pertitle import Point, choose_rungs, convex_hull, encode_points, video_kbps
from media.playlists import assemble, video_renditions
from media.probe import ALLOWED_DEMUXERS, ProbeInfo
from media.shots import Shot, count_frames, cut_shot, detect_shots
from media.vmaf import vmaf_many

#: Encodes scored per ffmpeg process: one libvmaf instance each, a few hundred MB apiece
#: at 720p, so a whole grid at once would take gigabytes.
VMAF_BATCH = 8


@dataclass(frozen=True)
class ShotPoint:
    """One grid encode of one shot."""

    shot: int
    width: int
    height: int
    crf: int
    bits: float
    vmaf: float
    frames: int


@dataclass
class Allocation:
    """One point per shot, and the title's bitrate and mean VMAF they give."""

    picks: tuple[ShotPoint, ...]
    kbps: float
    vmaf: float

    @property
    def sizes(self) -> set[tuple[int, int]]:
        return {(p.width, p.height) for p in self.picks}


def allocation(picks: Iterable[ShotPoint], fps: float) -> Allocation:
    """The title's bitrate and frame-weighted VMAF when each shot plays its pick."""
    chosen = tuple(sorted(picks, key=lambda p: p.shot))
    frames = sum(p.frames for p in chosen)
    seconds = frames / fps
    kbps = sum(p.bits for p in chosen) / 1000 / seconds
    vmaf = sum(p.vmaf * p.frames for p in chosen) / frames
    return Allocation(chosen, round(kbps, 2), round(vmaf, 3))


def shot_hull(points: list[ShotPoint]) -> list[ShotPoint]:
    """Upper convex hull of one shot's points in (bits, VMAF), ascending bits: the points
    some ``lambda`` picks. Dominated points (more bits, no more quality) are dropped."""
    pts = sorted(points, key=lambda p: (p.bits, -p.vmaf))
    hull: list[ShotPoint] = []
    for p in pts:
        if hull and p.vmaf <= hull[-1].vmaf:
            continue
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            cross = (b.bits - a.bits) * (p.vmaf - a.vmaf) - (b.vmaf - a.vmaf) * (p.bits - a.bits)
            if cross >= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    return hull


def lagrangian_curve(points: list[ShotPoint], fps: float) -> list[Allocation]:
    """Every allocation some ``lambda`` picks, from fewest bits to most.

    Each shot starts at the cheapest point of its hull; the hull edges of all shots are then
    taken in order of decreasing slope (VMAF x frames per bit), each moving one shot one
    point up. Because each shot's slopes decrease along its hull, this visits exactly the
    optimal allocations of the Lagrangian sweep.
    """
    by_shot: dict[int, list[ShotPoint]] = {}
    for p in points:
        by_shot.setdefault(p.shot, []).append(p)
    hulls = {s: shot_hull(pts) for s, pts in by_shot.items()}
    edges = []
    for s, hull in hulls.items():
        for i in range(1, len(hull)):
            a, b = hull[i - 1], hull[i]
            slope = (b.vmaf - a.vmaf) * b.frames / max(b.bits - a.bits, 1e-9)
            edges.append((slope, s, i))
    edges.sort(key=lambda e: -e[0])
    current = {s: 0 for s in hulls}
    curve = [allocation((hulls[s][0] for s in hulls), fps)]
    for _, s, i in edges:
        current[s] = i
        curve.append(allocation((hulls[t][current[t]] for t in hulls), fps))
    return curve


def per_title_curve(points: list[ShotPoint], fps: float) -> list[Allocation]:
    """The same (size, CRF) for every shot: what one encode of the whole title would do."""
    by_point: dict[tuple[int, int, int], list[ShotPoint]] = {}
    for p in points:
        by_point.setdefault((p.width, p.height, p.crf), []).append(p)
    shots = {p.shot for p in points}
    return [allocation(ps, fps) for ps in by_point.values() if {p.shot for p in ps} == shots]


def as_point(a: Allocation) -> Point:
    """An allocation as a title-level :class:`Point` (size of its largest shot encode)."""
    w, h = max(a.sizes, key=lambda s: s[0] * s[1])
    crf = a.picks[0].crf if len({p.crf for p in a.picks}) == 1 else None
    return Point(w, h, crf, a.kbps, a.vmaf)


def fixed_size_curves(points: list[ShotPoint], fps: float) -> list[Allocation]:
    """The Lagrangian sweep restricted to one size at a time, all sizes together."""
    sizes = sorted({(p.width, p.height) for p in points}, key=lambda s: s[1])
    out: list[Allocation] = []
    for size in sizes:
        out += lagrangian_curve([p for p in points if (p.width, p.height) == size], fps)
    return out


def choose_served(points: list[ShotPoint], fps: float, **kw: float) -> list[Allocation]:
    """The ladder: rungs of one size each with a CRF per shot, chosen as
    :func:`media.pertitle.choose_rungs` chooses per-title rungs (each adds about one
    just-noticeable difference, at a worthwhile bitrate), on the hull of the one-size curves."""
    curves = fixed_size_curves(points, fps)
    pts = [as_point(a) for a in curves]
    lookup = {id(p): a for p, a in zip(pts, curves, strict=True)}
    hull = convex_hull(pts, log_rate=False)
    return [lookup[id(p)] for p in choose_rungs(hull, **kw)]


def zones(a: Allocation, shots: list[Shot], base: int) -> str:
    """x264 zones giving each shot of ``a`` its CRF where it differs from ``base``."""
    parts = [
        f"{shots[p.shot].start},{shots[p.shot].end - 1},crf={p.crf}"
        for p in a.picks
        if p.crf != base
    ]
    return "/".join(parts)


def served_rung(a: Allocation, shots: list[Shot]) -> Rung:
    """A capped-CRF rung encoding ``a``: base CRF the most frequent (by frames), zones for
    the other shots, and a nominal bitrate of its most demanding shot, so the ladder's VBV
    cap (twice the nominal) does not bind where the allocation spends most."""
    (w, h), *rest = a.sizes
    if rest:
        raise ValueError("a served rung has one size")
    weight: dict[int, int] = {}
    for p in a.picks:
        weight[p.crf] = weight.get(p.crf, 0) + p.frames
    base = max(weight, key=lambda c: weight[c])
    peak = max(p.bits / 1000 / shots[p.shot].duration_s for p in a.picks)
    return Rung(w, h, max(1, math.ceil(peak)), base, zones(a, shots, base) or None)


def shot_keyframes(shot: Shot, segment_s: float = SEGMENT_SECONDS) -> str:
    """``-force_key_frames`` times of a shot cut from a title: its start, and the title's
    segment boundaries inside it, relative to the shot's start."""
    times = [0.0]
    k = math.floor(shot.start_s / segment_s) + 1
    while k * segment_s < shot.start_s + shot.duration_s - 1e-6:
        times.append(round(k * segment_s - shot.start_s, 4))
        k += 1
    return ",".join(f"{t:g}" for t in times)


@dataclass
class PerShotResult:
    shots: list[Shot]
    points: list[ShotPoint]
    curve: list[Allocation]
    per_title: list[Allocation]
    served: list[Allocation]
    rungs: list[Rung] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def alloc(a: Allocation) -> dict[str, Any]:
            return {"kbps": a.kbps, "vmaf": a.vmaf, "picks": [asdict(p) for p in a.picks]}

        return {
            "shots": [asdict(s) for s in self.shots],
            "points": [asdict(p) for p in self.points],
            "curve": [{"kbps": a.kbps, "vmaf": a.vmaf} for a in self.curve],
            "served": [alloc(a) for a in self.served],
            "rungs": [r.to_dict() for r in self.rungs],
        }


def measure_shots(
    source: Path,
    info: ProbeInfo,
    shots: list[Shot],
    sizes: list[tuple[int, int]],
    crfs: tuple[int, ...],
    work: Path,
    *,
    preset: str = "veryfast",
    subsample: int = 2,
    timeout: float = 1800,
) -> list[ShotPoint]:
    """Encode every shot at every (size, CRF) and score each encode against its shot."""
    points: list[ShotPoint] = []
    for i, shot in enumerate(shots):
        d = work / f"shot{i:02d}"
        ref = cut_shot(source, shot, d / "ref.mp4", timeout=timeout)
        shot_info = replace(
            info, container=ALLOWED_DEMUXERS["mov"], duration_s=shot.duration_s, audio_codec=None
        )
        rungs = [Rung(w, h, 0, c) for w, h in sizes for c in crfs]
        paths = encode_points(
            ref, shot_info, d, rungs, preset=preset, timeout=timeout, keyframes=shot_keyframes(shot)
        )
        scores: list[float] = []
        for k in range(0, len(paths), VMAF_BATCH):  # each libvmaf instance holds frames
            batch = paths[k : k + VMAF_BATCH]
            scores += vmaf_many(batch, ref, info.width, info.height, subsample=subsample)
        for path, r, score in zip(paths, rungs, scores, strict=True):
            bits = payload_bytes(path) * 8
            points.append(
                ShotPoint(i, r.width, r.height, int(r.crf or 0), bits, score, shot.frames)
            )
            path.unlink()
        ref.unlink()
    return points


def payload_bytes(path: Path) -> int:
    """Bytes of video payload (``mdat``) in an MP4, as :func:`media.pertitle.video_kbps`."""
    return int(round(video_kbps(path, 1.0) * 1000 / 8))


def analyse_shots(
    source: Path,
    info: ProbeInfo,
    shots: list[Shot],
    sizes: list[tuple[int, int]],
    crfs: tuple[int, ...],
    work: Path,
    **kw: Any,
) -> PerShotResult:
    """Grid, per-shot curve, per-title curve and the servable ladder of one title."""
    points = measure_shots(source, info, shots, sizes, crfs, work, **kw)
    served = choose_served(points, info.fps)
    result = PerShotResult(
        shots,
        points,
        lagrangian_curve(points, info.fps),
        per_title_curve(points, info.fps),
        served,
    )
    result.rungs = [served_rung(a, shots) for a in served]
    return result


def served_points(
    out_dir: Path,
    source: Path,
    info: ProbeInfo,
    *,
    subsample: int = 2,
    labels: list[int] | None = None,
) -> list[Point]:
    """Each rendition of a packaged ladder as served: its segments joined, the video payload
    as bitrate, VMAF against ``source``. ``labels`` name the rungs in ascending bandwidth."""
    renditions = video_renditions(out_dir)
    paths = [assemble(out_dir, r, out_dir / f"served-{i}.mp4") for i, r in enumerate(renditions)]
    scores = vmaf_many(paths, source, info.width, info.height, subsample=subsample)
    points = []
    for i, (r, path, score) in enumerate(zip(renditions, paths, scores, strict=True)):
        p = Point(r.width, r.height, None, round(video_kbps(path, info.duration_s), 1), score)
        p.target_kbps = int(labels[i]) if labels else int(r.bandwidth / 1000)
        points.append(p)
        path.unlink()
    return points


def analyse_title(
    source: Path,
    info: ProbeInfo,
    work: Path,
    *,
    heights: tuple[int, ...] | None = None,
    crfs: tuple[int, ...] = (22, 28, 34),
    subsample: int = 3,
    timeout: float = 1800,
) -> PerShotResult:
    """Shots of ``source`` and its servable per-shot ladder on Apple's sizes (those in
    ``heights`` when given): the per-video analysis the ladder asset serves from."""
    frames = count_frames(source, timeout=timeout)
    shots = detect_shots(source, frames, info.fps, timeout=timeout)
    ladder = plan_ladder(info.width, info.height)
    sizes = [(r.width, r.height) for r in ladder if heights is None or r.height in heights]
    sizes = list(dict.fromkeys(sizes)) or [(ladder[-1].width, ladder[-1].height)]
    return analyse_shots(
        source, info, shots, sizes, crfs, work, subsample=subsample, timeout=timeout
    )


def stored_rungs(data: dict[str, Any], floor: Callable[[int], float] | None = None) -> list[Rung]:
    """The served rungs of a stored analysis (``PerShotResult.to_dict``), ascending bitrate,
    leaving out any whose measured VMAF is under ``floor(height)``."""
    pairs = zip(data.get("rungs", []), data.get("served", []), strict=False)
    keep = [
        (a["kbps"], Rung(**r))
        for r, a in pairs
        if floor is None or a["vmaf"] >= floor(int(r["height"]))
    ]
    return [r for _, r in sorted(keep, key=lambda x: x[0])]
