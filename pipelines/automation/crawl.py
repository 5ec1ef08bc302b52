"""Crawl requests become partitions of ``crawl_pages``; the assets' automation does the rest.

The sensor only adds partitions: ``crawl_pages`` runs each new one once (``on_missing``) and
PageRank, the index and the recrawl schedule follow every finished crawl (``eager``), so no
crawl is ever launched twice for one request.
"""

import dagster as dg

from assets.crawl import crawl_partitions
from assets.resources import SystemResource


@dg.sensor(minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def crawl_request_sensor(context: dg.SensorEvaluationContext, crawl: SystemResource):
    """Each new request file under <data_dir>/crawl/requests becomes a ``crawl_runs`` partition."""
    known = set(context.instance.get_dynamic_partitions(crawl_partitions.name))
    new = [i for i in crawl.service().pending() if i not in known]
    if not new:
        return dg.SkipReason("no new crawl requests")
    return dg.SensorResult(dynamic_partitions_requests=[crawl_partitions.build_add_request(new)])


defs = dg.Definitions(sensors=[crawl_request_sensor])
