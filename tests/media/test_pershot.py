from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from media.corpus import excerpt
from media.ffmpeg import run
from media.ladder import build_ladder
from media.pershot import (
    ShotPoint,
    allocation,
    analyse_shots,
    choose_served,
    lagrangian_curve,
    per_title_curve,
    served_rung,
    shot_hull,
    shot_keyframes,
)
from media.playlists import assemble, decodes_cleanly, keyframe_times, video_renditions
from media.probe import probe
from media.shots import Shot, count_frames, detect_shots, split_shots

FPS = 25.0


def sp(shot: int, h: int, crf: int, kbits: float, vmaf: float, frames: int = 50) -> ShotPoint:
    return ShotPoint(shot, h * 16 // 9, h, crf, kbits * 1000, vmaf, frames)


def test_shot_hull_keeps_the_upper_convex_points_only() -> None:
    pts = [
        sp(0, 360, 30, 100, 50),
        sp(0, 360, 26, 150, 52),  # under the chord 100->200
        sp(0, 540, 30, 200, 70),
        sp(0, 540, 26, 300, 69),  # dominated: more bits, less quality
        sp(0, 720, 26, 400, 85),
        sp(0, 720, 22, 800, 90),
    ]
    hull = shot_hull(pts)
    assert [(p.bits / 1000, p.vmaf) for p in hull] == [(100, 50), (200, 70), (400, 85), (800, 90)]


def _upper_hull(xy: list[tuple[float, float]]) -> list[tuple[float, float]]:
    pts = sorted(set(xy), key=lambda p: (p[0], -p[1]))
    hull: list[tuple[float, float]] = []
    for p in pts:
        if hull and p[1] <= hull[-1][1]:
            continue
        while len(hull) >= 2:
            (ax, ay), (bx, by) = hull[-2], hull[-1]
            if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) >= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    return hull


def test_lagrangian_sweep_finds_the_hull_of_every_combination() -> None:
    """Three shots of unequal length and difficulty: the sweep's allocations are exactly the
    upper convex hull of all 4x4x3 combinations (bitrate, frame-weighted VMAF)."""
    shots = {
        0: [(40, 60), (80, 75), (160, 85), (320, 90)],  # easy
        1: [(200, 40), (400, 60), (800, 78), (1600, 88)],  # hard
        2: [(60, 70), (120, 80), (240, 86)],
    }
    frames = {0: 50, 1: 25, 2: 75}
    pts = [
        sp(s, 360, 20 + i, kb * frames[s] / FPS, v, frames[s])
        for s, opts in shots.items()
        for i, (kb, v) in enumerate(opts)
    ]
    curve = lagrangian_curve(pts, FPS)
    by_shot = [[p for p in pts if p.shot == s] for s in shots]
    combos = [allocation(c, FPS) for c in itertools.product(*by_shot)]
    expected = _upper_hull([(a.kbps, a.vmaf) for a in combos])
    got = [(a.kbps, a.vmaf) for a in curve]
    assert got == expected
    # bitrates rise and quality rises along the sweep, and the ends are all-cheapest/all-best
    assert curve[0].picks == tuple(min(b, key=lambda p: p.bits) for b in by_shot)
    assert curve[-1].picks == tuple(max(b, key=lambda p: p.vmaf) for b in by_shot)
    # an easy shot gets a lower CRF index (better quality) than the hard one at mid-curve
    mid = curve[len(curve) // 2]
    assert mid.picks[0].vmaf > mid.picks[1].vmaf


def test_per_title_curve_uses_one_point_for_all_shots() -> None:
    pts = [sp(s, 360, c, 100 * (s + 1) * (40 - c), 100 - c, 25) for s in (0, 1) for c in (20, 30)]
    curve = per_title_curve(pts, FPS)
    assert len(curve) == 2
    assert all(len({(p.height, p.crf) for p in a.picks}) == 1 for a in curve)


def test_served_rungs_have_one_size_and_a_crf_per_shot() -> None:
    pts = [
        sp(s, h, c, (h / 100) * (50 - c) * (3 if s == 1 else 1), min(99, h / 8 + 60 - c))
        for s in (0, 1)
        for h in (234, 360, 540)
        for c in (20, 26, 32, 38)
    ]
    served = choose_served(pts, FPS, min_gain=2.0, min_slope=1.0, quality_floor=0.0)
    assert served
    shots = [Shot(0, 50, FPS), Shot(50, 100, FPS)]
    for a in served:
        assert len(a.sizes) == 1
        rung = served_rung(a, shots)
        crfs = {p.shot: p.crf for p in a.picks}
        if crfs[0] != crfs[1]:
            other = 1 if crfs[0] == rung.crf else 0
            start, end = shots[other].start, shots[other].end - 1
            assert rung.zones == f"{start},{end},crf={crfs[other]}"
        else:
            assert rung.zones is None and rung.crf == crfs[0]
        # the nominal bitrate is the most demanding shot's, so the VBV cap does not bind
        assert rung.kbps >= max(p.bits / 1000 / 2.0 for p in a.picks)


def test_shot_keyframes_fall_on_the_titles_segment_boundaries() -> None:
    assert shot_keyframes(Shot(0, 125, FPS)) == "0,2,4"
    assert shot_keyframes(Shot(38, 113, FPS)) == "0,0.48,2.48"  # 1.52 s to 4.52 s
    assert shot_keyframes(Shot(50, 60, FPS)) == "0"  # starts on a boundary, ends before one


def test_strongest_cuts_win_and_no_shot_is_too_short() -> None:
    cuts = {10: 0.9, 30: 0.5, 40: 0.95, 95: 0.4}
    # 12 frames at least: 40 first; 10 is too near the start, 30 too near 40, 95 the end
    shots = split_shots(cuts, 100, FPS, min_shot_s=0.5)
    assert [(s.start, s.end) for s in shots] == [(0, 40), (40, 100)]
    every = split_shots(cuts, 100, FPS, min_shot_s=0.1)
    assert [s.start for s in every] == [0, 10, 30, 40, 95]
    two = split_shots(cuts, 100, FPS, min_shot_s=0.1, max_shots=3)
    assert [s.start for s in two] == [0, 10, 40]


def test_excerpts_start_and_end_on_scene_changes() -> None:
    # the window with most shots: from the cut at 155, to the end of the source
    assert excerpt([2, 99, 155, 201], 144, 270) == (155, 270)
    # no cut: the first max_frames
    assert excerpt([], 100, 250) == (0, 100)
    # starts on a cut, and a cut in the window's second half ends the excerpt there
    assert excerpt([30, 70, 120], 100, 250) == (30, 120)


def planted_cuts(dest: Path, seconds: float = 1.6, size: str = "320x180") -> Path:
    """Three very different shots back to back (cuts at 1.6 s and 3.2 s), 25 fps."""
    sources = [
        f"testsrc2=size={size}:rate=25",
        f"mandelbrot=size={size}:rate=25",
        f"smptebars=size={size}:rate=25",
    ]
    args: list[str] = []
    for src in sources:
        args += ["-f", "lavfi", "-t", f"{seconds:g}", "-i", src]
    graph = "".join(f"[{i}:v]format=yuv420p,setsar=1[v{i}];" for i in range(3))
    graph += "[v0][v1][v2]concat=n=3:v=1:a=0[out]"
    args += ["-filter_complex", graph, "-map", "[out]", "-c:v", "libx264", "-preset", "ultrafast"]
    args += ["-crf", "12", "-pix_fmt", "yuv420p", "-f", "mp4", str(dest)]
    run(args, timeout=120)
    return dest


def test_shot_splitting_finds_planted_cuts(tmp_path: Path) -> None:
    src = planted_cuts(tmp_path / "cuts.mp4")
    frames = count_frames(src)
    assert frames == 120
    shots = detect_shots(src, frames, FPS)
    assert [s.start for s in shots] == [0, 40, 80]
    assert shots[-1].end == 120


def test_served_per_shot_ladder_decodes_with_keyframes_every_2s(tmp_path: Path) -> None:
    src = planted_cuts(tmp_path / "cuts.mp4", seconds=1.6)
    info = probe(src, tmp_path / "job")
    shots = detect_shots(src, 120, FPS)
    result = analyse_shots(
        src, info, shots, [(160, 90), (320, 180)], (22, 34), tmp_path / "grid", subsample=4
    )
    assert len(result.points) == 3 * 2 * 2
    assert all(0 <= p.vmaf <= 100 for p in result.points)
    assert result.rungs
    # an easy shot (bars) and a hard one (mandelbrot) get different CRFs somewhere
    out = tmp_path / "ladder"
    build_ladder(src, info, out, result.rungs)
    renditions = video_renditions(out)
    assert len(renditions) == len(result.rungs)
    times = []
    for r in renditions:
        joined = assemble(out, r, tmp_path / f"{r.playlist}.mp4")
        ok, err = decodes_cleanly(joined)
        assert ok, err
        times.append(keyframe_times(joined))
        assert r.durations[:-1] == pytest.approx([2.0] * (len(r.durations) - 1), abs=0.05)
    assert all(t == times[0] for t in times)
    assert {0.0, 2.0, 4.0} <= set(times[0])
