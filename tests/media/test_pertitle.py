from __future__ import annotations

import struct
from dataclasses import asdict
from pathlib import Path

import pytest

from media.pertitle import (
    Point,
    analyse,
    bitrate_at,
    choose_rungs,
    convex_hull,
    coverage_points,
    grid_sizes,
    plot,
    refinement_points,
    savings,
    stored_rungs,
    switching_savings,
    video_kbps,
)
from media.probe import probe
from tests.media.clips import clip


def P(h: int, kbps: float, vmaf: float) -> Point:
    return Point(h * 16 // 9, h, 23, kbps, vmaf)


def test_hull_drops_dominated_and_concave_points() -> None:
    grid = [
        P(234, 100, 40),
        P(360, 150, 41),
        P(360, 200, 70),
        P(540, 300, 72),
        P(540, 400, 85),
        P(720, 800, 92),
        P(720, 900, 90),
    ]
    hull = convex_hull(grid)
    assert [(p.kbps, p.vmaf) for p in hull] == [(100, 40), (200, 70), (400, 85), (800, 92)]


def test_rungs_must_add_enough_quality_for_their_bitrate() -> None:
    hull = [
        P(234, 100, 30),
        P(360, 200, 50),
        P(432, 230, 53),
        P(540, 400, 70),
        P(720, 800, 90),
        P(720, 1600, 96),
        P(720, 3200, 97),
    ]
    chosen = choose_rungs(hull)
    # 30 is under the quality floor; 53 adds 3 VMAF only; 97 comes after the 95 cap.
    assert [p.vmaf for p in chosen] == [50, 70, 90, 96]


def test_savings_compare_bitrates_at_equal_vmaf() -> None:
    hull = [P(360, 100, 50), P(720, 400, 90)]
    # halfway in quality is halfway in log-bitrate: 200 kbps
    assert bitrate_at(hull, 70) == pytest.approx(200)
    assert bitrate_at(hull, 95) is None
    fixed = [
        Point(416, 234, None, 145, 30),
        Point(640, 360, None, 400, 70),
        Point(1280, 720, None, 3000, 99),
    ]
    mean, by_rung = savings(hull, fixed)
    assert by_rung == {"360p fixed": 0.5} and mean == 0.5  # 30 and 99 are out of range


def test_analysis_on_a_real_encode_finds_a_hull_and_plots_it(tmp_path: Path) -> None:
    source = clip(640, 360, 2.0)
    info = probe(source, tmp_path / "job")
    result = analyse(source, info, tmp_path / "work", crfs=(24, 36), subsample=5)
    assert len(result.grid) >= 4 and len(result.fixed) == 2
    # the grid is stretched until every fixed rung has an equal-VMAF point on the hull
    assert set(result.savings_by_rung) == {p.label for p in result.fixed}
    assert set(result.log_savings_by_rung) == {p.label for p in result.fixed}
    # sizes between and under Apple's rungs are measured too
    assert {p.height for p in result.grid} >= {144, 180, 234, 288, 360}
    assert all(0 <= p.vmaf <= 100 for p in result.grid + result.fixed)
    assert result.hull and result.chosen
    assert set(map(id, result.chosen)) <= set(map(id, result.hull))
    by_crf = {(p.height, p.crf): p for p in result.grid}
    assert by_crf[(360, 24)].vmaf > by_crf[(360, 36)].vmaf  # lower CRF, better quality
    assert by_crf[(360, 24)].kbps > by_crf[(360, 36)].kbps
    png = plot(result, tmp_path / "plot.png", "test")
    assert png.read_bytes()[:4] == b"\x89PNG"


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_bitrate_counts_the_video_payload_not_the_container_index(tmp_path: Path) -> None:
    mp4 = tmp_path / "v.mp4"
    mdat = _box(b"mdat", b"\0" * 10_000)
    mp4.write_bytes(
        _box(b"ftyp", b"isom" * 4) + _box(b"free", b"") + mdat + _box(b"moov", b"\1" * 2_000)
    )
    assert video_kbps(mp4, 2.0) == pytest.approx(10_000 * 8 / 1000 / 2.0)
    # a 64-bit mdat size is read too
    big = struct.pack(">I4sQ", 1, b"mdat", 16 + 4_000) + b"\0" * 4_000
    mp4.write_bytes(_box(b"ftyp", b"isom") + big)
    assert video_kbps(mp4, 1.0) == pytest.approx(32.0)


def test_grid_is_stretched_to_cover_the_fixed_ladders_quality_range() -> None:
    sizes = [(416, 234), (1280, 720)]
    grid = [P(234, 100, 40), P(720, 900, 90)]
    inside = [Point(416, 234, None, 145, 45), Point(1280, 720, None, 3000, 88)]
    assert coverage_points(grid, inside, (24, 30, 36), sizes) == []
    outside = [Point(416, 234, None, 145, 30), Point(1280, 720, None, 3000, 96)]
    extra = coverage_points(grid, outside, (24, 30, 36), sizes)
    assert [(r.height, r.crf) for r in extra] == [(720, 18), (720, 12), (234, 42), (234, 48)]


def test_stored_rungs_are_the_chosen_points_above_their_floor_in_bitrate_order() -> None:
    data = {
        "chosen": [asdict(P(720, 1500.2, 93)), asdict(P(234, 120, 35)), asdict(P(432, 400.0, 70))]
    }
    rungs = stored_rungs(data, floor=lambda h: 40.0)
    assert [(r.height, r.kbps, r.crf) for r in rungs] == [(432, 400, 23), (720, 1501, 23)]
    assert len(stored_rungs(data)) == 3 and stored_rungs({}) == []


def test_refinement_adds_points_only_along_the_hull() -> None:
    def at(h: int, crf: int, kbps: float, vmaf: float) -> Point:
        return Point(h * 16 // 9, h, crf, kbps, vmaf)

    hull = [
        at(432, 30, 260, 61),
        at(432, 27, 390, 71),
        at(720, 27, 680, 80),
        at(720, 24, 1300, 89),
        at(720, 18, 2900, 95.5),
    ]
    grid = [*hull, at(720, 21, 1900, 92.9), at(234, 36, 50, 16)]
    extra = refinement_points(hull, grid, step=3)
    # midpoints of same-size neighbours (30|27 -> 28, 27|24 -> 25; 24|18 -> 21 is there
    # already), and at the switch 432p crf27 -> 720p crf27: 432p finer, 720p coarser
    assert [(r.height, r.crf) for r in extra] == [(432, 28), (432, 26), (720, 28), (720, 25)]


def test_saving_is_read_in_linear_bitrate_between_measured_encodes() -> None:
    far = [P(234, 100, 20), P(720, 400, 80)]
    rung = [Point(640, 360, None, 200, 50)]
    # log-linear reading of the long chord: halfway in quality at sqrt(100 * 400) = 200 kbps
    assert savings(convex_hull(far), rung) == (0.0, {"360p fixed": 0.0})
    # switching half the segments between the two encodes costs (100 + 400) / 2 = 250 kbps
    assert switching_savings(far, rung) == (-0.25, {"360p fixed": -0.25})
    # an encode measured near the rung's quality is what earns a saving
    near = [*far, P(360, 180, 52), P(234, 150, 30)]
    assert [p.kbps for p in convex_hull(near, log_rate=False)] == [100, 180, 400]
    mean, by_rung = switching_savings(near, rung)
    assert mean == pytest.approx(1 - (100 + 80 * 30 / 32) / 200, abs=1e-4)
    # rungs outside the measured range are left out
    assert switching_savings(near, [Point(416, 234, None, 90, 10)]) == (None, {})


def test_grid_sizes_add_sizes_between_and_under_the_ladder_in_its_aspect_ratio() -> None:
    ladder = [(416, 234), (640, 360), (1280, 720)]
    assert grid_sizes(ladder) == [
        (256, 144),
        (320, 180),
        (416, 234),
        (512, 288),
        (640, 360),
        (896, 504),
        (1280, 720),
    ]
    # a 40:17 source: every added size is exactly 40:17 and even, so DASH can package it
    added = set(grid_sizes([(550, 234), (640, 272)])) - {(550, 234), (640, 272)}
    assert added and all(w * 17 == h * 40 and w % 2 == h % 2 == 0 for w, h in added)
    assert all(h < 200 for _, h in added)  # 238p would only repeat 234p's encode
    assert grid_sizes([(416, 234)], below=0) == [(416, 234)]
    assert grid_sizes([(112, 64)]) == [(112, 64)]  # nothing under the floor
