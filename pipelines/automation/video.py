"""A sensor that adds one ``videos`` partition per admitted upload; the per-video assets'
eager automation conditions then transcode it (probe first, then ladder, thumbnails and
per-title analysis). The cursor is the admission time of the newest video already handled.

``video_transcode_job`` runs the same assets for one partition by hand (the launchpad, or
``dagster job launch``), for example to re-encode with the per-title rungs.
"""

import dagster as dg

from assets.resources import SystemResource
from assets.video import TRANSCODE_ASSETS, videos_partitions

video_job = dg.define_asset_job(
    "video_transcode_job",
    selection=dg.AssetSelection.assets(*TRANSCODE_ASSETS),
    partitions_def=videos_partitions,
)


@dg.sensor(minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def video_upload_sensor(context: dg.SensorEvaluationContext, video: SystemResource):
    """New admitted videos -> new dynamic partitions (automation materialises them)."""
    after = float(context.cursor or 0)
    found = video.service().admitted_after(after)
    if not found:
        return dg.SkipReason("no new videos")
    ids = [
        vid
        for vid, _ in found
        if not context.instance.has_dynamic_partition(videos_partitions.name, vid)
    ]
    return dg.SensorResult(
        dynamic_partitions_requests=[videos_partitions.build_add_request(ids)] if ids else [],
        cursor=str(max(created for _, created in found)),
    )


defs = dg.Definitions(jobs=[video_job], sensors=[video_upload_sensor])
