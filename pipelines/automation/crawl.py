"""Crawl requests become partitions and runs; downstream crawl assets follow a new crawl."""

import dagster as dg

from assets.crawl import crawl_pages, crawl_partitions
from assets.resources import PlatformResource
from crawlers.requests import pending_ids

crawl_job = dg.define_asset_job("crawl_job", selection=[crawl_pages])
crawl_downstream_job = dg.define_asset_job(
    "crawl_downstream_job",
    selection=dg.AssetSelection.groups("crawler") - dg.AssetSelection.assets(crawl_pages),
)


@dg.sensor(job=crawl_job, minimum_interval_seconds=30)
def crawl_request_sensor(context: dg.SensorEvaluationContext, platform: PlatformResource):
    """Each new request file under <data_dir>/crawl/requests becomes a partition and a run."""
    known = set(context.instance.get_dynamic_partitions(crawl_partitions.name))
    new = [i for i in pending_ids(platform.settings()) if i not in known]
    if not new:
        return dg.SkipReason("no new crawl requests")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=i, run_key=i) for i in new],
        dynamic_partitions_requests=[crawl_partitions.build_add_request(new)],
    )


@dg.asset_sensor(asset_key=crawl_pages.key, job=crawl_downstream_job)
def crawl_finished_sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    """Rebuild PageRank, the index and the recrawl schedule after every crawl."""
    return dg.RunRequest(run_key=context.cursor)


defs = dg.Definitions(
    jobs=[crawl_job, crawl_downstream_job], sensors=[crawl_request_sensor, crawl_finished_sensor]
)
