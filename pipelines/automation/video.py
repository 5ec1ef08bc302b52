"""A sensor that adds one ``videos`` partition per admitted upload and requests its
transcoding run. The cursor is the creation time of the newest video already handled."""

import dagster as dg

from assets.resources import PlatformResource
from assets.video import GROUP, videos_partitions
from services.db import make_engine
from services.video.store import VideoStore

video_job = dg.define_asset_job(
    "video_transcode_job",
    selection=dg.AssetSelection.groups(GROUP),
    partitions_def=videos_partitions,
)


def new_video_ids(platform: PlatformResource, after: float) -> list[tuple[str, float]]:
    """(id, created) of admitted videos newer than ``after``, oldest first."""
    store = VideoStore(make_engine(platform.settings(), "video"))
    return [(v.id, v.created) for v in store.list_videos(limit=100_000) if v.created > after]


@dg.sensor(job=video_job, minimum_interval_seconds=30)
def video_upload_sensor(context: dg.SensorEvaluationContext, platform: PlatformResource):
    """New uploads -> new dynamic partitions plus one run each."""
    after = float(context.cursor or 0)
    found = new_video_ids(platform, after)
    if not found:
        return dg.SkipReason("no new videos")
    ids = [
        vid
        for vid, _ in found
        if not context.instance.has_dynamic_partition(videos_partitions.name, vid)
    ]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=vid, run_key=f"video-{vid}") for vid in ids],
        dynamic_partitions_requests=[videos_partitions.build_add_request(ids)] if ids else [],
        cursor=str(max(created for _, created in found)),
    )


defs = dg.Definitions(jobs=[video_job], sensors=[video_upload_sensor])
