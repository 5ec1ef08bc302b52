from __future__ import annotations

import re

import pytest

from media.ladder import build_ladder, plan_ladder
from media.playlists import (
    assemble,
    audio_playlists,
    decodes_cleanly,
    keyframe_times,
    segment_duration_problems,
    video_renditions,
)
from media.probe import probe
from media.thumbs import make_thumbnails
from tests.media.clips import clip


def test_plan_follows_apple_rungs_and_never_upscales() -> None:
    assert [(r.width, r.height, r.kbps) for r in plan_ladder(1280, 720)] == [
        (416, 234, 145),
        (640, 360, 365),
        (768, 432, 730),
        (768, 432, 1100),
        (960, 540, 2000),
        (1280, 720, 3000),
        (1280, 720, 4500),
    ]
    assert [r.kbps for r in plan_ladder(1920, 1080)][-2:] == [6000, 7800]
    assert [r.height for r in plan_ladder(3840, 2160)][-1] == 1080  # H.264 ladder tops at 1080p
    assert all(r.height <= 360 for r in plan_ladder(640, 360))


def test_plan_keeps_aspect_and_adds_the_source_size_between_rungs() -> None:
    rungs = plan_ladder(640, 272)  # 2.35:1, between 234p and 360p
    assert [(r.width, r.height) for r in rungs] == [(550, 234), (640, 272)]
    tiny = plan_ladder(176, 144)
    assert [(r.width, r.height) for r in tiny] == [(176, 144)]


def test_a_wide_source_ladders_with_one_display_aspect_across_rungs(tmp_path) -> None:
    source = clip(640, 272, 2.0, audio=False)  # 2.35:1: rung sizes round to unequal aspects
    result = build_ladder(source, probe(source, tmp_path / "job"), tmp_path / "out")
    renditions = video_renditions(result.out_dir)
    assert [(r.width, r.height) for r in renditions] == [(550, 234), (640, 272)]
    mpd = (result.out_dir / "manifest.mpd").read_text()
    assert len(re.findall(r"<AdaptationSet[^>]*contentType=\"video\"", mpd)) == 1
    assert set(re.findall(r'par="([^"]+)"', mpd)) == {"40:17"}


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("ladder")
    source = clip(640, 360, 5.0)
    info = probe(source, work / "job")
    seen: list[float] = []
    result = build_ladder(source, info, work / "out", on_progress=lambda f, _b: seen.append(f))
    return result, seen, source, info


def test_one_process_writes_hls_and_dash_over_the_same_segments(ladder) -> None:
    result, _seen, _src, _info = ladder
    out = result.out_dir
    renditions = video_renditions(out)
    assert [(r.width, r.height) for r in renditions] == [(416, 234), (640, 360)]
    mpd = (out / "manifest.mpd").read_text()
    assert 'media="seg-$RepresentationID$-$Number%05d$.m4s"' in mpd
    rep_ids = re.findall(r'<Representation id="(\d+)"', mpd)
    hls_segments = {s for r in renditions for s in r.segments}
    for rep in rep_ids:  # every DASH representation's segments are the HLS segments
        files = sorted(p.name for p in out.glob(f"seg-{rep}-*.m4s"))
        assert files and (rep == rep_ids[-1] or set(files) <= hls_segments)
    assert audio_playlists(out) == ["media_2.m3u8"]
    assert all(r.init.endswith(".m4s") for r in renditions)


def test_segments_are_two_seconds_and_keyframes_align_across_rungs(ladder, tmp_path) -> None:
    result, _seen, _src, _info = ladder
    keyframes = []
    for r in video_renditions(result.out_dir):
        assert r.durations[:-1] == [2.0, 2.0]
        assert segment_duration_problems(r, 2.0) == []
        file = assemble(result.out_dir, r, tmp_path / f"{r.name}.mp4")
        keyframes.append(keyframe_times(file))
        ok, err = decodes_cleanly(file)
        assert ok, err
    assert keyframes[0] == keyframes[1] == [0.0, 2.0, 4.0]


def test_progress_is_reported_up_to_completion(ladder) -> None:
    _result, seen, _src, _info = ladder
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_a_broken_segment_fails_the_decode_check(ladder, tmp_path) -> None:
    result, *_ = ladder
    r = video_renditions(result.out_dir)[0]
    good = assemble(result.out_dir, r, tmp_path / "good.mp4").read_bytes()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(good[: len(good) // 2] + b"\x00" * 5000 + good[len(good) // 2 + 5000 :])
    ok, _err = decodes_cleanly(bad)
    assert not ok


def test_thumbnails_poster_sprite_and_vtt(ladder, tmp_path) -> None:
    _result, _seen, source, info = ladder
    thumbs = make_thumbnails(source, info, tmp_path / "thumbs", columns=3)
    assert thumbs.poster.read_bytes()[:2] == b"\xff\xd8"
    assert thumbs.sprite.read_bytes()[:2] == b"\xff\xd8"
    vtt = thumbs.vtt.read_text()
    assert vtt.startswith("WEBVTT")
    cues = re.findall(r"sprite\.jpg#xywh=(\d+),(\d+),160,90", vtt)
    assert len(cues) == thumbs.tiles == 5
    assert cues[3] == ("0", "90")  # fourth tile starts the second row of three
