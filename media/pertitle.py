"""Per-title ladders: measure a resolution x CRF grid with VMAF, keep the convex hull, pick
rungs that each add quality worth their bitrate, and compare with the fixed ladder.

The grid is encoded by one ffmpeg process (decode once, split, scale, encode every point),
like the ladder itself. The hull is the upper convex hull of (log2 bitrate, VMAF): the best
quality reachable at each bitrate by switching resolution and CRF. Savings are the bitrate
the hull needs to match each fixed rung's VMAF, compared with that rung's bitrate. That
bitrate is read off the hull in linear bitrate (what switching between two measured encodes
can deliver); reading it log-linearly, as the curve is drawn, overstates what a long chord
between two far-apart points can reach, so it is kept only as a second figure.

The grid's sizes are Apple's rungs, a size between each pair of them and two below the
bottom one, so that the hull can change resolution where the title needs it.

Grid and fixed rungs are encoded as a served rendition is (same preset, High profile, a
keyframe every 2 s segment), bitrates count the video payload only, and both are scored by
the same VMAF call. The grid is stretched until it covers every fixed rung's VMAF, then
refined once where the hull is a long chord, instead of a uniformly denser grid.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from media.ffmpeg import run
from media.ladder import Rung, keyframe_args, plan_ladder, split_scale
from media.probe import ProbeInfo, input_args
from media.vmaf import vmaf_many


@dataclass
class Point:
    width: int
    height: int
    crf: int | None
    kbps: float
    vmaf: float
    target_kbps: int | None = None  # a fixed rung's nominal bitrate (two rungs share 432p)

    @property
    def label(self) -> str:
        if self.crf is not None:
            return f"{self.height}p crf{self.crf}"
        nominal = f" {self.target_kbps}k" if self.target_kbps else ""
        return f"{self.height}p{nominal} fixed"


@dataclass
class PerTitleResult:
    grid: list[Point]
    hull: list[Point]
    chosen: list[Point]
    fixed: list[Point]
    saving: float | None
    savings_by_rung: dict[str, float]
    chosen_saving: float | None = None
    log_saving: float | None = None
    log_savings_by_rung: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "grid": [asdict(p) for p in self.grid],
            "hull": [asdict(p) for p in self.hull],
            "chosen": [asdict(p) for p in self.chosen],
            "fixed": [asdict(p) for p in self.fixed],
            "saving": self.saving,
            "savings_by_rung": self.savings_by_rung,
            "chosen_saving": self.chosen_saving,
            "log_saving": self.log_saving,
            "log_savings_by_rung": self.log_savings_by_rung,
        }

    def chosen_rungs(self) -> list[Rung]:
        return [Rung(p.width, p.height, int(math.ceil(p.kbps)), p.crf) for p in self.chosen]


def stored_rungs(data: dict[str, Any], floor: Callable[[int], float] | None = None) -> list[Rung]:
    """The chosen rungs of a stored analysis (``PerTitleResult.to_dict``) as capped-CRF ladder
    rungs, ascending bitrate, leaving out any under ``floor(height)`` so the served ladder
    passes the same quality gate as the fixed one."""
    points = [Point(**p) for p in data.get("chosen", []) if p.get("crf") is not None]
    keep = [p for p in points if floor is None or p.vmaf >= floor(p.height)]
    keep.sort(key=lambda p: p.kbps)
    return [Rung(p.width, p.height, max(1, int(math.ceil(p.kbps))), p.crf) for p in keep]


def encode_points(
    source: Path,
    info: ProbeInfo,
    work: Path,
    rungs: list[Rung],
    *,
    preset: str,
    timeout: float,
    keyframes: str | None = None,
) -> list[Path]:
    """Encode every rung (CRF or bitrate) to its own MP4 in one ffmpeg process.

    Grid and fixed rungs get the settings a served rendition gets (High profile, keyframes
    every segment), so the comparison is between ladders as they would be streamed. A shot
    cut from a title passes its own ``keyframes`` (``-force_key_frames`` times), the title's
    segment boundaries that fall inside it.
    """
    key_args = keyframe_args() if keyframes is None else ["-force_key_frames", keyframes]
    key_args += [] if keyframes is None else ["-sc_threshold", "0"]
    work.mkdir(parents=True, exist_ok=True)
    args = [*input_args(info, f"file:{source.resolve()}"), "-filter_complex", split_scale(rungs)]
    outputs = []
    for i, r in enumerate(rungs):
        rate = (
            ["-crf", str(r.crf)]
            if r.crf is not None
            else [
                "-b:v",
                f"{r.kbps}k",
                "-maxrate",
                f"{int(r.kbps * 1.1)}k",
                "-bufsize",
                f"{r.kbps * 2}k",
            ]
        )
        out = work / f"p{i}-{r.height}-{r.crf if r.crf is not None else r.kbps}.mp4"
        args += [
            "-map",
            f"[v{i}]",
            "-an",
            "-c:v",
            "libx264",
            "-preset",
            preset,
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            *rate,
            *key_args,
            "-f",
            "mp4",
            out.name,
        ]
        outputs.append(out)
    run(args, timeout=timeout, cwd=work)
    return outputs


def video_kbps(path: Path, duration_s: float) -> float:
    """Video bitrate of a video-only MP4 from its ``mdat`` payload, without the container.

    The file size would add a near-constant ~2 kB of ``moov`` index per file, which weighs
    far more on a 40 kbps point of a 5 s clip than on a 3 Mbps one and so tilts the hull.
    """
    data = path.read_bytes()
    payload, i = 0, 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[i + 8 : i + 16])
            header = 16
        elif size == 0:
            size = len(data) - i
        if size < header:
            break  # malformed box: fall back to what was counted (or the file size)
        if kind == b"mdat":
            payload += size - header
        i += size
    payload = payload or len(data)
    return payload * 8 / 1000 / max(duration_s, 1e-3)


def _measure(
    paths: list[Path], rungs: list[Rung], source: Path, info: ProbeInfo, subsample: int
) -> list[Point]:
    scores = vmaf_many(paths, source, info.width, info.height, subsample=subsample)
    points = []
    for path, r, score in zip(paths, rungs, scores, strict=True):
        kbps = video_kbps(path, info.duration_s)
        points.append(Point(r.width, r.height, r.crf, round(kbps, 1), score))
    return points


def convex_hull(points: list[Point], *, log_rate: bool = True) -> list[Point]:
    """Upper convex hull of (log2 kbps, VMAF), or of (kbps, VMAF) with ``log_rate=False``,
    ascending bitrate (Pareto-optimal points)."""
    rate = math.log2 if log_rate else float
    pts = sorted(points, key=lambda p: (p.kbps, -p.vmaf))
    hull: list[Point] = []
    for p in pts:
        if hull and p.vmaf <= hull[-1].vmaf:
            continue  # dominated: more bits for no more quality
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            ax, bx, px = rate(a.kbps), rate(b.kbps), rate(p.kbps)
            cross = (bx - ax) * (p.vmaf - a.vmaf) - (b.vmaf - a.vmaf) * (px - ax)
            if cross >= 0:  # b lies on or below the chord a-p
                hull.pop()
            else:
                break
        hull.append(p)
    return hull


def choose_rungs(
    hull: list[Point],
    *,
    min_gain: float = 6.0,
    min_slope: float = 4.0,
    quality_cap: float = 95.0,
    quality_floor: float = 40.0,
) -> list[Point]:
    """Walk the hull upwards from the first point at ``quality_floor``; keep a point when it
    adds at least ``min_gain`` VMAF (about one just-noticeable difference) at ``min_slope``
    VMAF per doubling of bitrate or better; stop once a rung reaches ``quality_cap``."""
    if not hull:
        return []
    start = next((i for i, p in enumerate(hull) if p.vmaf >= quality_floor), len(hull) - 1)
    chosen = [hull[start]]
    for p in hull[start + 1 :]:
        last = chosen[-1]
        if last.vmaf >= quality_cap:
            break
        gain = p.vmaf - last.vmaf
        slope = gain / max(1e-9, math.log2(p.kbps / last.kbps))
        reaches_cap = p.vmaf >= quality_cap and gain > 0
        if slope >= min_slope and (gain >= min_gain or reaches_cap):
            chosen.append(p)
    return chosen


def bitrate_at(hull: list[Point], target: float, *, log_rate: bool = True) -> float | None:
    """Bitrate the hull needs for VMAF ``target``, None if beyond it: interpolated in log
    bitrate (as the curve is drawn), or with ``log_rate=False`` in linear bitrate."""
    if not hull or target > hull[-1].vmaf:
        return None
    if target <= hull[0].vmaf:
        return hull[0].kbps
    xs = np.array([p.vmaf for p in hull])
    if not log_rate:
        return float(np.interp(target, xs, [p.kbps for p in hull]))
    return float(2 ** np.interp(target, xs, np.log2([p.kbps for p in hull])))


def savings(
    hull: list[Point], fixed: list[Point], *, log_rate: bool = True
) -> tuple[float | None, dict[str, float]]:
    """Mean bitrate saving of the ``hull`` curve against each fixed rung at that rung's VMAF
    (fixed rungs outside the curve's VMAF range are left out), read as ``bitrate_at`` does."""
    by_rung = {}
    for f in fixed:
        if not hull or f.vmaf < hull[0].vmaf:
            continue  # the curve has no point that bad: no equal-VMAF comparison
        need = bitrate_at(hull, f.vmaf, log_rate=log_rate)
        if need is not None:
            by_rung[f.label] = round(1.0 - need / f.kbps, 4)
    mean = round(float(np.mean(list(by_rung.values()))), 4) if by_rung else None
    return mean, by_rung


def switching_savings(
    points: list[Point], fixed: list[Point]
) -> tuple[float | None, dict[str, float]]:
    """Mean saving against each fixed rung at its VMAF, from the hull of ``points`` in linear
    bitrate. Playing a share of the segments from one encode and the rest from another
    averages both bitrate and mean VMAF, so a straight line in linear bitrate between two
    measured encodes is what switching reaches; a long log-bitrate chord promises more."""
    return savings(convex_hull(points, log_rate=False), fixed, log_rate=False)


def _shaped(shape: tuple[int, int], height: float) -> tuple[int, int]:
    """The even size nearest ``height`` lines whose aspect ratio is exactly ``shape``'s, so a
    rung chosen at that size needs no non-square pixels to sit next to the others."""
    g = math.gcd(*shape)
    p, q = shape[0] // g, shape[1] // g
    k = max(1, round(height / (2 * q)))  # p and q are coprime, so k*2 keeps both even
    return 2 * k * p, 2 * k * q


def grid_sizes(
    ladder_sizes: list[tuple[int, int]], *, below: int = 2, ratio: float = 1.3, min_height: int = 64
) -> list[tuple[int, int]]:
    """The grid's frame sizes, ascending: the ladder's, one near the geometric mean of each
    neighbouring pair, and ``below`` sizes under the smallest, each ``ratio`` times shorter.

    Apple's heights are a ladder for every title; the hull of one title may want to switch
    between them (a size between two rungs) or, on hard content at low bitrates, go under
    the bottom rung, which the fixed ladder never does. Added sizes keep the exact aspect
    ratio of the largest size so that any of them can be served next to it.
    """
    sizes = sorted(set(ladder_sizes), key=lambda s: s[1])
    if not sizes:
        return []
    shape = sizes[-1]
    out = set(sizes)
    heights = {h for _, h in sizes}
    candidates = [math.sqrt(a[1] * b[1]) for a, b in pairwise(sizes)]
    candidates += [sizes[0][1] / ratio**k for k in range(1, below + 1)]
    for target in candidates:
        w, h = _shaped(shape, target)
        near = any(abs(h - x) <= 0.05 * x for x in heights)  # as good as a size we have
        if h >= min_height and not near and abs(h - target) <= 0.1 * target:
            out.add((w, h))
            heights.add(h)
    return sorted(out, key=lambda s: s[1])


def coverage_points(
    grid: list[Point], fixed: list[Point], crfs: tuple[int, ...], sizes: list[tuple[int, int]]
) -> list[Rung]:
    """Grid points that stretch the hull over the fixed ladder's VMAF range: lower CRFs at
    the top size when the top fixed rung beats the best grid point, higher CRFs at the
    smallest size when the bottom one is worse than the worst, so no rung drops out."""
    if not grid or not fixed:
        return []
    step = min((b - a for a, b in pairwise(sorted(set(crfs)))), default=3)
    extra = []
    if max(p.vmaf for p in fixed) > max(p.vmaf for p in grid):
        w, h = sizes[-1]
        extra += [Rung(w, h, 0, c) for c in (min(crfs) - step, min(crfs) - 2 * step) if c >= 0]
    if min(p.vmaf for p in fixed) < min(p.vmaf for p in grid):
        w, h = sizes[0]
        extra += [Rung(w, h, 0, c) for c in (max(crfs) + step, max(crfs) + 2 * step) if c <= 51]
    return extra


def refinement_points(hull: list[Point], grid: list[Point], step: int) -> list[Rung]:
    """New grid points where the hull is a long chord: the CRF halfway between two hull
    neighbours of one size, and at a switch of size, each size half a grid ``step``
    towards the other. One round puts grid points where the hull is, not everywhere."""
    have = {(p.width, p.height, p.crf) for p in grid}
    extra: list[Rung] = []

    def add(p: Point, crf: int) -> None:
        key = (p.width, p.height, crf)
        if 0 <= crf <= 51 and key not in have:
            have.add(key)
            extra.append(Rung(p.width, p.height, 0, crf))

    for a, b in pairwise(hull):
        if a.crf is None or b.crf is None:
            continue
        if (a.width, a.height) == (b.width, b.height):
            if a.crf - b.crf >= 2:
                add(a, (a.crf + b.crf) // 2)
        else:
            half = max(1, step // 2)
            add(a, a.crf - half)
            add(b, b.crf + half)
    return extra


def analyse(
    source: Path,
    info: ProbeInfo,
    work: Path,
    *,
    heights: tuple[int, ...] | None = None,
    crfs: tuple[int, ...] = (20, 26, 32),
    preset: str = "veryfast",
    subsample: int = 3,
    refine: bool = True,
    between_sizes: bool = True,
    timeout: float = 1800,
) -> PerTitleResult:
    """Run the grid and the fixed ladder on ``source`` and compute hull, rungs and savings.

    Both sides use the same encoder, preset, keyframe cadence, bitrate measure and VMAF
    (model, subsampling, bicubic scaling to the source size); only the rate control
    differs: CRF points per size on the grid, Apple's target bitrates on the fixed ladder.
    """
    ladder = plan_ladder(info.width, info.height)
    sizes = [(r.width, r.height) for r in ladder if heights is None or r.height in heights]
    sizes = list(dict.fromkeys(sizes))  # one grid column per size, however many rungs share it
    sizes = sizes or [(ladder[-1].width, ladder[-1].height)]
    if between_sizes:
        sizes = grid_sizes(sizes)

    def measured(name: str, rungs: list[Rung]) -> list[Point]:
        paths = encode_points(source, info, work / name, rungs, preset=preset, timeout=timeout)
        return _measure(paths, rungs, source, info, subsample)

    fixed = measured("fixed", ladder)
    for p, r in zip(fixed, ladder, strict=True):
        p.crf, p.target_kbps = None, r.kbps
        p.kbps = max(p.kbps, 1.0) if p.kbps else float(r.kbps)
    grid = measured("grid", [Rung(w, h, 0, crf) for w, h in sizes for crf in crfs])
    extra = coverage_points(grid, fixed, crfs, sizes)
    if extra:
        grid += measured("extra", extra)
    if refine:
        step = min((b - a for a, b in pairwise(sorted(set(crfs)))), default=2)
        finer = refinement_points(convex_hull(grid), grid, step)
        if finer:
            grid += measured("refine", finer)
    hull = convex_hull(grid)
    chosen = choose_rungs(hull)
    mean, by_rung = switching_savings(grid, fixed)
    log_mean, log_by_rung = savings(hull, fixed)
    # The shipped ladder switches only between its own rungs: its curve is the chosen points.
    chosen_mean, _ = switching_savings(chosen, fixed)
    return PerTitleResult(
        grid, hull, chosen, fixed, mean, by_rung, chosen_mean, log_mean, log_by_rung
    )


def plot(result: PerTitleResult, dest: Path, title: str = "") -> Path:
    """Bitrate-quality plot: grid points by resolution, hull, chosen rungs, fixed ladder."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=90)
    for h in sorted({p.height for p in result.grid}):
        pts = [p for p in result.grid if p.height == h]
        ax.scatter([p.kbps for p in pts], [p.vmaf for p in pts], s=18, label=f"{h}p grid")
    ax.plot(
        [p.kbps for p in result.hull],
        [p.vmaf for p in result.hull],
        "k-",
        lw=1,
        label="convex hull",
    )
    ax.scatter(
        [p.kbps for p in result.chosen],
        [p.vmaf for p in result.chosen],
        s=90,
        facecolors="none",
        edgecolors="red",
        label="per-title rungs",
    )
    ax.scatter(
        [p.kbps for p in result.fixed],
        [p.vmaf for p in result.fixed],
        marker="x",
        c="grey",
        label="fixed ladder",
    )
    ax.set_xscale("log")
    ax.set_xlabel("bitrate (kbps)")
    ax.set_ylabel("VMAF")
    saving = f" (saving {result.saving:.0%})" if result.saving is not None else ""
    ax.set_title(f"{title}{saving}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(dest)
    plt.close(fig)
    return dest
