"""Video streaming assets.

Per video, on the ``videos`` dynamic partitions (the upload sensor in
``pipelines.automation.video`` adds one per admitted video, and eager automation materialises
it): the probe, thumbnails, the per-title and per-shot analysis, and the one-pass ABR ladder
with its quality checks, which serves the analysis' per-shot rungs by default. Across
videos: engagement from the lake's events.
"""

import shutil
import tempfile
import time
from pathlib import Path

import dagster as dg
import polars as pl

from assets.metadata import md_table, png_bytes_md
from assets.resources import PlatformResource, SystemResource
from media.ladder import build_ladder, plan_ladder, publish
from media.pershot import analyse_title
from media.pertitle import analyse, plot
from media.probe import probe
from services.video.analytics import ENGAGEMENT_TABLE, engagement, engagement_problems
from services.video.quality import LadderReport, measure_ladder
from services.video.renditions import grid_heights, publish_thumbnails, served_rungs, write_json
from warehouse.parquet_io import publish_parquet

GROUP = "video"
videos_partitions = dg.DynamicPartitionsDefinition(name="videos")
PER_VIDEO = {
    "partitions_def": videos_partitions,
    "group_name": GROUP,
    # A new partition is "newly missing": the probe runs, then everything downstream of it.
    "automation_condition": dg.AutomationCondition.eager(),
}
ENGAGEMENT_CHECK = "video_engagement_is_consistent"


@dg.asset(**PER_VIDEO, kinds={"ffmpeg"})
def video_probe(context: dg.AssetExecutionContext, video: SystemResource) -> dg.MaterializeResult:
    """Re-admit the stored source (the same sandboxed probe as at upload); record its facts."""
    svc = video.service()
    v = svc.get(context.partition_key)
    with tempfile.TemporaryDirectory(prefix="probe-") as job:
        info = probe(Path(v.source), Path(job), svc.limits)
    svc.record_probe(v.id, info)
    return dg.MaterializeResult(
        metadata={
            "title": v.title,
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


def ladder_check_results(report: LadderReport, partition: str) -> list[dg.AssetCheckResult]:
    """The ladder's checks, from the measurements of the partition just published."""
    json = dg.MetadataValue.json
    return [
        dg.AssetCheckResult(
            check_name="renditions_decode",
            passed=report.decodes,
            metadata={
                "partition": partition,
                "renditions": report.renditions,
                "errors": json(report.decode_errors),
            },
        ),
        dg.AssetCheckResult(
            check_name="segment_durations",
            passed=report.durations_ok,
            metadata={"partition": partition, "off_target": json(report.duration_problems)},
        ),
        dg.AssetCheckResult(
            check_name="keyframes_aligned",
            passed=report.keyframes_aligned,
            metadata={
                "partition": partition,
                "keyframes": report.keyframes,
                "misaligned_rungs": json(report.misaligned_rungs),
                "segments_without_keyframe": json(report.segments_without_keyframe),
            },
        ),
        dg.AssetCheckResult(
            check_name="vmaf_floor",
            passed=report.above_floors,
            metadata={
                "partition": partition,
                "vmaf": json(report.vmaf),
                "below_floor": json(report.below_floor),
            },
        ),
    ]


class LadderConfig(dg.Config):
    """``per_title``: serve the rungs chosen by this video's analysis (its per-shot ladder, a
    capped CRF per shot, or else its per-title rungs) when one has been stored, instead of
    Apple's fixed rungs. On by default; ``False`` serves the fixed ladder."""

    per_title: bool = True


@dg.asset(
    **PER_VIDEO,
    deps=[video_probe, dg.AssetKey("video_per_title")],
    kinds={"ffmpeg", "hls", "dash"},
    check_specs=LADDER_CHECKS,
)
def video_ladder(
    context: dg.AssetExecutionContext, video: SystemResource, config: LadderConfig
) -> dg.MaterializeResult:
    """Apple's rungs up to the source (or the per-title rungs), encoded by one ffmpeg process
    into 2 s CMAF segments described by an HLS master playlist and a DASH MPD, published to
    the blob store, then checked as served."""
    svc = video.service()
    vid = context.partition_key
    v, info = svc.get(vid), svc.probe_report(vid)
    out = svc.rendition_dir(vid)
    rungs, origin = served_rungs(out, info.width, info.height, config.per_title)
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

    build = svc.work_dir(vid) / "ladder-build"
    result = build_ladder(Path(v.source), info, build, rungs, on_progress=progress)
    files = publish(build, out)
    report = measure_ladder(out, Path(v.source), info)
    table = [
        {
            "rung": r["name"],
            "size": f"{r['width']}x{r['height']}",
            "target kbps": r["kbps"],
            "VMAF": r["vmaf"],
        }
        for r in report.rungs
    ]
    return dg.MaterializeResult(
        metadata={
            "rungs": md_table(table, limit=20),
            "ladder_source": origin,
            "files": len(files),
            "encode_seconds": round(result.seconds, 2),
            "realtime_multiple": round(result.realtime_multiple, 2),
            "progress": dg.MetadataValue.json(samples),
            "final_speed": last["speed"].strip(),
            "master_playlist": dg.MetadataValue.path(str(out / "master.m3u8")),
            "mpd": dg.MetadataValue.path(str(out / "manifest.mpd")),
        },
        check_results=ladder_check_results(report, vid),
    )


@dg.asset(**PER_VIDEO, deps=[video_probe], kinds={"ffmpeg"})
def video_thumbnails(
    context: dg.AssetExecutionContext, video: SystemResource
) -> dg.MaterializeResult:
    """Poster, sprite sheet and WebVTT thumbnail track, next to the renditions."""
    svc = video.service()
    vid = context.partition_key
    v, info = svc.get(vid), svc.probe_report(vid)
    thumbs = publish_thumbnails(
        Path(v.source), info, svc.work_dir(vid) / "thumbs-build", svc.rendition_dir(vid) / "thumbs"
    )
    return dg.MaterializeResult(
        metadata={
            "tiles": thumbs.tiles,
            "interval_s": thumbs.interval_s,
            "poster": dg.MetadataValue.path(str(thumbs.poster)),
            "vtt": dg.MetadataValue.path(str(thumbs.vtt)),
        }
    )


class PerTitleConfig(dg.Config):
    """Grid size: CRF values times at most ``max_heights`` ladder resolutions."""

    crfs: list[int] = [22, 28, 34]
    max_heights: int = 3
    vmaf_subsample: int = 5
    #: Also split the video into shots and choose a CRF per shot (what the ladder serves).
    per_shot: bool = True


def _nan_if_none(x: float | None) -> float:
    return float("nan") if x is None else x


@dg.asset(**PER_VIDEO, deps=[video_probe], kinds={"ffmpeg", "vmaf"})
def video_per_title(
    context: dg.AssetExecutionContext, video: SystemResource, config: PerTitleConfig
) -> dg.MaterializeResult:
    """Resolution x CRF grid measured with VMAF; convex hull; rungs that add quality worth
    their bitrate; saving against the fixed ladder at equal VMAF, with a plot. Then the
    per-shot ladder (shots at scene changes, a CRF per shot) that the ladder asset serves."""
    svc = video.service()
    vid = context.partition_key
    v, info = svc.get(vid), svc.probe_report(vid)
    heights = grid_heights(
        [r.height for r in plan_ladder(info.width, info.height)], config.max_heights
    )
    work = svc.work_dir(vid) / "pertitle"
    shutil.rmtree(work, ignore_errors=True)
    result = analyse(
        Path(v.source),
        info,
        work,
        heights=heights,
        crfs=tuple(config.crfs),
        subsample=config.vmaf_subsample,
    )
    shutil.rmtree(work, ignore_errors=True)
    data = result.to_dict()
    shots = None
    if config.per_shot:
        shots = analyse_title(
            Path(v.source),
            info,
            work / "shots",
            heights=heights,
            crfs=tuple(config.crfs),
            subsample=config.vmaf_subsample,
        )
        shutil.rmtree(work, ignore_errors=True)
        data["per_shot"] = shots.to_dict()
    out = svc.rendition_dir(vid)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "pertitle.json", data)
    png = plot(result, svc.work_dir(vid) / "pertitle.png", v.title[:40])
    context.log.info(f"per-title: {len(result.chosen)} rungs, saving {result.saving}")
    chosen = [
        {"rung": f"{p.width}x{p.height} crf{p.crf}", "kbps": round(p.kbps), "VMAF": p.vmaf}
        for p in result.chosen
    ]
    return dg.MaterializeResult(
        metadata={
            "chosen_ladder": md_table(chosen, limit=20),
            "saving_vs_fixed": _nan_if_none(result.saving),
            "savings_by_rung": dg.MetadataValue.json(result.savings_by_rung),
            "chosen_ladder_saving": _nan_if_none(result.chosen_saving),
            "shots": len(shots.shots) if shots else 0,
            "per_shot_ladder": md_table(
                [
                    {
                        "rung": f"{r.width}x{r.height} crf{r.crf}",
                        "zones": r.zones or "",
                        "kbps": round(a.kbps),
                        "VMAF": a.vmaf,
                    }
                    for r, a in zip(shots.rungs, shots.served, strict=True)
                ]
                if shots
                else [],
                limit=20,
            ),
            "grid_points": len(result.grid),
            "hull_points": len(result.hull),
            "plot": png_bytes_md(png.read_bytes(), "per-title ladder"),
            "plot_path": dg.MetadataValue.path(str(png)),
        }
    )


@dg.asset(
    group_name=GROUP,
    deps=[dg.AssetKey("lake_ingest")],
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(ENGAGEMENT_CHECK, asset="video_engagement")],
)
def video_engagement(platform: PlatformResource) -> dg.MaterializeResult:
    """Views, likes, comments, watch time and distinct viewers per video, from lake events.

    Its check reads the table as this run wrote it.
    """
    path = platform.settings().lake_dir / ENGAGEMENT_TABLE / "data.parquet"
    df = engagement(platform.lake())
    publish_parquet(df, path)
    problems = engagement_problems(pl.read_parquet(path))
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "total_watch_seconds": float(df["watch_seconds"].sum()) if df.height else 0.0,
            "most_watched": md_table(df),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=ENGAGEMENT_CHECK, passed=not any(problems.values()), metadata=problems
            )
        ],
    )


#: The per-video assets, which the transcoding job runs for one partition.
TRANSCODE_ASSETS = [video_probe, video_ladder, video_thumbnails, video_per_title]

defs = dg.Definitions(assets=[*TRANSCODE_ASSETS, video_engagement])
