"""Video streaming assets, one dynamic partition per uploaded video: probe, the one-pass
ABR ladder (with its quality checks), thumbnails and the per-title ladder analysis."""

import json
import shutil
import tempfile
import time
from pathlib import Path

import dagster as dg

from assets.resources import PlatformResource
from media.ladder import SEGMENT_SECONDS, Rung, build_ladder, plan_ladder, publish
from media.pertitle import analyse, plot, png_markdown, stored_rungs
from media.playlists import (
    assemble,
    decodes_cleanly,
    keyframe_times,
    rendition_names,
    segment_duration_problems,
    video_renditions,
)
from media.probe import probe
from media.thumbs import make_thumbnails
from media.vmaf import vmaf_many
from services.video.ingest import rendition_dir
from services.video.renditions import (
    load_probe,
    load_video,
    save_probe,
    vmaf_floor,
    work_dir,
    write_json,
)
from warehouse.parquet_io import publish_parquet

videos_partitions = dg.DynamicPartitionsDefinition(name="videos")
GROUP = "video"


@dg.asset(partitions_def=videos_partitions, group_name=GROUP, kinds={"ffmpeg"})
def video_probe(context: dg.AssetExecutionContext, platform: PlatformResource):
    """Re-admit the stored source (same sandboxed probe as at upload) and record its facts."""
    settings = platform.settings()
    video = load_video(settings, context.partition_key)
    with tempfile.TemporaryDirectory(prefix="probe-") as job:
        info = probe(Path(video.source), Path(job))
    save_probe(settings, video.id, info)
    return dg.MaterializeResult(
        metadata={
            "title": video.title,
            "width": info.width,
            "height": info.height,
            "fps": info.fps,
            "duration_s": info.duration_s,
            "video_codec": info.video_codec,
            "audio_codec": info.audio_codec or "none",
            "container": info.container,
            "size_bytes": info.size_bytes,
        }
    )


LADDER_CHECKS = [
    dg.AssetCheckSpec(
        "renditions_decode",
        asset="video_ladder",
        blocking=True,
        description="Every rendition decodes end to end without errors.",
    ),
    dg.AssetCheckSpec(
        "segment_durations",
        asset="video_ladder",
        description="Video segments are 2 s within 0.1 s (the last may be short).",
    ),
    dg.AssetCheckSpec(
        "keyframes_aligned",
        asset="video_ladder",
        blocking=True,
        description="Keyframe times are identical across rungs; each segment starts on one.",
    ),
    dg.AssetCheckSpec(
        "vmaf_floor",
        asset="video_ladder",
        description="Each rung's VMAF against the source is above its floor.",
    ),
]


class LadderConfig(dg.Config):
    """``per_title``: serve the rungs chosen by this video's per-title analysis (capped CRF)
    when one has been stored, instead of Apple's fixed rungs."""

    per_title: bool = False


def served_rungs(out: Path, width: int, height: int, per_title: bool) -> tuple[list[Rung], str]:
    """The rungs to encode and where they come from ("per-title" or "fixed")."""
    stored = out / "pertitle.json"
    if per_title and stored.exists():
        rungs = stored_rungs(json.loads(stored.read_text(encoding="utf-8")), vmaf_floor)
        if rungs:
            return rungs, "per-title"
    return plan_ladder(width, height), "fixed"


@dg.asset(
    partitions_def=videos_partitions,
    group_name=GROUP,
    deps=[video_probe],
    kinds={"ffmpeg", "hls", "dash"},
    check_specs=LADDER_CHECKS,
)
def video_ladder(
    context: dg.AssetExecutionContext, platform: PlatformResource, config: LadderConfig
):
    """Apple's rungs up to the source (or the per-title rungs), encoded by one ffmpeg process
    into 2 s CMAF segments described by an HLS master playlist and a DASH MPD, published to
    the blob store."""
    settings = platform.settings()
    vid = context.partition_key
    video, info = load_video(settings, vid), load_probe(settings, vid)
    rungs, origin = served_rungs(
        rendition_dir(settings, vid), info.width, info.height, config.per_title
    )
    context.log.info(
        f"encoding {len(rungs)} {origin} rungs in one pass: "
        + ", ".join(f"{r.width}x{r.height}@{r.kbps}k" for r in rungs)
    )
    samples: list[tuple[float, float]] = []
    last = {"step": -1, "speed": ""}
    started = time.perf_counter()

    def progress(fraction: float, block: dict[str, str]) -> None:
        last["speed"] = block.get("speed", last["speed"])
        step = int(fraction * 10)
        if step > last["step"]:
            last["step"] = step
            samples.append((round(time.perf_counter() - started, 2), round(fraction, 3)))
            context.log.info(f"ladder {fraction:.0%} (speed {last['speed'].strip()})")

    build = work_dir(settings, vid) / "ladder-build"
    result = build_ladder(Path(video.source), info, build, rungs, on_progress=progress)
    out = rendition_dir(settings, vid)
    files = publish(build, out)
    yield from _ladder_checks(out, Path(video.source), info)
    ladder = json.loads((out / "ladder.json").read_text(encoding="utf-8"))
    table = "\n".join(
        ["| rung | size | target kbps | VMAF |", "|---|---|---:|---:|"]
        + [
            f"| {r['name']} | {r['width']}x{r['height']} | {r['kbps']} | {r.get('vmaf', '')} |"
            for r in ladder["rungs"]
        ]
    )
    yield dg.MaterializeResult(
        metadata={
            "rungs": dg.MetadataValue.md(table),
            "ladder_source": origin,
            "files": len(files),
            "encode_seconds": round(result.seconds, 2),
            "realtime_multiple": round(result.realtime_multiple, 2),
            "progress": dg.MetadataValue.json(samples),
            "final_speed": last["speed"].strip(),
            "master_playlist": dg.MetadataValue.path(str(out / "master.m3u8")),
            "mpd": dg.MetadataValue.path(str(out / "manifest.mpd")),
        }
    )


def _ladder_checks(out: Path, source: Path, info):
    renditions = video_renditions(out)
    names = rendition_names(renditions)
    decode_errors, duration_problems, keyframes = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="ladder-check-") as tmp:
        files = []
        for name, r in zip(names, renditions, strict=True):
            f = assemble(out, r, Path(tmp) / f"{name}.mp4")
            files.append(f)
            ok, err = decodes_cleanly(f)
            if not ok:
                decode_errors[name] = err[:300]
            bad = segment_duration_problems(r, SEGMENT_SECONDS)
            if bad:
                duration_problems[name] = bad[:5]
            keyframes[name] = keyframe_times(f)
        scores = vmaf_many(files, source, info.width, info.height, subsample=5) if files else []
    yield dg.AssetCheckResult(
        check_name="renditions_decode",
        passed=not decode_errors,
        metadata={"renditions": len(renditions), "errors": dg.MetadataValue.json(decode_errors)},
    )
    yield dg.AssetCheckResult(
        check_name="segment_durations",
        passed=not duration_problems,
        metadata={"off_target": dg.MetadataValue.json(duration_problems)},
    )
    reference = next(iter(keyframes.values()), [])
    starts = {
        round(sum(r.durations[:i]), 3) for r in renditions[:1] for i in range(len(r.segments))
    }
    misaligned = [n for n, k in keyframes.items() if k != reference]
    unkeyed = sorted(t for t in starts if not any(abs(t - k) < 0.05 for k in reference))
    yield dg.AssetCheckResult(
        check_name="keyframes_aligned",
        passed=not misaligned and not unkeyed,
        metadata={
            "keyframes": len(reference),
            "misaligned_rungs": dg.MetadataValue.json(misaligned),
            "segments_without_keyframe": dg.MetadataValue.json(unkeyed),
        },
    )
    rungs, below = [], {}
    for name, r, score in zip(names, renditions, scores, strict=True):
        floor = vmaf_floor(r.height)
        rungs.append(
            {
                "name": name,
                "width": r.width,
                "height": r.height,
                "kbps": r.bandwidth // 1000,
                "vmaf": score,
                "vmaf_floor": floor,
                "segments": len(r.segments),
            }
        )
        if score < floor:
            below[name] = {"vmaf": score, "floor": floor}
    write_json(out / "ladder.json", {"rungs": rungs, "segment_seconds": SEGMENT_SECONDS})
    yield dg.AssetCheckResult(
        check_name="vmaf_floor",
        passed=not below,
        metadata={
            "vmaf": dg.MetadataValue.json({r["name"]: r["vmaf"] for r in rungs}),
            "below_floor": dg.MetadataValue.json(below),
        },
    )


@dg.asset(partitions_def=videos_partitions, group_name=GROUP, deps=[video_probe], kinds={"ffmpeg"})
def video_thumbnails(context: dg.AssetExecutionContext, platform: PlatformResource):
    """Poster, sprite sheet and WebVTT thumbnail track, next to the renditions."""
    settings = platform.settings()
    vid = context.partition_key
    video, info = load_video(settings, vid), load_probe(settings, vid)
    build = work_dir(settings, vid) / "thumbs-build"
    shutil.rmtree(build, ignore_errors=True)
    thumbs = make_thumbnails(Path(video.source), info, build)
    dest = rendition_dir(settings, vid) / "thumbs"
    dest.mkdir(parents=True, exist_ok=True)
    for f in (thumbs.sprite, thumbs.poster, thumbs.vtt):
        f.replace(dest / f.name)
    shutil.rmtree(build, ignore_errors=True)
    return dg.MaterializeResult(
        metadata={
            "tiles": thumbs.tiles,
            "interval_s": thumbs.interval_s,
            "poster": dg.MetadataValue.path(str(dest / "poster.jpg")),
            "vtt": dg.MetadataValue.path(str(dest / "thumbnails.vtt")),
        }
    )


class PerTitleConfig(dg.Config):
    """Grid size: CRF values times at most ``max_heights`` ladder resolutions."""

    crfs: list[int] = [22, 28, 34]
    max_heights: int = 3
    vmaf_subsample: int = 5


def grid_heights(heights: list[int], n: int) -> tuple[int, ...]:
    """``n`` heights spread over the ladder, always including the lowest and the top."""
    if len(heights) <= n:
        return tuple(heights)
    picks = {heights[round(i * (len(heights) - 1) / (n - 1))] for i in range(n)}
    return tuple(sorted(picks))


@dg.asset(
    partitions_def=videos_partitions, group_name=GROUP, deps=[video_probe], kinds={"ffmpeg", "vmaf"}
)
def video_per_title(
    context: dg.AssetExecutionContext, platform: PlatformResource, config: PerTitleConfig
):
    """Resolution x CRF grid measured with VMAF; convex hull; rungs that add quality worth
    their bitrate; saving against the fixed ladder at equal VMAF, with a plot."""
    settings = platform.settings()
    vid = context.partition_key
    video, info = load_video(settings, vid), load_probe(settings, vid)
    heights = grid_heights(
        [r.height for r in plan_ladder(info.width, info.height)], config.max_heights
    )
    work = work_dir(settings, vid) / "pertitle"
    shutil.rmtree(work, ignore_errors=True)
    result = analyse(
        Path(video.source),
        info,
        work,
        heights=heights,
        crfs=tuple(config.crfs),
        subsample=config.vmaf_subsample,
    )
    out = rendition_dir(settings, vid)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "pertitle.json", result.to_dict())
    png = plot(result, work_dir(settings, vid) / "pertitle.png", video.title[:40])
    shutil.rmtree(work, ignore_errors=True)
    chosen = "\n".join(
        ["| rung | kbps | VMAF |", "|---|---:|---:|"]
        + [
            f"| {p.width}x{p.height} crf{p.crf} | {p.kbps:.0f} | {p.vmaf:.1f} |"
            for p in result.chosen
        ]
    )
    context.log.info(f"per-title: {len(result.chosen)} rungs, saving {result.saving}")
    return dg.MaterializeResult(
        metadata={
            "chosen_ladder": dg.MetadataValue.md(chosen),
            "saving_vs_fixed": result.saving if result.saving is not None else float("nan"),
            "savings_by_rung": dg.MetadataValue.json(result.savings_by_rung),
            "chosen_ladder_saving": result.chosen_saving
            if result.chosen_saving is not None
            else float("nan"),
            "grid_points": len(result.grid),
            "hull_points": len(result.hull),
            "plot": dg.MetadataValue.md(png_markdown(png)),
            "plot_path": dg.MetadataValue.path(str(png)),
        }
    )


ENGAGEMENT_SQL = """
SELECT entity AS video_id,
       count(*) FILTER (WHERE type = 'view') AS views,
       count(*) FILTER (WHERE type = 'like') AS likes,
       count(*) FILTER (WHERE type = 'comment') AS comments,
       coalesce(sum(CAST(json_extract(attrs, '$.seconds') AS DOUBLE))
                FILTER (WHERE type = 'watch'), 0) AS watch_seconds,
       count(DISTINCT actor) FILTER (WHERE type IN ('view', 'watch')) AS viewers
FROM events
WHERE system = 'video' AND type IN ('view', 'like', 'comment', 'watch')
GROUP BY entity ORDER BY watch_seconds DESC
"""


@dg.asset(group_name="video_analytics", deps=[dg.AssetKey("lake_ingest")], kinds={"duckdb"})
def video_engagement(platform: PlatformResource) -> dg.MaterializeResult:
    """Views, likes, comments, watch time and distinct viewers per video, from lake events."""
    lake = platform.lake()
    if "events" not in lake.tables():
        return dg.MaterializeResult(metadata={"dagster/row_count": 0, "note": "no events yet"})
    df = lake.query(ENGAGEMENT_SQL)
    publish_parquet(df, platform.settings().lake_dir / "video_engagement" / "data.parquet")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "total_watch_seconds": float(df["watch_seconds"].sum()) if df.height else 0.0,
            "preview": dg.MetadataValue.md(_markdown(df.head(10))),
        }
    )


def _markdown(df) -> str:
    cols = df.columns
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    rows += ["| " + " | ".join(str(v) for v in r) + " |" for r in df.iter_rows()]
    return "\n".join(rows)


defs = dg.Definitions(
    assets=[video_probe, video_ladder, video_thumbnails, video_per_title, video_engagement]
)
