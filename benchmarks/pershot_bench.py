"""Per-shot ladders against Apple's fixed ladder on a real multi-class corpus.

Method, per title (``media.corpus``):

- The fixed arm is Apple's rungs up to the source, packaged by ``build_ladder`` exactly as
  served (libx264 at the same preset, High profile, VBV-capped target bitrate, a keyframe
  every 2 s segment, CMAF segments).
- The per-shot arm is the servable ladder of ``media.pershot``: shots found by ffmpeg's
  scene score, a size x CRF grid per shot scored with VMAF, the Lagrangian (dynamic
  optimizer) sweep at one size per rung, rungs chosen on its hull, then encoded and
  packaged by the same ``build_ladder`` (capped CRF, a CRF per shot through x264 zones).
- Both arms are measured the same way on the packaged renditions: bitrate is the video
  payload of all segments over the title's duration, VMAF the mean over frames against the
  mezzanine (same model, subsampling and bicubic upscaling).
- Saving: for each fixed rung whose VMAF lies within the per-shot ladder's VMAF range, the
  per-shot ladder's bitrate at that VMAF (read off its upper convex hull in linear bitrate,
  which is what switching between two served rungs delivers) against the fixed rung's
  bitrate; a title's saving is the mean over those rungs (bitrate at matched VMAF points,
  not a BD-rate integral). The corpus figure is the mean over titles; class figures are the
  mean over a class's titles.
- Printed beside it, from the shot grid alone: the unconstrained per-shot curve (size and
  CRF free per shot, as Netflix's optimizer; not servable with one init segment per
  rendition) and the per-title curve (one size and CRF for the whole title), each against
  the same served fixed rungs. Shots scored alone lose VMAF's motion context at their first
  frame, so these two are estimates; the served figure is the measured one.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from media.corpus import Title
from media.ladder import build_ladder, plan_ladder
from media.pershot import analyse_shots, as_point, served_points
from media.pertitle import Point, convex_hull, grid_sizes, savings, switching_savings
from media.probe import probe
from media.shots import detect_shots

CRFS = (16, 20, 24, 28, 33, 38)
SUBSAMPLE = 3


def _curve_saving(curve: list[Point], fixed: list[Point]) -> float | None:
    return savings(convex_hull(curve, log_rate=False), fixed, log_rate=False)[0]


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def measure_title(title: Title, work: Path) -> dict[str, float | None]:
    """Both arms on one title; prints what it found and returns its savings."""
    started = time.perf_counter()
    info = probe(title.path, work / "job")
    ladder = plan_ladder(info.width, info.height)
    shots = detect_shots(title.path, title.frames, title.fps)
    ladder_sizes = list(dict.fromkeys((r.width, r.height) for r in ladder))
    sizes = [s for s in grid_sizes(ladder_sizes, below=1) if s in ladder_sizes or s[1] < 234]
    result = analyse_shots(title.path, info, shots, sizes, CRFS, work / "grid", subsample=SUBSAMPLE)
    build_ladder(title.path, info, work / "fixed", ladder)
    fixed = served_points(
        work / "fixed",
        title.path,
        info,
        subsample=SUBSAMPLE,
        labels=[r.kbps for r in sorted(ladder, key=lambda r: r.kbps)],
    )
    build_ladder(title.path, info, work / "served", result.rungs)
    served = served_points(work / "served", title.path, info, subsample=SUBSAMPLE)
    served_saving, by_rung = switching_savings(served, fixed)
    curve_saving = _curve_saving([as_point(a) for a in result.curve], fixed)
    title_saving = _curve_saving([as_point(a) for a in result.per_title], fixed)
    print(
        f"per-shot {title.name} [{title.klass}] {info.width}x{info.height} "
        f"{title.duration_s:.1f}s: {len(shots)} shots at "
        + ",".join(f"{s.start_s:.1f}s" for s in shots)
        + f", {len(result.points)} shot encodes ({len(sizes)} sizes x {len(CRFS)} CRFs)"
    )
    print(
        "  fixed:  "
        + ", ".join(f"{p.height}p {p.target_kbps}k->{p.kbps:.0f}k/{p.vmaf:.1f}" for p in fixed)
    )
    print(
        "  served: "
        + ", ".join(
            f"{p.height}p {p.kbps:.0f}k/{p.vmaf:.1f} (crf {r.crf}{' +zones' if r.zones else ''})"
            for p, r in zip(served, result.rungs, strict=False)
        )
    )
    print(
        "  saving at equal VMAF: served per-shot ladder "
        + _pct(served_saving)
        + " ("
        + ", ".join(f"{k} {v:.0%}" for k, v in by_rung.items())
        + f"); per-shot curve {_pct(curve_saving)}, per-title curve {_pct(title_saving)}"
        + f" [{time.perf_counter() - started:.0f}s]"
    )
    shutil.rmtree(work, ignore_errors=True)
    return {"served": served_saving, "curve": curve_saving, "per_title": title_saving}


def corpus_savings(titles: list[Title], work: Path) -> tuple[float | None, dict[str, float]]:
    """(mean served saving over titles, mean per class), printing every title's figures."""
    by_class: dict[str, list[float]] = {}
    curve: list[float] = []
    per_title: list[float] = []
    for title in titles:
        figures = measure_title(title, work / title.name)
        if figures["served"] is not None:
            by_class.setdefault(title.klass, []).append(figures["served"])
        if figures["curve"] is not None:
            curve.append(figures["curve"])
        if figures["per_title"] is not None:
            per_title.append(figures["per_title"])
    classes = {k: statistics.mean(v) for k, v in sorted(by_class.items())}
    all_titles = [s for v in by_class.values() for s in v]
    mean = statistics.mean(all_titles) if all_titles else None
    for k, v in classes.items():
        print(f"per-shot class {k}: served saving {v:.1%} over {len(by_class[k])} titles")
    if curve and per_title:
        print(
            f"per-shot corpus: unconstrained per-shot curve {statistics.mean(curve):.1%}, "
            f"per-title curve {statistics.mean(per_title):.1%} (grid estimates)"
        )
    return mean, classes
