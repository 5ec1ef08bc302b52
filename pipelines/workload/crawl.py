"""Crawler workload: serve the generated test web on loopback, request a crawl of it.

The crawl itself runs when the main job materialises ``crawl_pages`` for this crawl id
(a Scrapy subprocess through Dagster Pipes); the summary then reads the lake and the API.
"""

from __future__ import annotations

import dagster as dg

from crawlers.requests import new_crawl_id, write_request
from crawlers.testsite import Site
from pipelines.workload import WorkloadContext


class CrawlWorkload:
    name = "crawl"
    order = 20

    def __init__(self) -> None:
        self.site: Site | None = None

    def run(self, ctx: WorkloadContext) -> None:
        self.site = Site().start()
        crawl_id = new_crawl_id("testweb")
        write_request(
            ctx.settings,
            crawl_id,
            self.site.seeds(),
            max_pages=200,
            max_depth=4,
            download_delay=0.0,
            timeout=2.0,
            allowed_networks=["127.0.0.0/8"],  # the test web is loopback: allowed explicitly
        )
        dg.DagsterInstance.get().add_dynamic_partitions("crawl_runs", [crawl_id])
        ctx.facts[self.name] = {"crawl_id": crawl_id, "port": self.site.port}
        ctx.log(f"  test web on 127.0.0.2-8:{self.site.port}; crawl {crawl_id} requested")

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        from warehouse.lake import Lake

        try:
            facts = ctx.facts.get(self.name, {})
            lake = Lake(ctx.settings.lake_dir)
            if "crawl_pages" not in lake.tables():
                return ["no crawl in the lake"]
            cid = facts.get("crawl_id", "")
            pages = lake.query("SELECT count(*) AS n FROM crawl_pages WHERE crawl_id = ?", [cid])
            errors = lake.query(
                "SELECT kind, count(*) AS n FROM crawl_errors WHERE crawl_id = ? "
                "GROUP BY 1 ORDER BY 2 DESC",
                [cid],
            )
            lines = [
                f"crawl {cid}: {pages['n'][0]} pages; errors: "
                + ", ".join(f"{k}={n}" for k, n in errors.rows())
            ]
            if "crawl_pagerank" in lake.tables():
                top = lake.query(
                    "SELECT url, pagerank FROM crawl_pagerank ORDER BY pagerank DESC LIMIT 3"
                )
                lines.append("top PageRank: " + "; ".join(f"{u} ({r:.3f})" for u, r in top.rows()))
            resp = ctx.client.get("/search", params={"q": "sourdough starter", "limit": 1})
            if resp.status_code == 200 and resp.json()["hits"]:
                hit = resp.json()["hits"][0]
                lines.append(
                    f"search 'sourdough starter' -> {hit['url']} ({hit['title']}): "
                    f"{hit['snippet'][:100]}"
                )
            else:
                lines.append(f"search 'sourdough starter' -> HTTP {resp.status_code}")
            return lines
        finally:
            if self.site is not None:
                self.site.stop()
                self.site = None


WORKLOAD = CrawlWorkload()
